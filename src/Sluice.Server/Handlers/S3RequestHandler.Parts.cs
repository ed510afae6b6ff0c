using System.Buffers;
using System.Text;
using Sluice.S3.Checksums;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Ranges;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Routing;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Reads by part: GET/HEAD with <c>partNumber</c> (the part's bytes as a 206 with <c>x-amz-mp-parts-count</c>; part 1
/// of an object written in one piece is the whole object) and GetObjectAttributes (ETag, checksum, the parts page,
/// storage class, size — only what <c>x-amz-object-attributes</c> asks for).
/// </summary>
public sealed partial class S3RequestHandler
{
    /// <summary>Reads of a part retry this often when the object is replaced between finding the part and opening it.</summary>
    private const int PartReadAttempts = 4;

    private static readonly string[] ObjectAttributeNames = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    private async ValueTask GetObjectPartAsync(S3Exchange x, RequestContext c, bool head)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        if (x.Request.Headers.TryGet(KnownHeader.Range, out _))
            ThrowProblem(S3ErrorCode.InvalidRequest, "Cannot specify both Range header and partNumber query parameter.");
        int number = c.Route.Query.PartNumber;
        string? versionId = VersionIdOf(c);
        bool checksumMode = Ascii.EqualsIgnoreCase(x.Request.Headers.GetValue(KnownHeader.XAmzChecksumMode, x.HeadBytes.Span), "ENABLED"u8);
        for (int attempt = 0; ; attempt++)
        {
            // The parts' checksums only when asked for (checksum mode): otherwise their numbers and sizes suffice.
            var parts = await _objects.GetPartsAsync(bucket, key, versionId, details: checksumMode);
            var metadata = parts.Metadata;
            AuthorizeObject(x, c, metadata);
            if (metadata.Attributes.Encryption != null)
            {
                await GetEncryptedPartAsync(x, c, head, parts, number);
                return;
            }
            ByteRange range;
            if (parts.Parts.Count == 0)
            {
                // An object written in one piece is its own part 1.
                if (number != 1) throw InvalidPartNumber(c);
                range = new ByteRange(0, metadata.Size);
            }
            else
            {
                if (number > parts.Parts.Count) throw InvalidPartNumber(c);
                long offset = 0;
                for (int i = 0; i < number - 1; i++) offset += parts.Parts[i].Size;
                range = new ByteRange(offset, parts.Parts[number - 1].Size);
            }

            await using var reader = head ? null : await _objects.OpenReadAsync(bucket, key, versionId);
            if (reader != null && reader.Metadata.ETag != metadata.ETag)
            {
                // Replaced since its parts were read: find the part in the version that is there now.
                if (attempt + 1 < PartReadAttempts) continue;
                throw new S3RequestException(new S3Error(S3ErrorCode.OperationAborted) { Resource = c.Route.GetResource() });
            }

            if (!_objects.TryCountRead(c.Route.Bucket, c.Route.Key))
                (await _objects.GetKeyIndexAsync(bucket)).CountRead(c.Route.Key);
            var outcome = metadata.Size == 0
                ? PrepareRead(x, c.Route.Query, metadata, out range)
                : PrepareRead(x, c.Route.Query, metadata, out range, range, parts.Parts.Count);
            if (checksumMode && outcome == ReadOutcome.Send) AddPartChecksumHeaders(x, parts, number);
            await AnswerReadAsync(x, c, outcome, metadata.Size, range, reader, head);
            return;
        }
    }

    /// <summary>
    /// A part's checksum, as S3 answers a read by part in checksum mode: the object's own for one written in one piece
    /// (its part 1 is the whole), the part's checksum for a COMPOSITE multipart object (what its composite is made of,
    /// so a client can check the part's bytes), none for a FULL_OBJECT one (its value covers the whole object only).
    /// </summary>
    private static void AddPartChecksumHeaders(S3Exchange x, ObjectParts parts, int number)
    {
        var m = parts.Metadata;
        if (m.ChecksumAlgorithm == ChecksumAlgorithm.None) return;
        if (parts.Parts.Count == 0)
        {
            AddChecksumHeaders(x, m);
            return;
        }
        if (m.ChecksumType != ObjectStore.Composite || parts.Parts[number - 1].Checksum is not { } checksum) return;
        x.AddHeader(m.ChecksumAlgorithm.GetHeaderNameUtf8(), Encoding.ASCII.GetBytes(checksum));
        AddHeader(x, KnownHeader.XAmzChecksumType, m.ChecksumType);
    }

    private static S3RequestException InvalidPartNumber(RequestContext c) =>
        new(new S3Error(S3ErrorCode.InvalidPartNumber, "The requested partnumber is not satisfiable") { Resource = c.Route.GetResource() }
            .WithDetail("PartNumberRequested", c.Route.Query.PartNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    internal async ValueTask GetObjectAttributesAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString(), key = c.Route.GetKeyString();
        var wanted = ReadObjectAttributeNames(x);
        int maxParts = ReadPartsHeader(x, "x-amz-max-parts", 1000);
        int marker = ReadPartsHeader(x, "x-amz-part-number-marker", 0);
        bool partsWanted = wanted.Contains("ObjectParts");
        var parts = await _objects.GetPartsAsync(bucket, key, VersionIdOf(c), details: partsWanted);
        AuthorizeObject(x, c, parts.Metadata);
        if (parts.Metadata.Attributes.Encryption != null) parts = PresentEncryptedParts(x, parts);
        var m = parts.Metadata;

        var result = new GetObjectAttributesResult();
        if (wanted.Contains("ETag")) result.ETag = m.ETag.Trim('"');
        if (wanted.Contains("Checksum") && m.Checksum != null && m.ChecksumAlgorithm != ChecksumAlgorithm.None)
        {
            result.Checksum = new ObjectChecksums { ChecksumType = m.ChecksumType };
            SetChecksum(result.Checksum, m.ChecksumAlgorithm, m.Checksum);
        }
        if (partsWanted && parts.Parts.Count > 0)
        {
            var page = new ObjectPartsPage { PartsCount = parts.Parts.Count, PartNumberMarker = marker, MaxParts = maxParts };
            foreach (var part in parts.Parts)
            {
                if (part.PartNumber <= marker) continue;
                if (page.Parts.Count == maxParts)
                {
                    page.IsTruncated = true;
                    break;
                }
                var entry = new ObjectPartEntry { PartNumber = part.PartNumber, Size = part.Size };
                if (part.Checksum != null) SetChecksum(entry.Checksums, m.ChecksumAlgorithm, part.Checksum);
                page.Parts.Add(entry);
                page.NextPartNumberMarker = part.PartNumber;
            }
            result.ObjectParts = page;
        }
        if (wanted.Contains("StorageClass")) result.StorageClass = m.Attributes.StorageClass ?? "STANDARD";
        if (wanted.Contains("ObjectSize")) result.ObjectSize = m.Size;

        var body = new ArrayBufferWriter<byte>(512 + ((result.ObjectParts?.Parts.Count ?? 0) * 128));
        result.WriteTo(body);
        x.SetStatus(200);
        AddDateHeader(x, KnownHeader.LastModified, m.LastModified);
        AddVersionHeader(x, m);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        await x.SendAsync(body.WrittenMemory);
    }

    /// <summary>x-amz-object-attributes: a comma-separated list of attribute names; missing, empty or unknown is
    /// InvalidArgument (nothing is answered for a name S3 does not know).</summary>
    private static HashSet<string> ReadObjectAttributeNames(S3Exchange x)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        string? header = FindHeader(x, "x-amz-object-attributes");
        if (header != null)
        {
            foreach (string raw in header.Split(','))
            {
                string name = raw.Trim();
                if (name.Length == 0) continue;
                string? known = Array.Find(ObjectAttributeNames, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (known == null)
                    throw new S3RequestException(S3Problem.InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", name).ToError());
                wanted.Add(known);
            }
        }
        if (wanted.Count == 0)
            throw new S3RequestException(S3Problem.InvalidArgument(
                "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
                "x-amz-object-attributes").ToError());
        return wanted;
    }

    private static int ReadPartsHeader(S3Exchange x, string name, int absent)
    {
        string? value = FindHeader(x, name);
        if (value == null) return absent;
        if (!int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
            throw new S3RequestException(S3Problem.InvalidArgument($"Invalid value for {name}.", name, value).ToError());
        return n;
    }

    /// <summary>A header the table does not know by name, as text; null when absent.</summary>
    private static string? FindHeader(S3Exchange x, string name)
    {
        var head = x.HeadBytes.Span;
        Span<byte> wanted = stackalloc byte[name.Length];
        Encoding.ASCII.GetBytes(name, wanted);
        foreach (var field in x.Request.Headers.Fields)
        {
            if (Ascii.EqualsIgnoreCase(field.Name.Of(head), wanted)) return Encoding.UTF8.GetString(field.Value.Of(head));
        }
        return null;
    }
}
