using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Sluice.Client.Model;
using Sluice.Client.Retry;

namespace Sluice.Client.Tests;

/// <summary>
/// Server faults over HTTP/2. 503 answers (the fault proxy's canned answers are HTTP/1.1): a Kestrel h2c-only server
/// that answers SlowDown to the first attempts of each request, then as S3 would; retries must give byte-exact
/// results, and a server that never recovers must end in the typed error, never a success. An upload stall: a
/// connection that stops granting flow-control window mid-body.
/// </summary>
public sealed class Http2ServerErrorTests
{
    private const string SlowDown = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>" +
        "<Message>Please reduce your request rate.</Message></Error>";

    [Fact]
    public async Task Slow_down_answers_over_h2c_are_retried_and_the_bytes_are_exact()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        byte[]? stored = null;
        int puts = 0, gets = 0;
        await using var app = await StartAsync(async context =>
        {
            if (context.Request.Method == "PUT")
            {
                // The first attempt's body is read in part, then refused: the retry must send it whole again.
                var body = new MemoryStream();
                if (Interlocked.Increment(ref puts) == 1)
                {
                    byte[] some = new byte[64 * 1024];
                    await context.Request.Body.ReadAtLeastAsync(some, some.Length);
                    await AnswerSlowDownAsync(context);
                    return;
                }

                await context.Request.Body.CopyToAsync(body);
                stored = body.ToArray();
                context.Response.Headers.ETag = ETag(stored);
                return;
            }

            if (Interlocked.Increment(ref gets) <= 2)
            {
                await AnswerSlowDownAsync(context);
                return;
            }

            context.Response.ContentLength = stored!.Length;
            context.Response.Headers.ETag = ETag(stored);
            await context.Response.Body.WriteAsync(stored);
        });

        await using var client = new S3Client(Options(app.Endpoint, attempts: 4));
        await client.PutObjectAsync(new PutObjectRequest("bucket", "key"), payload);
        Assert.Equal(payload, stored);
        Assert.Equal(2, puts);
        Assert.Equal(payload, await client.GetObjectBytesAsync("bucket", "key"));
        Assert.Equal(3, gets);
        Assert.Equal(5, client.Http2Responses);
    }

    [Fact]
    public async Task A_server_that_keeps_answering_slow_down_over_h2c_ends_in_the_typed_error()
    {
        int requests = 0;
        await using var app = await StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            await AnswerSlowDownAsync(context);
        });

        await using var client = new S3Client(Options(app.Endpoint, attempts: 3));
        var e = await Assert.ThrowsAsync<S3Exception>(() =>
            client.PutObjectAsync(new PutObjectRequest("bucket", "key"), RandomNumberGenerator.GetBytes(100_000)));
        Assert.Equal("SlowDown", e.Code);
        Assert.Equal(503, e.StatusCode);
        Assert.Equal(3, e.Attempts);
        Assert.Equal(3, requests);
    }

#pragma warning disable CA5351 // S3's ETag of a single-part object is the MD5 of its bytes
    private static string ETag(byte[] data) => $"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"";
#pragma warning restore CA5351

    [Fact]
    public async Task An_upload_whose_connection_stops_granting_window_is_retried_on_a_new_connection_byte_exact()
    {
        await using var server = await ClientTestServer.StartAsync(protocol: ClientTestServer.H2c);
        await using (var direct = server.CreateClient())
        {
            await direct.CreateBucketAsync("stalled");
        }

        // The first connection relays nothing from the server: no SETTINGS, no WINDOW_UPDATE, so the upload stops
        // after the protocol's initial 64 KiB window, with the request still being sent. Later connections relay all.
        await using var proxy = new Faults.FaultProxy(new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port),
            n => n == 0 ? new Faults.Fault(Faults.FaultKind.Stall, AfterBytes: 0) : Faults.Fault.None);
        await using var client = new S3Client(server.Options(proxy.Endpoint) with
        {
            StallTimeout = TimeSpan.FromSeconds(1),
            Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) },
        });
        byte[] payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 5);
        await client.PutObjectAsync(new PutObjectRequest("stalled", "k"), payload);
        Assert.Equal(2, proxy.Connections);
        Assert.Equal(payload, await client.GetObjectBytesAsync("stalled", "k"));
    }

    private static S3ClientOptions Options(Uri endpoint, int attempts) => new()
    {
        Endpoint = endpoint,
        AccessKeyId = ClientTestServer.AccessKey,
        SecretAccessKey = ClientTestServer.Secret,
        Protocol = HttpProtocol.Http2,
        Retry = new RetryOptions { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(1) },
    };

    private static async Task AnswerSlowDownAsync(HttpContext context)
    {
        context.Response.StatusCode = 503;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(SlowDown);
    }

    private static async Task<H2cApp> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return new H2cApp(app, new Uri(app.Urls.First()));
    }

    private sealed record H2cApp(WebApplication App, Uri Endpoint) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
