using BenchmarkDotNet.Attributes;
using Sluice.S3.Auth;

namespace Sluice.Benchmarks;

/// <summary>SigV4 hot paths: signing and verifying a typical S3 PUT, and verifying one 64 KiB chunk signature.</summary>
[MemoryDiagnoser]
public class SigV4Benchmarks
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string BodyHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    private const string Path = "/examplebucket/photos/2024/holiday%20pics/IMG_0042.jpg";
    private const string Query = "partNumber=3&uploadId=VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA";

    private static readonly DateTimeOffset Now = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    private readonly SigV4HeaderList _signHeaders = new();
    private readonly SigV4HeaderList _signedRequest = new();
    private readonly byte[] _method = "PUT"u8.ToArray();
    private readonly byte[] _path = System.Text.Encoding.ASCII.GetBytes(Path);
    private readonly byte[] _query = System.Text.Encoding.ASCII.GetBytes(Query);
    private readonly byte[] _chunk = new byte[65536];
    private SigV4Signer _signer = null!;
    private SigV4Verifier _verifier = null!;
    private SigV4ChunkVerifier _chunkVerifier = null!;
    private SigV4AuthResult _streamingAuth;
    private byte[] _chunkSignature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signer = new SigV4Signer(AccessKey, Secret, "us-east-1");
        var store = new SigV4CredentialStore();
        store.Add(new SigV4Credential(AccessKey, Secret));
        _verifier = new SigV4Verifier(store, new SigV4VerifierOptions { Region = "us-east-1" });

        FillPutHeaders(_signedRequest);
        _signer.SignHeaders(_signedRequest, "PUT", Path, Query, BodyHash, Now);

        var streaming = new SigV4HeaderList();
        streaming.Add("Host", "examplebucket.s3.amazonaws.com");
        streaming.Add("x-amz-decoded-content-length", "65536");
        SigV4SigningResult seed = _signer.SignHeaders(streaming, "PUT", Path, null, SigV4PayloadHash.StreamingSigned, Now);
        new Random(1).NextBytes(_chunk);
        _chunkSignature = System.Text.Encoding.ASCII.GetBytes(new SigV4ChunkSigner(seed).SignChunk(_chunk));
        _streamingAuth = _verifier.Verify(_method, _path, default, streaming, Now);
        _chunkVerifier = new SigV4ChunkVerifier();
        if (!_streamingAuth.IsAuthenticated || !Verify().IsAuthenticated || !VerifyChunk())
        {
            throw new InvalidOperationException("Benchmark setup does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _chunkVerifier.Dispose();

    /// <summary>Client: sign a PUT with 7 headers (the Authorization string is the unavoidable output).</summary>
    [Benchmark]
    public string Sign()
    {
        _signHeaders.Clear();
        FillPutHeaders(_signHeaders);
        return _signer.SignHeaders(_signHeaders, "PUT", Path, Query, BodyHash, Now).Authorization;
    }

    /// <summary>Server: verify the same PUT from its raw bytes.</summary>
    [Benchmark]
    [AllocationFree]
    public SigV4AuthResult Verify() => _verifier.Verify(_method, _path, _query, _signedRequest, Now);

    /// <summary>Server: hash a 64 KiB chunk and check its chained signature.</summary>
    [Benchmark]
    [AllocationFree]
    public bool VerifyChunk()
    {
        _chunkVerifier.Reset(_streamingAuth);
        _chunkVerifier.AppendChunkData(_chunk);
        return _chunkVerifier.VerifyChunk(_chunkSignature);
    }

    private static void FillPutHeaders(SigV4HeaderList headers)
    {
        headers.Add("Host", "examplebucket.s3.amazonaws.com");
        headers.Add("Content-Length", "5242880");
        headers.Add("Content-Type", "image/jpeg");
        headers.Add("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        headers.Add("x-amz-date", "20130524T000000Z");
        headers.Add("x-amz-content-sha256", BodyHash);
        headers.Add("x-amz-storage-class", "STANDARD_IA");
        headers.Add("User-Agent", "sluice/0.1");
    }
}
