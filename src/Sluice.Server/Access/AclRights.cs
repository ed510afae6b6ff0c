namespace Sluice.Server.Access;

/// <summary>
/// S3's ACL permissions. On a bucket: READ lists it, WRITE creates, overwrites and deletes its objects, READ_ACP and
/// WRITE_ACP read and replace its ACL. On an object: READ gets it (GET, HEAD), READ_ACP and WRITE_ACP its ACL
/// (WRITE means nothing on an object). FULL_CONTROL is all four.
/// </summary>
[Flags]
public enum AclRights
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadAcp = 4,
    WriteAcp = 8,
    FullControl = Read | Write | ReadAcp | WriteAcp,
}
