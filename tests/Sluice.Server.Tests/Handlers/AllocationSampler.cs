using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Sluice.Server.Tests.Handlers;

/// <summary>
/// Counts the runtime's GC allocation-tick samples (one per ~100 KB allocated) by type while it lives, so an
/// allocation test that fails can say what allocated.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, int> _types = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true) return;
        int i = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        string type = i >= 0 ? eventData.Payload?[i]?.ToString() ?? "?" : "?";
        _types.AddOrUpdate(type, 1, (_, n) => n + 1);
    }

    /// <summary>The most sampled types, "type=samples; ...".</summary>
    public string Report() => string.Join("; ", _types.OrderByDescending(p => p.Value).Take(12).Select(p => p.Key + "=" + p.Value));
}
