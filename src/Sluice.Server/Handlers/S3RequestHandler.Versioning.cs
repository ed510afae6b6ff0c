using System.Buffers;
using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using Sluice.S3.Xml;
using Sluice.Server.Exchange;
using Sluice.Server.Index;
using Sluice.Server.Routing;
using Sluice.Server.Storage;

namespace Sluice.Server.Handlers;

/// <summary>
/// Versioning: Get/PutBucketVersioning (Enabled, Suspended; never back to unversioned; MFA delete refused), the
/// <c>versionId</c> a request names, the version headers, and ListObjectVersions — the key index's current versions
/// merged with the version index's noncurrent versions and delete markers, in key order and newest first within a key.
/// </summary>
public sealed partial class S3RequestHandler
{
    private const string MalformedXmlMessage =
        "The XML you provided was not well-formed or did not validate against our published schema";

    internal async ValueTask GetBucketVersioningAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        var state = await _objects.GetVersioningAsync(bucket);
        var body = new ArrayBufferWriter<byte>(128);
        new VersioningConfiguration
        {
            Status = state switch
            {
                VersioningState.Enabled => "Enabled",
                VersioningState.Suspended => "Suspended",
                _ => null,
            },
        }.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    internal async ValueTask PutBucketVersioningAsync(S3Exchange x, RequestContext c, SigV4AuthResult auth)
    {
        string bucket = c.Route.GetBucketString();
        await _objects.GetBucketAsync(bucket);
        RefuseMfa(x);
        byte[] xml = await ReadVerifiedXmlAsync(x, c, auth);
        var read = VersioningConfiguration.Read(xml);
        if (!read.IsSuccess) ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        var configuration = read.Value!;
        // Status and MfaDelete are enumerations in S3's schema: any other value does not validate (MalformedXML),
        // and there is no status that turns versioning off again.
        if (configuration.Status is not (null or "Enabled" or "Suspended")
            || configuration.MfaDelete is not (null or "Enabled" or "Disabled"))
            ThrowProblem(S3ErrorCode.MalformedXML, MalformedXmlMessage);
        if (configuration.MfaDelete == "Enabled")
            ThrowProblem(S3ErrorCode.NotImplemented,
                "MFA delete is not implemented: this server has no MFA devices to check a token against. Nothing was changed.");
        await RefuseSuspendingLockedBucketAsync(bucket, configuration.Status);
        if (configuration.Status != null)
        {
            var document = new ArrayBufferWriter<byte>(128);
            new VersioningConfiguration { Status = configuration.Status }.WriteTo(document);
            await _objects.SetBucketSettingAsync(bucket, BucketSetting.Versioning, document.WrittenSpan.ToArray());
        }
        await SendEmptyAsync(x, 200);
    }

    /// <summary>An x-amz-mfa header asks for MFA delete, which the server cannot check: refused, never ignored.</summary>
    private static void RefuseMfa(S3Exchange x)
    {
        if (FindHeader(x, "x-amz-mfa") != null)
            ThrowProblem(S3ErrorCode.NotImplemented,
                "MFA delete (the x-amz-mfa header) is not implemented: this server has no MFA devices to check a token against. Nothing was changed.");
    }

    /// <summary>
    /// The request's versionId (null without one): <c>null</c> or an id this server could have issued; anything else
    /// is InvalidArgument as S3 answers it (an empty one too).
    /// </summary>
    private static string? VersionIdOf(RequestContext c)
    {
        var q = c.Route.Query;
        if (!q.Has(S3QueryParameter.VersionId)) return null;
        string id = q.GetString(S3QueryParameter.VersionId)!;
        if (id.Length == 0)
            throw new S3RequestException(S3Problem.InvalidArgument("Version id cannot be the empty string", "versionId", id).ToError());
        if (!VersionIds.IsValidRequestId(id))
            throw new S3RequestException(S3Problem.InvalidArgument("Invalid version id specified", "versionId", id).ToError());
        return id;
    }

    /// <summary>x-amz-version-id for a version of a bucket that is (or was) versioned; nothing otherwise.</summary>
    private static void AddVersionHeader(S3Exchange x, ObjectMetadata metadata)
    {
        if (metadata.VersionIdHeader is { } id) AddHeader(x, KnownHeader.XAmzVersionId, id);
    }

    /// <summary>An XML answer (200) with x-amz-version-id (when set) and x-amz-copy-source-version-id (when set).</summary>
    private static ValueTask SendVersionedXmlAsync(S3Exchange x, ArrayBufferWriter<byte> body, string? versionId,
        string? copySourceVersionId = null, ObjectEncryption? encryption = null) =>
        SendVersionedXmlAsync(x, body, versionId, copySourceVersionId, encryption, null, null);

    /// <summary>The answer to a write that made <paramref name="written"/> (CopyObject, CompleteMultipartUpload): as
    /// above, with the new version's x-amz-expiration when a lifecycle rule will expire it, as S3 tells a PUT.</summary>
    private ValueTask SendWrittenXmlAsync(S3Exchange x, RequestContext c, ArrayBufferWriter<byte> body, ObjectMetadata written,
        string? copySourceVersionId = null) =>
        SendVersionedXmlAsync(x, body, written.VersionIdHeader, copySourceVersionId, written.Attributes.Encryption, this, c, written);

    private static ValueTask SendVersionedXmlAsync(S3Exchange x, ArrayBufferWriter<byte> body, string? versionId,
        string? copySourceVersionId, ObjectEncryption? encryption, S3RequestHandler? handler, RequestContext? c,
        ObjectMetadata? written = null)
    {
        x.SetStatus(200);
        if (handler != null && c != null && written != null) handler.AddExpirationHeader(x, c, written);
        if (encryption != null) AddSseHeaders(x, encryption, write: true);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        if (versionId != null) AddHeader(x, KnownHeader.XAmzVersionId, versionId);
        if (copySourceVersionId != null) AddHeader(x, KnownHeader.XAmzCopySourceVersionId, copySourceVersionId);
        return x.SendAsync(body.WrittenMemory);
    }

    /// <summary>An empty answer with x-amz-version-id (when set) and x-amz-delete-marker (when it concerns one).</summary>
    private static ValueTask SendVersionedEmptyAsync(S3Exchange x, int status, string? versionId, bool deleteMarker = false)
    {
        x.SetStatus(status);
        if (deleteMarker) x.AddHeader(KnownHeader.XAmzDeleteMarker, "true"u8);
        if (versionId != null) AddHeader(x, KnownHeader.XAmzVersionId, versionId);
        return x.SendAsync(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>An S3 error about a delete marker (404 NoSuchKey, 405 MethodNotAllowed), with the marker's headers.</summary>
    private static ValueTask SendDeleteMarkerErrorAsync(S3Exchange x, S3Error error, string markerVersionId)
    {
        error.RequestId ??= x.RequestId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        var body = new ArrayBufferWriter<byte>(512);
        error.WriteTo(body);
        x.SetStatus(error.HttpStatus);
        x.AddHeader(KnownHeader.ContentType, "application/xml"u8);
        AddDeleteMarkerHeaders(x, markerVersionId);
        return x.Request.Method == KnownMethod.Head ? x.SendHeadAsync(0) : x.SendAsync(body.WrittenMemory);
    }

    /// <summary>The headers S3 sends about a delete marker (a 404/405 for one, a DELETE that made or removed one).</summary>
    private static void AddDeleteMarkerHeaders(S3Exchange x, string versionId)
    {
        x.AddHeader(KnownHeader.XAmzDeleteMarker, "true"u8);
        AddHeader(x, KnownHeader.XAmzVersionId, versionId);
    }

    internal async ValueTask ListObjectVersionsAsync(S3Exchange x, RequestContext c)
    {
        string bucket = c.Route.GetBucketString();
        var index = await _objects.GetKeyIndexAsync(bucket);
        var versions = await _objects.GetVersionIndexAsync(bucket);
        var q = c.Route.Query;
        string prefix = q.GetString(S3QueryParameter.Prefix) ?? string.Empty;
        string? delimiter = q.GetString(S3QueryParameter.Delimiter);
        string? keyMarker = q.GetString(S3QueryParameter.KeyMarker);
        string? versionIdMarker = q.GetString(S3QueryParameter.VersionIdMarker);
        if (!string.IsNullOrEmpty(versionIdMarker) && !VersionIds.IsValidRequestId(versionIdMarker))
            throw new S3RequestException(new S3Error(S3ErrorCode.InvalidArgument, "Invalid version id specified")
                .WithDetail("ArgumentName", "version-id-marker").WithDetail("ArgumentValue", versionIdMarker));

        var result = new ListVersionsResult
        {
            Name = bucket,
            Prefix = prefix,
            KeyMarker = keyMarker ?? string.Empty,
            VersionIdMarker = versionIdMarker ?? string.Empty,
            Delimiter = delimiter,
            MaxKeys = q.MaxKeys,
            EncodingType = q.UrlEncoded ? "url" : null,
        };
        var listing = new VersionListing(index, versions, prefix, delimiter, Math.Min(q.MaxKeys, S3Query.MaxPageSize), BucketOwnerOf(c));
        listing.Run(keyMarker, string.IsNullOrEmpty(versionIdMarker) ? null : versionIdMarker, result);
        var body = new ArrayBufferWriter<byte>(512 + (result.Versions.Count * 300));
        result.WriteTo(body);
        await SendXmlAsync(x, body);
    }

    /// <summary>
    /// One ListObjectVersions page: walks the key index (current versions) and the version index (the rest) side by
    /// side in key order, a key's current version first, then its older versions and delete markers newest first.
    /// A common prefix is one item and is skipped in both indexes with one seek each, so a page costs what it shows,
    /// not the history under it.
    /// </summary>
    private sealed class VersionListing(BucketIndex current, BucketIndex older, string prefix, string? delimiter, int maxKeys, S3Owner owner)
    {
        private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);
        private readonly byte[] _delimiter = Encoding.UTF8.GetBytes(delimiter ?? string.Empty);
        private IndexCursor _current = current.CreateCursor();
        private IndexCursor _older = older.CreateCursor();
        private bool _hasCurrent;
        private bool _hasOlder;
        private byte[]? _olderKey; // the raw object key of the version index's cursor

        public void Run(string? keyMarker, string? versionIdMarker, ListVersionsResult result)
        {
            byte[] start = _prefix;
            bool skipMarkerKey = false;
            if (!string.IsNullOrEmpty(keyMarker))
            {
                byte[] marker = Encoding.UTF8.GetBytes(keyMarker);
                if (marker.AsSpan().SequenceCompareTo(start) >= 0)
                {
                    start = marker;
                    skipMarkerKey = true;
                }
            }
            _hasCurrent = _current.Seek(start, inclusive: true);
            byte[] escapedStart = VersionKeys.PrefixOf(Encoding.UTF8.GetString(start));
            SeekOlder(escapedStart.AsSpan(0, escapedStart.Length - 1), inclusive: true);

            int count = 0;
            string? lastKey = null, lastVersion = null;
            byte[]? resumedKey = null; // its newest version was on an earlier page
            int rolled = skipMarkerKey && _delimiter.Length > 0 ? start.AsSpan(_prefix.Length).IndexOf(_delimiter) : -1;
            if (rolled >= 0)
            {
                // key-marker lies under a common prefix (it is one, as NextKeyMarker names them): everything under it
                // was rolled up on an earlier page.
                SkipPast(start.AsSpan(0, _prefix.Length + rolled + _delimiter.Length).ToArray());
            }
            else if (skipMarkerKey)
            {
                // Continue inside key-marker's versions after version-id-marker, or after the key altogether.
                bool currentIsMarkerKey = _hasCurrent && _current.CurrentKey.Span.SequenceEqual(start);
                bool resumeInKey = false;
                if (versionIdMarker != null)
                {
                    if (currentIsMarkerKey && Names(_current.Current, versionIdMarker))
                    {
                        resumeInKey = true;
                    }
                    else
                    {
                        // Past the named older version (when there is one) within the key's run.
                        while (_hasOlder && _olderKey.AsSpan().SequenceEqual(start))
                        {
                            bool found = Names(_older.Current, versionIdMarker);
                            AdvanceOlder();
                            if (found)
                            {
                                resumeInKey = true;
                                break;
                            }
                        }
                    }
                }
                if (currentIsMarkerKey) _hasCurrent = _current.MoveNext();
                if (!resumeInKey) SkipOlderKey(start);
                else resumedKey = start;
            }

            string? lastPrefix = null;
            while (true)
            {
                ReadOnlySpan<byte> next = NextKey();
                if (next.IsEmpty || !next.StartsWith(_prefix)) break;
                if (_delimiter.Length > 0)
                {
                    int at = next[_prefix.Length..].IndexOf(_delimiter);
                    if (at >= 0)
                    {
                        byte[] common = next[..(_prefix.Length + at + _delimiter.Length)].ToArray();
                        if (count == maxKeys)
                        {
                            result.IsTruncated = true;
                            break;
                        }
                        string text = Encoding.UTF8.GetString(common);
                        if (text != lastPrefix)
                        {
                            result.CommonPrefixes.Add(text);
                            lastPrefix = text;
                            count++;
                            lastKey = text;
                            lastVersion = null;
                        }
                        SkipPast(common);
                        continue;
                    }
                }
                byte[] keyBytes = next.ToArray();
                string keyText = Encoding.UTF8.GetString(keyBytes);
                bool latest = resumedKey == null || !resumedKey.AsSpan().SequenceEqual(keyBytes);
                if (_hasCurrent && _current.CurrentKey.Span.SequenceEqual(keyBytes))
                {
                    if (count == maxKeys)
                    {
                        result.IsTruncated = true;
                        break;
                    }
                    result.Versions.Add(Listed(keyText, _current.Current, latest: true));
                    lastKey = keyText;
                    lastVersion = _current.Current.ReportedVersionId;
                    count++;
                    latest = false;
                    _hasCurrent = _current.MoveNext();
                }
                bool stop = false;
                while (_hasOlder && _olderKey.AsSpan().SequenceEqual(keyBytes))
                {
                    if (count == maxKeys)
                    {
                        result.IsTruncated = true;
                        stop = true;
                        break;
                    }
                    result.Versions.Add(Listed(keyText, _older.Current, latest));
                    lastKey = keyText;
                    lastVersion = _older.Current.ReportedVersionId;
                    count++;
                    latest = false;
                    AdvanceOlder();
                }
                if (stop) break;
            }
            if (result.IsTruncated)
            {
                result.NextKeyMarker = lastKey;
                result.NextVersionIdMarker = lastVersion;
            }
        }

        private static bool Names(IndexEntry entry, string versionId) =>
            versionId == VersionIds.Null ? entry.VersionId == null || entry.IsNullVersion
                : !entry.IsNullVersion && entry.VersionId == versionId;

        private ListedVersion Listed(string key, IndexEntry entry, bool latest) => new()
        {
            Key = key,
            VersionId = entry.ReportedVersionId,
            IsLatest = latest,
            IsDeleteMarker = entry.IsDeleteMarker,
            LastModified = entry.LastModified,
            ETag = entry.ETag,
            Size = entry.Size,
            StorageClass = entry.StorageClass,
            Owner = owner,
            ChecksumAlgorithm = ChecksumAlgorithmName(entry),
            ChecksumType = ChecksumTypeName(entry),
        };

        /// <summary>The smaller of the two cursors' object keys; empty at the end of both.</summary>
        private ReadOnlySpan<byte> NextKey()
        {
            if (!_hasCurrent) return _hasOlder ? _olderKey : default;
            if (!_hasOlder) return _current.CurrentKey.Span;
            ReadOnlySpan<byte> a = _current.CurrentKey.Span;
            return a.SequenceCompareTo(_olderKey) <= 0 ? a : _olderKey;
        }

        private void SeekOlder(ReadOnlySpan<byte> escapedBound, bool inclusive)
        {
            _hasOlder = _older.Seek(escapedBound, inclusive);
            _olderKey = _hasOlder ? RawKey(_older.CurrentKey.Span) : null;
        }

        private void AdvanceOlder()
        {
            _hasOlder = _older.MoveNext();
            _olderKey = _hasOlder ? RawKey(_older.CurrentKey.Span) : null;
        }

        private void SkipOlderKey(byte[] key)
        {
            while (_hasOlder && _olderKey.AsSpan().SequenceEqual(key)) AdvanceOlder();
        }

        /// <summary>Moves both cursors past every key starting with <paramref name="common"/> (one seek each:
        /// no UTF-8 key holds a 0xFF byte, so prefix + 0xFF is above all of them and below the next key).</summary>
        private void SkipPast(byte[] common)
        {
            byte[] bound = [.. common, 0xFF];
            if (_hasCurrent) _hasCurrent = _current.Seek(bound, inclusive: true);
            if (_hasOlder)
            {
                byte[] escaped = VersionKeys.PrefixOf(Encoding.UTF8.GetString(common));
                escaped[^1] = 0xFF;
                SeekOlder(escaped, inclusive: true);
            }
        }

        private static byte[] RawKey(ReadOnlySpan<byte> composite) => Encoding.UTF8.GetBytes(VersionKeys.KeyOf(composite));
    }
}
