using System.Text;
using Sluice.S3.Auth;
using Sluice.S3.Errors;
using Sluice.S3.Http;
using static Sluice.S3.Tests.Auth.AuthTestHelpers;

namespace Sluice.S3.Tests.Auth;

/// <summary>
/// The worked examples of the Amazon S3 API reference (AKIAIOSFODNN7EXAMPLE, 20130524T000000Z, us-east-1, examplebucket):
/// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
/// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), "Authenticating Requests: Using Query
/// Parameters" (sigv4-query-string-auth.html), "Transferring Payload in Multiple Chunks" (sigv4-streaming.html) and
/// "Signature calculations for trailing headers" (sigv4-streaming-trailers.html).
/// </summary>
public sealed class S3DocExampleTests
{
    internal const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    internal const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    internal const string VirtualHost = "examplebucket.s3.amazonaws.com";
    private const string Empty = SigV4PayloadHash.EmptySha256;

    internal static readonly DateTimeOffset DocTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Get_object_with_range()
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", Empty), ("x-amz-date", "20130524T000000Z")]);
        SigV4SigningResult signed = Signer().SignHeaders(headers, "GET", "/test.txt", null, Empty, DocTime);

        // The docs' canonical request and StringToSign hash for this example.
        string creq = CanonicalRequestText("GET", "/test.txt", "", headers, "host;range;x-amz-content-sha256;x-amz-date", Empty, SigV4UriMode.S3);
        Assert.Equal("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" + Empty
            + "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" + Empty, creq);
        Assert.Equal("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972", Sha256Hex(creq));
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", signed.SignatureHex);
        Assert.Equal("host;range;x-amz-content-sha256;x-amz-date", SignedHeadersOf(signed.Authorization));

        SigV4AuthResult result = Verify(Verifier(), "GET", "/test.txt", "", headers, DocTime);
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
        Assert.Equal(SigV4PayloadMode.Sha256, result.PayloadMode);

        // The docs write the header without spaces after the commas.
        SigV4HeaderList docsForm = With(headers, "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        Assert.True(Verify(Verifier(), "GET", "/test.txt", "", docsForm, DocTime).IsAuthenticated);

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch,
            Verify(Verifier(), "GET", "/test.txt", "", With(headers, "Range", "bytes=0-10"), DocTime).ErrorCode);
    }

    [Fact]
    public void Put_object_with_reserved_character_and_signed_payload()
    {
        const string Body = "Welcome to Amazon S3.";
        string bodyHash = SigV4PayloadHash.Sha256Hex(Encoding.UTF8.GetBytes(Body));
        Assert.Equal("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", bodyHash);
        SigV4HeaderList headers = PutObjectHeaders(bodyHash);
        SigV4SigningResult signed = Signer().SignHeaders(headers, "PUT", "/test$file.text", null, bodyHash, DocTime);

        Assert.Equal("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", signed.SignatureHex);
        Assert.Equal("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", SignedHeadersOf(signed.Authorization));
        Assert.Equal("PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
            + "x-amz-content-sha256:" + bodyHash + "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            + "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n" + bodyHash,
            CanonicalRequestText("PUT", "/test$file.text", "", headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", bodyHash, SigV4UriMode.S3));

        // Sent either with '$' literal or escaped: both canonicalize to %24.
        foreach (string wirePath in new[] { "/test$file.text", "/test%24file.text" })
        {
            SigV4AuthResult result = Verify(Verifier(), "PUT", wirePath, "", headers, DocTime);
            Assert.True(result.IsAuthenticated, result.ErrorMessage);
            Assert.Equal(SigV4PayloadMode.Sha256, result.PayloadMode);
            Assert.Equal(bodyHash, Convert.ToHexStringLower(result.DeclaredPayloadSha256));
            Assert.Equal(AccessKey, result.Credential!.AccessKeyId);
        }
    }

    [Theory]
    [InlineData("lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")] // GET Bucket Lifecycle
    [InlineData("max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")] // GET Bucket (List Objects)
    public void Bucket_requests_with_query(string query, string signature)
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost), ("x-amz-content-sha256", Empty), ("x-amz-date", "20130524T000000Z")]);
        SigV4SigningResult signed = Signer().SignHeaders(headers, "GET", "/", query, Empty, DocTime);
        Assert.Equal(signature, signed.SignatureHex);

        Assert.True(Verify(Verifier(), "GET", "/", query, headers, DocTime).IsAuthenticated);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, Verify(Verifier(), "GET", "/", query + "&acl", headers, DocTime).ErrorCode);
    }

    [Fact]
    public void Presigned_get_object()
    {
        SigV4HeaderList headers = ToHeaderList([("Host", VirtualHost)]);
        string query = Signer().Presign(headers, "GET", "/test.txt", null, DocTime, 86400);
        Assert.Equal("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", query);

        SigV4AuthResult result = Verify(Verifier(), "GET", "/test.txt", query, headers, DocTime.AddHours(23));
        Assert.True(result.IsAuthenticated, result.ErrorMessage);
        Assert.Equal(SigV4AuthMethod.QueryString, result.Method);
        Assert.Equal(SigV4PayloadMode.UnsignedPayload, result.PayloadMode);
        Assert.Equal(DocTime.AddSeconds(86400), result.Expires);

        SigV4AuthResult expired = Verify(Verifier(), "GET", "/test.txt", query, headers, DocTime.AddSeconds(86401));
        Assert.Equal(S3ErrorCode.AccessDenied, expired.ErrorCode);
        Assert.Equal("Request has expired", expired.ErrorMessage);

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch,
            Verify(Verifier(), "GET", "/test2.txt", query, headers, DocTime).ErrorCode);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch,
            Verify(Verifier(), "GET", "/test.txt", query.Replace("X-Amz-Expires=86400", "X-Amz-Expires=86500", StringComparison.Ordinal), headers, DocTime).ErrorCode);
        SigV4AuthResult tooLong = Verify(Verifier(), "GET", "/test.txt",
            query.Replace("X-Amz-Expires=86400", "X-Amz-Expires=604801", StringComparison.Ordinal), headers, DocTime);
        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, tooLong.ErrorCode);
    }

    [Fact]
    public void Chunked_upload_seed_chunks_and_content_length()
    {
        const string Seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
        long contentLength = AwsChunkedEncoder.GetEncodedLength(66560, 65536, chunkSignatures: true);
        Assert.Equal(66824, contentLength);

        SigV4HeaderList headers = ToHeaderList([("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", SigV4PayloadHash.StreamingSigned),
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        SigV4SigningResult signed = Signer().SignHeaders(headers, "PUT", "/examplebucket/chunkObject.txt", null,
            SigV4PayloadHash.StreamingSigned, DocTime);
        Assert.Equal(Seed, signed.SignatureHex);
        Assert.Equal("content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
            SignedHeadersOf(signed.Authorization));

        byte[] chunk1 = new byte[65536];
        byte[] chunk2 = new byte[1024];
        Array.Fill(chunk1, (byte)'a');
        Array.Fill(chunk2, (byte)'a');
        var chunkSigner = new SigV4ChunkSigner(signed);
        Assert.Equal("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", chunkSigner.SignChunk(chunk1));
        Assert.Equal("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", chunkSigner.SignChunk(chunk2));
        Assert.Equal("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9", chunkSigner.SignChunk([]));

        SigV4AuthResult auth = Verify(Verifier(), "PUT", "/examplebucket/chunkObject.txt", "", headers, DocTime);
        Assert.True(auth.IsAuthenticated, auth.ErrorMessage);
        Assert.Equal(SigV4PayloadMode.StreamingSigned, auth.PayloadMode);
        Assert.Equal(Seed, Convert.ToHexStringLower(auth.SeedSignature));
        Assert.Equal("20130524T000000Z", Encoding.ASCII.GetString(auth.Timestamp));

        using var verifier = new SigV4ChunkVerifier();
        verifier.Reset(auth);
        // Data arrives in arbitrary pieces.
        verifier.AppendChunkData(chunk1.AsSpan(0, 1000));
        verifier.AppendChunkData(chunk1.AsSpan(1000));
        Assert.True(verifier.VerifyChunk("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"u8));
        verifier.AppendChunkData(chunk2);
        Assert.True(verifier.VerifyChunk("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"u8));
        Assert.True(verifier.VerifyChunk("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"u8));
        Assert.False(verifier.HasFailed);

        // One flipped data byte breaks that chunk and everything after it.
        verifier.Reset(auth);
        chunk1[100] = (byte)'b';
        verifier.AppendChunkData(chunk1);
        Assert.False(verifier.VerifyChunk("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"u8));
        verifier.AppendChunkData(chunk2);
        Assert.False(verifier.VerifyChunk("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"u8));
        Assert.True(verifier.HasFailed);

        // Chunks out of order do not verify either.
        chunk1[100] = (byte)'a';
        verifier.Reset(auth);
        verifier.AppendChunkData(chunk2);
        Assert.False(verifier.VerifyChunk("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"u8));
    }

    [Fact]
    public void Chunked_upload_with_signed_trailer()
    {
        // The trailer example signs x-amz-trailer and carries no Content-Length.
        const string Seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
        SigV4HeaderList headers = ToHeaderList([("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", SigV4PayloadHash.StreamingSignedTrailer),
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"), ("x-amz-trailer", "x-amz-checksum-crc32c")]);
        SigV4SigningResult signed = Signer().SignHeaders(headers, "PUT", "/examplebucket/chunkObject.txt", null,
            SigV4PayloadHash.StreamingSignedTrailer, DocTime);
        Assert.Equal(Seed, signed.SignatureHex);
        Assert.Equal("content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
            SignedHeadersOf(signed.Authorization));

        byte[] chunk1 = new byte[65536];
        byte[] chunk2 = new byte[1024];
        Array.Fill(chunk1, (byte)'a');
        Array.Fill(chunk2, (byte)'a');
        byte[] trailer = "x-amz-checksum-crc32c:sOO8/Q==\r\n"u8.ToArray();
        var chunkSigner = new SigV4ChunkSigner(signed);
        Assert.Equal("b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", chunkSigner.SignChunk(chunk1));
        Assert.Equal("1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", chunkSigner.SignChunk(chunk2));
        Assert.Equal("2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992", chunkSigner.SignChunk([]));
        Assert.Equal("d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435", chunkSigner.SignTrailer(trailer));

        SigV4AuthResult auth = Verify(Verifier(), "PUT", "/examplebucket/chunkObject.txt", "", headers, DocTime);
        Assert.Equal(SigV4PayloadMode.StreamingSignedTrailer, auth.PayloadMode);
        using var verifier = new SigV4ChunkVerifier();
        verifier.Reset(auth);
        verifier.AppendChunkData(chunk1);
        Assert.True(verifier.VerifyChunk("b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"u8));
        verifier.AppendChunkData(chunk2);
        Assert.True(verifier.VerifyChunk("1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"u8));
        Assert.True(verifier.VerifyChunk("2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"u8));
        Assert.True(verifier.VerifyTrailer(trailer, "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"u8));

        // A changed checksum value in the trailer must not verify.
        verifier.Reset(auth);
        verifier.AppendChunkData(chunk1);
        verifier.VerifyChunk("b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"u8);
        verifier.AppendChunkData(chunk2);
        verifier.VerifyChunk("1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"u8);
        verifier.VerifyChunk("2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"u8);
        Assert.False(verifier.VerifyTrailer("x-amz-checksum-crc32c:AAAAAA==\r\n"u8, "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"u8));

        // Encoded length of that body: 66824 for the chunks plus the trailer line and its signature line.
        Assert.Equal(66824 + trailer.Length + "x-amz-trailer-signature:".Length + 64 + 2,
            AwsChunkedEncoder.GetEncodedLength(66560, 65536, chunkSignatures: true,
                trailer.Length + AwsChunkedEncoder.TrailerSignatureLineLength));
    }

    internal static SigV4HeaderList PutObjectHeaders(string bodyHash) =>
        ToHeaderList([("Host", VirtualHost), ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-content-sha256", bodyHash),
            ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")]);

    internal static SigV4Signer Signer(string? token = null) => new(AccessKey, Secret, "us-east-1", token);

    internal static SigV4Verifier Verifier(string secret = Secret, string? token = null, SigV4VerifierOptions? options = null)
    {
        var store = new SigV4CredentialStore();
        store.Add(new SigV4Credential(AccessKey, secret, token, principal: "example-user"));
        return new SigV4Verifier(store, options ?? new SigV4VerifierOptions { Region = "us-east-1" });
    }
}
