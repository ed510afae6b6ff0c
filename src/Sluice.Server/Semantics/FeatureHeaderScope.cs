namespace Sluice.Server.Semantics;

/// <summary>
/// Which feature headers an operation can be asked to honour (<see cref="UnsupportedFeatureRules"/> refuses those the
/// server lacks), declared by the operation's row in <see cref="Routing.S3OperationTable"/>.
/// </summary>
internal enum FeatureHeaderScope
{
    /// <summary>Nothing to check (listings, deletes, bucket reads).</summary>
    None,
    /// <summary>Object reads: only SSE-C (no stored object is encrypted with a customer key).</summary>
    ObjectRead,
    /// <summary>UploadPart, CompleteMultipartUpload: the upload's SSE-C key.</summary>
    Part,
    /// <summary>UploadPartCopy: SSE-C for the part and for the copy source.</summary>
    PartCopy,
    /// <summary>PutObject, CreateMultipartUpload: everything an object is created with.</summary>
    ObjectWrite,
    /// <summary>CopyObject: an object write plus the copy source's SSE-C and the tagging directive.</summary>
    ObjectCopy,
    /// <summary>CreateBucket: ACLs, grants, object lock (true or false), object ownership.</summary>
    BucketCreate,
}
