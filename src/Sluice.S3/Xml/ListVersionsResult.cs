using System.Buffers;

namespace Sluice.S3.Xml;

/// <summary>
/// The ListObjectVersions response body (<c>ListVersionsResult</c>): versions and delete markers in key order (newest
/// first within a key), common prefixes, and the key / version-id markers to continue from. With
/// <see cref="EncodingType"/> = <c>url</c> the writer URL-encodes Key, Prefix, Delimiter, KeyMarker, NextKeyMarker and
/// CommonPrefixes/Prefix.
/// </summary>
public sealed class ListVersionsResult
{
    public string Name { get; set; } = string.Empty;

    public string Prefix { get; set; } = string.Empty;

    /// <summary>The key-marker as sent (S3 echoes it, empty when none was sent).</summary>
    public string KeyMarker { get; set; } = string.Empty;

    /// <summary>The version-id-marker as sent (S3 echoes it, empty when none was sent).</summary>
    public string VersionIdMarker { get; set; } = string.Empty;

    /// <summary>Set when truncated: the key (or common prefix) the next page starts after.</summary>
    public string? NextKeyMarker { get; set; }

    /// <summary>Set when truncated after a version: its id.</summary>
    public string? NextVersionIdMarker { get; set; }

    /// <summary>Null or empty: not written.</summary>
    public string? Delimiter { get; set; }

    public int MaxKeys { get; set; } = 1000;

    public bool IsTruncated { get; set; }

    /// <summary><c>url</c> or null.</summary>
    public string? EncodingType { get; set; }

    /// <summary>Versions and delete markers, in the order written.</summary>
    public IList<ListedVersion> Versions { get; } = new List<ListedVersion>();

    public IList<string> CommonPrefixes { get; } = new List<string>();

    /// <summary>Writes the document, declaration included.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        bool url = S3Xml.IsUrl(EncodingType);
        var w = new Utf8XmlWriter(output);
        w.WriteDeclaration();
        w.WriteRootStart("ListVersionsResult"u8);
        w.WriteElement("Name"u8, Name);
        w.WriteKeyElement("Prefix"u8, Prefix, url);
        w.WriteKeyElement("KeyMarker"u8, KeyMarker, url);
        w.WriteElement("VersionIdMarker"u8, VersionIdMarker);
        if (NextKeyMarker is not null)
        {
            w.WriteKeyElement("NextKeyMarker"u8, NextKeyMarker, url);
        }

        w.WriteOptionalElement("NextVersionIdMarker"u8, NextVersionIdMarker);
        w.WriteElement("MaxKeys"u8, MaxKeys);
        if (!string.IsNullOrEmpty(Delimiter))
        {
            w.WriteKeyElement("Delimiter"u8, Delimiter, url);
        }

        w.WriteOptionalElement("EncodingType"u8, EncodingType);
        w.WriteElement("IsTruncated"u8, IsTruncated);
        IList<ListedVersion> versions = Versions;
        for (int i = 0; i < versions.Count; i++)
        {
            ListedVersion v = versions[i];
            ReadOnlySpan<byte> element = v.IsDeleteMarker ? "DeleteMarker"u8 : "Version"u8;
            w.WriteStartElement(element);
            w.WriteKeyElement("Key"u8, v.Key, url);
            w.WriteElement("VersionId"u8, v.VersionId);
            w.WriteElement("IsLatest"u8, v.IsLatest);
            w.WriteElement("LastModified"u8, v.LastModified);
            if (!v.IsDeleteMarker)
            {
                w.WriteElement("ETag"u8, v.ETag);
                w.WriteElement("Size"u8, v.Size);
                w.WriteOptionalElement("StorageClass"u8, v.StorageClass);
            }

            v.Owner?.Write(ref w, "Owner"u8);
            if (!v.IsDeleteMarker)
            {
                w.WriteOptionalElement("ChecksumAlgorithm"u8, v.ChecksumAlgorithm);
                w.WriteOptionalElement("ChecksumType"u8, v.ChecksumType);
            }

            w.WriteEndElement(element);
        }

        CommonPrefixesXml.Write(ref w, CommonPrefixes, url);
        w.WriteEndElement("ListVersionsResult"u8);
        w.Flush();
    }
}
