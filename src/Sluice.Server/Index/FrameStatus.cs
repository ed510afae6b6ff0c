namespace Sluice.Server.Index;

/// <summary>Outcome of reading one record frame.</summary>
internal enum FrameStatus : byte
{
    Ok,
    Incomplete,
    Damaged,
}
