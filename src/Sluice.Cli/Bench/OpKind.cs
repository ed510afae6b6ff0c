namespace Sluice.Cli.Bench;

/// <summary>One kind of S3 request a bench worker makes (the unit of a --mix and of the per-operation figures).</summary>
public enum OpKind : byte
{
    /// <summary>GetObject of a prepared (or since uploaded) object.</summary>
    Get,

    /// <summary>PutObject of a new object.</summary>
    Put,

    /// <summary>HeadObject of a prepared object.</summary>
    Head,

    /// <summary>DeleteObject of a prepared object (taken out of the pool).</summary>
    Delete,

    /// <summary>One ListObjectsV2 page over the job's prefix.</summary>
    List,

    /// <summary>A whole multipart upload (create, parts, complete) through the transfer engine.</summary>
    Multipart,
}
