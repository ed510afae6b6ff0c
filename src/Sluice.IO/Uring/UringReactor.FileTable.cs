using Sluice.IO.Native;

namespace Sluice.IO.Uring;

/// <summary>The ring's registered file table: installing descriptors in slots and emptying them again.</summary>
internal sealed partial class UringReactor
{
    /// <summary>Whether connections on this reactor install their sockets in the file table (IOSQE_FIXED_FILE).</summary>
    internal bool DirectSockets { get; set; }

    /// <summary>Slots this reactor's files and sockets hold right now (tests compare it with the kernel's view).</summary>
    internal int SlotsInUse;

    /// <summary>
    /// Installs <paramref name="fd"/> in a free slot of the table (FILES_UPDATE with IORING_FILE_INDEX_ALLOC: the
    /// kernel picks the slot and writes its index back) and returns the slot, or -1 when there is no table (old
    /// kernel, low RLIMIT_NOFILE), the table is full, or the reactor is closing. The descriptor stays open either
    /// way: the table holds a reference of its own. Not cancellable: the caller's object must come back usable.
    /// </summary>
    internal async ValueTask<int> TryInstallFileAsync(int fd)
    {
        if (Ring.FileSlots == 0 || IsStopping) return -1;
        nint cell;
        unsafe
        {
            cell = (nint)NativeAllocations.AlignedAlloc(sizeof(int), sizeof(int));
            *(int*)cell = fd;
        }
        try
        {
            int n;
            try
            {
                n = await UringOperation.Rent(this)
                    .Set(IoUringOp.FilesUpdate, "files_update", -1, (ulong)cell, 1, IoUringFlags.FileIndexAlloc)
                    .RunAsync(CancellationToken.None);
            }
            catch (IoException) { return -1; }                 // ENFILE: the table is full
            catch (OperationCanceledException) { return -1; }  // the reactor is closing
            if (n != 1) return -1;
            Interlocked.Increment(ref SlotsInUse);
            unsafe { return *(int*)cell; }
        }
        finally
        {
            unsafe { NativeAllocations.AlignedFree((void*)cell, sizeof(int)); }
        }
    }

    /// <summary>
    /// Empties a slot (IORING_OP_CLOSE with file_index = slot + 1): the table drops its reference, requests still in
    /// flight keep theirs. When the reactor is closing the table goes with the ring instead.
    /// </summary>
    internal async ValueTask ReleaseSlotAsync(int slot)
    {
        if (slot < 0) return;
        if (IsStopping)
        {
            Interlocked.Decrement(ref SlotsInUse);
            return;
        }
        try
        {
            await UringOperation.Rent(this).Set(IoUringOp.Close, "close", 0).WithSpliceFdIn(slot + 1)
                .RunAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) { } // the reactor is closing: the table goes with the ring
        Interlocked.Decrement(ref SlotsInUse);
    }

    private static readonly Action<Task> IgnoreFault = static t => _ = t.Exception;

    /// <summary>Empties a slot without waiting: a connection's synchronous dispose cannot await the ring.</summary>
    internal void ReleaseSlot(int slot)
    {
        if (slot < 0) return;
        var release = ReleaseSlotAsync(slot);
        if (release.IsCompletedSuccessfully) return;
        // A CLOSE of a slot only fails if the slot was already empty (a bug, not a runtime condition): observe it.
        _ = release.AsTask().ContinueWith(IgnoreFault, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
