using System.Text;
using Sluice.S3.Errors;
using Sluice.S3.Http;

namespace Sluice.Server.Routing;

/// <summary>
/// The decoded query of one request: the parameters S3 operations read, the subresource selectors present, and typed
/// values checked the way S3 checks them. Reused per connection; decoding writes into a buffer owned here, so parsing
/// allocates only when a query is longer than any before it.
/// </summary>
/// <remarks>
/// Names and values are percent-decoded with '+' as a space. When a parameter repeats, the first value wins, as on
/// AWS (measured by github.com/brekkylab/backlot). Unknown names are ignored; <c>X-Amz-*</c> presign parameters are
/// left to the authenticator, which reads the raw query.
/// </remarks>
public sealed class S3Query
{
    /// <summary>The most entries S3 returns in one listing page (keys, parts, uploads); larger requested limits are
    /// echoed but served at this cap.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Highest part number (and most parts of an upload).</summary>
    public const int MaxPartNumber = 10_000;

    private const int InitialCapacity = 256;
    private static readonly int ParameterCount = Enum.GetValues<S3QueryParameter>().Length;
    private static readonly byte[][] Names =
    [
        "list-type"u8.ToArray(), "prefix"u8.ToArray(), "delimiter"u8.ToArray(), "max-keys"u8.ToArray(),
        "continuation-token"u8.ToArray(), "start-after"u8.ToArray(), "marker"u8.ToArray(), "encoding-type"u8.ToArray(),
        "fetch-owner"u8.ToArray(), "partNumber"u8.ToArray(), "uploadId"u8.ToArray(), "part-number-marker"u8.ToArray(),
        "max-parts"u8.ToArray(), "key-marker"u8.ToArray(), "upload-id-marker"u8.ToArray(), "max-uploads"u8.ToArray(),
        "versionId"u8.ToArray(), "response-content-type"u8.ToArray(), "response-content-language"u8.ToArray(),
        "response-expires"u8.ToArray(), "response-cache-control"u8.ToArray(),
        "response-content-disposition"u8.ToArray(), "response-content-encoding"u8.ToArray(), "version-id-marker"u8.ToArray(),
        "max-buckets"u8.ToArray(), "bucket-region"u8.ToArray(),
    ];

    private readonly HttpSlice[] _values = new HttpSlice[ParameterCount];
    private byte[] _buffer = new byte[InitialCapacity];
    private uint _present;
    private ulong _selectors;

    /// <summary>True when an <c>X-Amz-*</c> parameter is present (a presigned request).</summary>
    public bool HasPresignParameters { get; private set; }

    /// <summary>max-keys as sent (default 1000); serve at most <see cref="MaxPageSize"/>.</summary>
    public int MaxKeys { get; private set; }

    /// <summary>max-uploads as sent (default 1000).</summary>
    public int MaxUploads { get; private set; }

    /// <summary>max-parts as sent (default 1000).</summary>
    public int MaxParts { get; private set; }

    /// <summary>part-number-marker (default 0).</summary>
    public int PartNumberMarker { get; private set; }

    /// <summary>partNumber, 1..10000, or 0 when absent.</summary>
    public int PartNumber { get; private set; }

    /// <summary>encoding-type=url (compared without case, as AWS does).</summary>
    public bool UrlEncoded { get; private set; }

    /// <summary>fetch-owner=true.</summary>
    public bool FetchOwner { get; private set; }

    /// <summary>True when <paramref name="parameter"/> is present (possibly with an empty value).</summary>
    public bool Has(S3QueryParameter parameter) => (_present & (1u << (int)parameter)) != 0;

    /// <summary>The decoded value of <paramref name="parameter"/>; empty when absent or empty.</summary>
    /// Absent parameters must not read a previous request's slice (the query object is reused per connection).
    public ReadOnlySpan<byte> Get(S3QueryParameter parameter) => Has(parameter) ? _values[(int)parameter].Of(_buffer) : default;

    /// <summary>The decoded value as a string (allocates), or null when absent.</summary>
    public string? GetString(S3QueryParameter parameter) =>
        Has(parameter) ? Encoding.UTF8.GetString(Get(parameter)) : null;

    /// <summary>Mask of <see cref="S3Subresources"/> entries present.</summary>
    internal ulong Selectors => _selectors;

    /// <summary>Decodes <paramref name="rawQuery"/> (without '?'). Never fails: malformed escapes stay literal.</summary>
    public void Parse(ReadOnlySpan<byte> rawQuery)
    {
        _present = 0;
        _selectors = 0;
        HasPresignParameters = false;
        MaxKeys = MaxUploads = MaxParts = MaxPageSize;
        PartNumberMarker = PartNumber = 0;
        UrlEncoded = FetchOwner = false;
        if (_buffer.Length < rawQuery.Length)
        {
            _buffer = new byte[Math.Max(rawQuery.Length, _buffer.Length * 2)];
        }

        Span<byte> buffer = _buffer;
        int used = 0;
        foreach (Range r in rawQuery.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = rawQuery[r];
            if (pair.IsEmpty)
            {
                continue;
            }

            int eq = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> rawName = eq < 0 ? pair : pair[..eq];
            ReadOnlySpan<byte> rawValue = eq < 0 ? default : pair[(eq + 1)..];

            // Names are decoded in place at the end of the buffer's free space; values land after the last value.
            UriDecoding.TryDecode(rawName, buffer[used..], plusIsSpace: true, strict: false, out int nameLength);
            ReadOnlySpan<byte> name = buffer.Slice(used, nameLength);
            if (name.Length > 6 && Ascii.EqualsIgnoreCase(name[..6], "x-amz-"u8))
            {
                HasPresignParameters = true;
                continue;
            }

            int selector = S3Subresources.IndexOf(name);
            if (selector >= 0)
            {
                _selectors |= S3Subresources.Bit(selector);
            }

            int p = IndexOfParameter(name);
            if (p < 0 || (_present & (1u << p)) != 0)
            {
                continue;
            }

            UriDecoding.TryDecode(rawValue, buffer[used..], plusIsSpace: true, strict: false, out int valueLength);
            _values[p] = new HttpSlice(used, valueLength);
            _present |= 1u << p;
            used += valueLength;
        }
    }

    /// <summary>Checks and types the parameters <paramref name="operation"/> reads (its
    /// <see cref="S3OperationInfo.Parameters"/> in <see cref="S3OperationTable"/>), with S3's InvalidArgument answers
    /// (measured against AWS by github.com/brekkylab/backlot; messages as AWS words them).</summary>
    public S3Problem Validate(S3Operation operation, bool partNumberReads) =>
        S3OperationTable.Of(operation)?.Parameters?.Invoke(this, partNumberReads) ?? default;

    /// <summary>AWS's most buckets in one ListBuckets page.</summary>
    public const int MaxBucketsLimit = 10_000;

    /// <summary>max-buckets, 1..10000; 0 when absent.</summary>
    public int MaxBuckets { get; private set; }

    /// <summary>True when any of ListBuckets' pagination or filter parameters is present: the answer is then a page.</summary>
    public bool PaginatesBuckets => Has(S3QueryParameter.MaxBuckets) || Has(S3QueryParameter.ContinuationToken)
        || Has(S3QueryParameter.Prefix) || Has(S3QueryParameter.BucketRegion);

    /// <summary>ListBuckets: max-buckets is an integer from 1 to 10000 (InvalidArgument otherwise, as AWS answers).</summary>
    internal S3Problem ValidateListBuckets()
    {
        MaxBuckets = 0;
        if (!Has(S3QueryParameter.MaxBuckets)) return default;
        ReadOnlySpan<byte> value = Get(S3QueryParameter.MaxBuckets);
        if (!TryParseInt32(value, out long max) || max is < 1 or > MaxBucketsLimit)
            return S3Problem.InvalidArgument($"Argument max-buckets must be an integer between 1 and {MaxBucketsLimit}", "max-buckets", value);
        MaxBuckets = (int)max;
        return default;
    }

    /// <summary>ListMultipartUploads: max-uploads and encoding-type.</summary>
    internal S3Problem ValidateListMultipartUploads()
    {
        S3Problem p = ParseCount(S3QueryParameter.MaxUploads, "max-uploads", MaxPageSize, out long maxUploads);
        p = p.IsNone ? ValidateEncodingType() : p;
        p = p.IsNone ? RefuseNegative("max-uploads", maxUploads) : p;
        MaxUploads = (int)maxUploads;
        return p;
    }

    /// <summary>
    /// ListObjectVersions: max-keys, encoding-type, and a version-id-marker only with a key-marker (AWS's
    /// InvalidArgument otherwise).
    /// </summary>
    internal S3Problem ValidateListObjectVersions()
    {
        S3Problem p = ParseCount(S3QueryParameter.MaxKeys, "max-keys", MaxPageSize, out long maxKeys);
        p = p.IsNone ? ValidateEncodingType() : p;
        p = p.IsNone ? RefuseNegative("max-keys", maxKeys) : p;
        if (p.IsNone && Has(S3QueryParameter.VersionIdMarker) && Get(S3QueryParameter.KeyMarker).IsEmpty)
            p = S3Problem.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker");
        MaxKeys = (int)maxKeys;
        return p;
    }

    /// <summary>ListParts: max-parts and part-number-marker.</summary>
    internal S3Problem ValidateListParts()
    {
        S3Problem p = ParseCount(S3QueryParameter.MaxParts, "max-parts", MaxPageSize, out long maxParts);
        p = p.IsNone ? RefuseNegative("max-parts", maxParts) : p;
        long marker = 0;
        if (p.IsNone && Has(S3QueryParameter.PartNumberMarker))
        {
            p = ParseCount(S3QueryParameter.PartNumberMarker, "part-number-marker", 0, out marker);
            p = p.IsNone ? RefuseNegative("part-number-marker", marker) : p;
        }

        MaxParts = (int)maxParts;
        PartNumberMarker = (int)marker;
        return p;
    }

    /// <summary>GetObject and HeadObject: the response-* overrides, and partNumber when part reads are on.</summary>
    internal S3Problem ValidateObjectRead(bool partNumberReads)
    {
        S3Problem p = ValidateResponseOverrides();
        return p.IsNone && partNumberReads && Has(S3QueryParameter.PartNumber) ? ParsePartNumber() : p;
    }

    /// <summary>
    /// The response-* parameters become response header values: one with a control character (CR or LF would start
    /// a header of the caller's choosing; NUL, DEL and TAB are refused too, none belongs in these headers) is
    /// InvalidArgument naming the parameter, as AWS answers a value it cannot put in a header.
    /// </summary>
    private S3Problem ValidateResponseOverrides()
    {
        for (var p = S3QueryParameter.ResponseContentType; p <= S3QueryParameter.ResponseContentEncoding; p++)
        {
            if (Has(p) && ContainsControl(Get(p)))
            {
                return S3Problem.InvalidArgument("Header value contains a control character.", Encoding.ASCII.GetString(Names[(int)p]));
            }
        }

        return default;
    }

    private static bool ContainsControl(ReadOnlySpan<byte> value) =>
        value.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || value.Contains((byte)0x7F);

    internal S3Problem ValidateListObjects(bool v2)
    {
        // AWS's order: max-keys must parse, then the other version's parameters are refused, then encoding-type,
        // then an unreadable continuation token, then the max-keys range.
        S3Problem p = ParseCount(S3QueryParameter.MaxKeys, "max-keys", MaxPageSize, out long maxKeys);
        if (!p.IsNone)
        {
            return p;
        }

        if (v2)
        {
            if (Has(S3QueryParameter.Marker))
            {
                return S3Problem.InvalidArgument("Marker unsupported with REST.GET.BUCKET in list-type=2", "marker");
            }
        }
        else if (Has(S3QueryParameter.ContinuationToken))
        {
            return S3Problem.InvalidArgument("continuation-token only supported in REST.GET.BUCKET with list-type=2", "continuation-token");
        }
        else if (Has(S3QueryParameter.StartAfter))
        {
            return S3Problem.InvalidArgument("startAfter only supported in REST.GET.BUCKET with list-type=2", "start-after");
        }

        p = ValidateEncodingType();
        if (!p.IsNone)
        {
            return p;
        }

        // AWS spells the parameter maxKeys in this one message.
        p = RefuseNegative("maxKeys", maxKeys);
        MaxKeys = (int)maxKeys;
        FetchOwner = v2 && Ascii.EqualsIgnoreCase(Get(S3QueryParameter.FetchOwner), "true"u8);
        return p;
    }

    private S3Problem ValidateEncodingType()
    {
        if (!Has(S3QueryParameter.EncodingType))
        {
            return default;
        }

        ReadOnlySpan<byte> value = Get(S3QueryParameter.EncodingType);
        if (!Ascii.EqualsIgnoreCase(value, "url"u8))
        {
            return S3Problem.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", value);
        }

        UrlEncoded = true;
        return default;
    }

    internal S3Problem ParsePartNumber()
    {
        ReadOnlySpan<byte> value = Get(S3QueryParameter.PartNumber);
        if (!TryParseInt32(value, out long n) || n is < 1 or > MaxPartNumber)
        {
            return S3Problem.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", value);
        }

        PartNumber = (int)n;
        return default;
    }

    /// <summary>
    /// A 32-bit count as AWS reads it: absent or empty is the default; an optional '-'
    /// and digits, leading zeros allowed; anything else, or a value outside int32, is "Provided NAME not an integer or
    /// within integer range". A negative value parses; <see cref="RefuseNegative"/> judges it later, as AWS does.
    /// </summary>
    private S3Problem ParseCount(S3QueryParameter parameter, string name, long defaultValue, out long result)
    {
        result = defaultValue;
        ReadOnlySpan<byte> value = Get(parameter);
        if (value.IsEmpty)
        {
            return default;
        }

        return TryParseInt32(value, out result)
            ? default
            : S3Problem.InvalidArgument($"Provided {name} not an integer or within integer range", name, value);
    }

    /// <summary>AWS's refusal of a negative count, naming the value as parsed ("-01" is reported as "-1").</summary>
    private static S3Problem RefuseNegative(string name, long value) =>
        value >= 0
            ? default
            : S3Problem.InvalidArgument($"Argument {name} must be an integer between 0 and 2147483647", name,
                value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>'-'? DIGIT+ within int32 (so -2147483648 parses and is judged negative later).</summary>
    private static bool TryParseInt32(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        bool negative = !s.IsEmpty && s[0] == '-';
        ReadOnlySpan<byte> digits = negative ? s[1..] : s;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            uint d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
            if (value > (long)int.MaxValue + 1)
            {
                return false;
            }
        }

        if (negative)
        {
            value = -value;
        }

        return value <= int.MaxValue;
    }

    private static int IndexOfParameter(ReadOnlySpan<byte> name)
    {
        byte[][] names = Names;
        for (int i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
