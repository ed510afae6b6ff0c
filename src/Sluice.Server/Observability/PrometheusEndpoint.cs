using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Sluice.Server.Observability;

/// <summary>
/// Serves one server's meter at http://ADDR/metrics in Prometheus text format through OpenTelemetry's Prometheus
/// exporter (OpenTelemetry.Exporter.Prometheus.HttpListener): its MeterProvider collects on each scrape, its
/// HttpListener answers. The listener binds only the given address (0.0.0.0 and [::] mean every interface). The
/// exporter's HttpListener refuses port 0, so for port 0 a free port is found by binding a socket to the address
/// and closing it, then started on, with a few retries should another process take it in between. Disposing stops
/// the listener (the exporter joins its thread).
/// </summary>
internal sealed class PrometheusEndpoint : IDisposable
{
    private const int PortRetries = 5;

    private readonly MeterProvider _provider;

    private PrometheusEndpoint(MeterProvider provider, IPEndPoint endPoint)
    {
        _provider = provider;
        EndPoint = endPoint;
    }

    /// <summary>The bound address (the real port when asked for port 0).</summary>
    public IPEndPoint EndPoint { get; }

    public static PrometheusEndpoint Start(IPEndPoint listen, Meter meter)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(meter);
        for (int attempt = 1; ; attempt++)
        {
            var endPoint = listen.Port != 0 ? listen : new IPEndPoint(listen.Address, FreePort(listen.Address));
            try
            {
                return new PrometheusEndpoint(Build(endPoint, meter), endPoint);
            }
            catch (InvalidOperationException e) when (e.InnerException is HttpListenerException)
            {
                if (listen.Port == 0 && attempt < PortRetries) continue; // the free port was taken meanwhile
                throw new IOException($"metrics: cannot listen on {endPoint}: {e.InnerException.Message}", e.InnerException);
            }
        }
    }

    private static MeterProvider Build(IPEndPoint endPoint, Meter meter)
    {
        string host = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any) ? "+"
            : endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("sluice"))
            .AddMeter(meter.Name)
            // Meters are matched by name, and a process may run several servers (tests, embedders): serve this one's.
            .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusHttpListener(o =>
            {
                o.Host = host;
                o.Port = endPoint.Port;
                o.ScrapeEndpointPath = "/metrics";
                o.ScrapeResponseCacheDurationMilliseconds = 0; // every scrape sees the counts as they are now
            })
            .Build();
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public void Dispose() => _provider.Dispose();
}
