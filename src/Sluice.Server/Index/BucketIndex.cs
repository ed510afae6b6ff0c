using System.Diagnostics.CodeAnalysis;

namespace Sluice.Server.Index;

/// <summary>
/// One bucket's ordered key index, partitioned by key range like S3's keymap. Each partition holds a sorted run
/// of <see cref="IndexEntry"/> for [low, high); a partition splits in two when it passes
/// <see cref="KeyIndexOptions.SplitKeyCount"/> keys, and an emptied one merges into its neighbour.
/// </summary>
/// <remarks>
/// <para>Reads (Get, List, the partition map) take no lock: the map and every partition's run are immutable
/// snapshots swapped in with a volatile write. A list page reads each partition's run once, so it never
/// skips or repeats a key; a write that lands while a page is walked may or may not appear in it.</para>
/// <para>Writes lock their partition, not the bucket: a write passes the bucket gate (<see cref="PartitionMapGate"/>) shared and its partition's
/// <see cref="PartitionCell.Gate"/>, applies to the partition (copy-on-write of one small chunk) and appends the record
/// to the one journal buffer (a short append lock assigns the sequence number, so buffer order is sequence order).
/// Writes to different partitions run side by side; within a partition, apply order is journal order. A count split
/// or an emptied partition's merge happens under the writer's own partition lock (so a replay repeats it at the same
/// record); a policy split or merge, a compaction's journal rotation and a recovery close the gate. The
/// fsync is under no lock: <see cref="WaitDurableAsync"/> group-commits every record buffered so far with one
/// fsync.</para>
/// <para>Persistence (when opened on a directory): an append-only journal of framed, CRC-32C-checked put and
/// delete records, compacted into a snapshot (temp file, fsync, rename, directory fsync) when it grows past
/// <see cref="KeyIndexOptions.CompactJournalBytes"/>. Load replays snapshot + journal; a torn last record is
/// cut off, other damage throws <see cref="IndexCorruptException"/>.</para>
/// <para>A write the journal fails to make durable changes nothing: the index undoes every write past the last
/// durable one (in memory, newest first) and cuts the journal back to it, so the owner of each failed write sees an
/// error and the index agrees with disk again. When the journal (or, at open, a new journal or snapshot) cannot be
/// written, the index stays readable and refuses writes with <see cref="IndexReadOnlyException"/>; each later write
/// tries to heal it first, so the bucket takes writes again as soon as space returns.</para>
/// </remarks>
public sealed class BucketIndex : IDisposable
{
    // Shared by every write, exclusive for a change that must see no write in progress (policy split and merge,
    // journal rotation, recovery, close). Nests: a recovery re-enters TryPut/TryDelete to undo writes.
    private readonly PartitionMapGate _mapLock = new();

    // Serialises publishing a new map by writers that each hold their own partition's lock (count split, empty merge).
    private readonly Lock _mapPublish = new();

    // Orders journal appends: the sequence number, the journal buffer, the undo queue and the compaction trigger.
    private readonly Lock _appendLock = new();
    private readonly object _compactLock = new();
    private readonly KeyIndexOptions _options;
    private readonly string? _directory;
    private KeyPartition[] _map;
    private JournalWriter? _journal;
    private long _generation;
    private long _sequence;
    private int _count;
    private bool _replaying;
    private bool _disposed;
    private Task? _compaction;

    // Journaled writes not yet known durable, oldest first: what a journal failure undoes. Under _appendLock.
    private readonly Queue<UndoRecord> _undo = new();

    // Recoveries from journal failures so far, and for each ended epoch the last sequence durable when it ended.
    private long _epoch;
    private readonly List<long> _epochDurable = [];

    // Memory holds changes no index file has (a start that could not write them): a snapshot must come first.
    private bool _unpersisted;
    private bool _diverged;              // memory may differ from the store (a fix-up write failed): the next start reconciles

    private BucketIndex(KeyIndexOptions? options, string? directory)
    {
        _options = options ?? new KeyIndexOptions();
        _options.Validate();
        _directory = directory;
        _map = [new KeyPartition([], null, PartitionData.Empty)];
    }

    /// <summary>Keys in the bucket.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The directory the index persists to; null for an in-memory index.</summary>
    public string? Directory => _directory;

    /// <summary>The last failure of a background compaction (the index keeps working on its journal).</summary>
    public Exception? BackgroundError { get; private set; }

    /// <summary>Why the index is read-only now (null when it takes writes): the last failure to write its files.</summary>
    public Exception? ReadOnlyCause { get; private set; }

    /// <summary>
    /// True when the index files hold exactly what memory holds (always for an in-memory index): false while a failed
    /// journal is not yet healed or changes made at open could not be written.
    /// </summary>
    public bool IsPersisted
    {
        get
        {
            _mapLock.EnterExclusive();
            try
            {
                return _directory is null || (!_unpersisted && !_diverged && _journal is { Failed: false });
            }
            finally
            {
                _mapLock.ExitExclusive();
            }
        }
    }

    /// <summary>
    /// The index may no longer describe the store (a write it recorded was not published, and recording the store's
    /// state instead failed too): it keeps serving, but a stop is never recorded as clean, so the next start
    /// reconciles it against the store.
    /// </summary>
    public void MarkDiverged()
    {
        _mapLock.EnterExclusive();
        _diverged = true;
        _mapLock.ExitExclusive();
    }

    /// <summary>An index that lives only in memory (tests, benchmarks, scratch buckets).</summary>
    public static BucketIndex CreateInMemory(KeyIndexOptions? options = null) => new(options, null);

    /// <summary>
    /// Opens (creating if needed) the index persisted in <paramref name="directory"/>: snapshot plus journal replay.
    /// </summary>
    /// <exception cref="IndexCorruptException">A file is damaged beyond a torn journal tail.</exception>
    public static BucketIndex Open(string directory, KeyIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        System.IO.Directory.CreateDirectory(directory);
        var index = new BucketIndex(options, Path.GetFullPath(directory));
        index.Load();
        return index;
    }

    /// <summary>
    /// Opens the index in <paramref name="directory"/>, or, when it has neither snapshot nor journal (lost, or
    /// never written), rebuilds it from <paramref name="scan"/> — the object store's walk of its files.
    /// </summary>
    public static BucketIndex OpenOrRebuild(string directory, Func<IEnumerable<IndexEntry>> scan, KeyIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(scan);
        bool missing = !File.Exists(Path.Combine(directory, IndexFiles.SnapshotName))
            && (!System.IO.Directory.Exists(directory) || IndexFiles.ListJournalGenerations(directory).Count == 0);
        return missing ? Rebuild(directory, scan(), options) : Open(directory, options);
    }

    /// <summary>
    /// Replaces whatever index <paramref name="directory"/> holds with one built from <paramref name="entries"/>
    /// (a later duplicate key wins), persisted as a fresh snapshot before this returns.
    /// </summary>
    public static BucketIndex Rebuild(string directory, IEnumerable<IndexEntry> entries, KeyIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(entries);
        System.IO.Directory.CreateDirectory(directory);
        var index = new BucketIndex(options, Path.GetFullPath(directory));
        List<IndexEntry> sorted = SortUnique(entries);
        index.BuildMap([], sorted);

        // A generation above anything present, so leftovers can never be replayed over the new snapshot.
        long generation = 1;
        if (File.Exists(Path.Combine(index._directory!, IndexFiles.SnapshotName)))
        {
            try
            {
                generation = IndexFiles.ReadSnapshot(Path.Combine(index._directory!, IndexFiles.SnapshotName)).Generation + 1;
            }
            catch (IndexCorruptException)
            {
                // Rebuilding is how a corrupt index is repaired; its generation only needs to be exceeded.
            }
        }

        foreach (long existing in IndexFiles.ListJournalGenerations(index._directory!))
        {
            generation = Math.Max(generation, existing + 1);
        }

        try
        {
            index.WriteSnapshotAndRotate(generation, 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Serve the rebuilt keys from memory; the first write persists them (or is refused while it cannot).
            index._unpersisted = true;
            index.ReadOnlyCause = ex;
        }

        return index;
    }

    /// <summary>Looks a key up (UTF-8 bytes).</summary>
    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out IndexEntry? entry)
    {
        KeyPartition[] map = Volatile.Read(ref _map);
        KeyPartition partition = map[FindPartition(map, key)];
        partition.CountRead(key);
        return partition.Data.TryGet(key, out entry);
    }

    /// <summary>Counts a read of <paramref name="key"/> in its partition's request counter without a lookup (GETs are
    /// served from the store by key; the counter still has to see them for a request-rate policy).</summary>
    public void CountRead(ReadOnlySpan<byte> key)
    {
        KeyPartition[] map = Volatile.Read(ref _map);
        map[FindPartition(map, key)].CountRead(key);
    }

    /// <summary>Inserts or replaces the entry for its key. The write is visible at once and durable after
    /// <see cref="WaitDurableAsync"/> on the returned ticket.</summary>
    public CommitTicket Put(IndexEntry entry)
    {
        TryPut(entry, PutCondition.None, out CommitTicket ticket, out _);
        return ticket;
    }

    /// <summary>
    /// Puts the entry if <paramref name="condition"/> holds for the current entry (checked atomically with the
    /// write). <paramref name="previous"/> is the entry that was replaced, or that failed the condition.
    /// </summary>
    public bool TryPut(IndexEntry entry, PutCondition condition, out CommitTicket ticket, out IndexEntry? previous)
    {
        ArgumentNullException.ThrowIfNull(entry);
        EnterWriter();
        try
        {
            while (true)
            {
                KeyPartition[] map = Volatile.Read(ref _map);
                KeyPartition partition = map[FindPartition(map, entry.Key)];
                PartitionCell cell = partition.Cell;
                lock (cell.Gate)
                {
                    if (cell.Retired)
                    {
                        continue; // split or merged away since the map was read: find the key's new partition
                    }

                    PartitionData data = cell.Data;
                    data.TryGet(entry.Key, out previous);
                    if (!condition.Allows(previous))
                    {
                        ticket = default;
                        return false;
                    }

                    ticket = Journal(entry, entry.KeyArray, previous);
                    PartitionData updated = data.With(entry, out _);
                    cell.Publish(updated);
                    partition.CountWrite(entry.Key);
                    if (previous is null)
                    {
                        Interlocked.Increment(ref _count);
                    }

                    if (updated.Count > _options.SplitKeyCount)
                    {
                        // Under this partition's lock, right after the write that crossed the threshold: a replay
                        // of the journal splits at the same record, so a restart rebuilds the same map.
                        lock (_mapPublish)
                        {
                            SplitLocked(FindPartition(_map, entry.Key));
                        }
                    }
                }

                AfterWrite();
                return true;
            }
        }
        finally
        {
            _mapLock.ExitShared();
        }
    }

    /// <summary>Removes a key. False (and no journal record) when it was not there.</summary>
    public bool TryDelete(ReadOnlySpan<byte> key, [NotNullWhen(true)] out IndexEntry? removed, out CommitTicket ticket)
    {
        EnterWriter();
        try
        {
            while (true)
            {
                KeyPartition[] map = Volatile.Read(ref _map);
                KeyPartition partition = map[FindPartition(map, key)];
                PartitionCell cell = partition.Cell;
                lock (cell.Gate)
                {
                    if (cell.Retired)
                    {
                        continue;
                    }

                    PartitionData data = cell.Data;
                    if (!data.TryGet(key, out removed))
                    {
                        ticket = default;
                        return false;
                    }

                    ticket = Journal(null, removed.KeyArray, removed);
                    PartitionData updated = data.Without(key, out _);
                    cell.Publish(updated);
                    partition.CountWrite(key);
                    Interlocked.Decrement(ref _count);
                    if (updated.Count == 0)
                    {
                        // The emptied range joins a neighbour's cell, so only this partition's lock is needed: the
                        // neighbour's writers keep writing into the same cell under its wider range.
                        lock (_mapPublish)
                        {
                            if (_map.Length > 1)
                            {
                                MergeEmptyLocked(FindPartition(_map, key));
                            }
                        }
                    }
                }

                AfterWrite();
                return true;
            }
        }
        finally
        {
            _mapLock.ExitShared();
        }
    }

    /// <summary>Lists one page with S3's rules (see <see cref="ListingWalker"/>).</summary>
    public ListPage List(in ListQuery query)
    {
        var page = new ListPage();
        List(query, page);
        return page;
    }

    /// <summary>Lists one page into <paramref name="page"/> (cleared first), for callers that reuse pages.</summary>
    public void List(in ListQuery query, ListPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Clear();
        var cursor = new IndexCursor(Volatile.Read(ref _map));
        WalkResult result = ListingWalker.Walk<IndexCursor, IndexEntry, ListPage>(ref cursor, query.Prefix, query.Delimiter, query.After, query.MaxKeys, page);
        page.Complete(result, !query.Delimiter.IsEmpty);
    }

    /// <summary>A cursor over the entries as the map is now (merged listings such as ListObjectVersions walk two).</summary>
    internal IndexCursor CreateCursor() => new(Volatile.Read(ref _map));

    /// <summary>
    /// Every entry in key order, from the map as it is now (a fixed snapshot: later writes are not seen). For
    /// reconciling the index with the object store at start; listings use <see cref="List(in ListQuery)"/>.
    /// </summary>
    public IEnumerable<IndexEntry> EnumerateEntries()
    {
        foreach (KeyPartition partition in Volatile.Read(ref _map))
        {
            foreach (IndexEntry entry in partition.Data.Enumerate())
            {
                yield return entry;
            }
        }
    }

    /// <summary>The partition map now: ordered, disjoint ranges covering every key.</summary>
    public IReadOnlyList<PartitionInfo> GetPartitionMap()
    {
        KeyPartition[] map = Volatile.Read(ref _map);
        var infos = new PartitionInfo[map.Length];
        for (int i = 0; i < map.Length; i++)
        {
            KeyPartition p = map[i];
            PartitionHeat heat = p.Heat;
            infos[i] = new PartitionInfo(p.LowKey, p.HighKey ?? ReadOnlyMemory<byte>.Empty, p.Data.Count, heat.Reads, heat.Writes)
            {
                ReadRate = heat.ReadRate,
                WriteRate = heat.WriteRate,
                Throttled = heat.Throttled,
                ThrottledRate = heat.ThrottledRate,
            };
        }

        return infos;
    }

    /// <summary>
    /// Splits the partition holding <paramref name="key"/> at its middle key, whatever its size: the hook for a
    /// request-rate policy (watch <see cref="PartitionInfo.Reads"/>/<see cref="PartitionInfo.Writes"/>, split the
    /// hot range). False when the partition has fewer than two keys.
    /// </summary>
    public bool TrySplitPartition(ReadOnlySpan<byte> key)
    {
        _mapLock.EnterExclusive();
        try
        {
            ThrowIfDisposed();
            int p = FindPartition(_map, key);
            if (_map[p].Data.Count < 2)
            {
                return false;
            }

            EnsureWritableLocked();
            byte[] middle = _map[p].Data.Split().SplitKey;
            JournalMapChange(RecordKind.Split, middle);
            SplitAtLocked(p, middle);
            return true;
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    /// <summary>
    /// Splits the partition that starts at <paramref name="low"/> at <paramref name="at"/> (a heat split: either half
    /// may hold no keys yet), journaled so the map survives a restart. False when the map changed meanwhile (no
    /// partition starts at <paramref name="low"/>, or <paramref name="at"/> is not strictly inside it).
    /// </summary>
    /// <exception cref="IndexReadOnlyException">The journal cannot be written.</exception>
    public bool TrySplitAt(byte[] low, byte[] at)
    {
        _mapLock.EnterExclusive();
        try
        {
            ThrowIfDisposed();
            int p = FindPartition(_map, at);
            KeyPartition partition = _map[p];
            if (!partition.LowKey.AsSpan().SequenceEqual(low) || at.AsSpan().SequenceCompareTo(low) <= 0)
            {
                return false;
            }

            EnsureWritableLocked();
            JournalMapChange(RecordKind.Split, at);
            SplitAtLocked(p, at);
            return true;
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    /// <summary>
    /// Merges the partition starting at <paramref name="boundary"/> into its left neighbour (cold neighbours),
    /// journaled. False when no partition starts there (the map changed meanwhile) or it is the first.
    /// </summary>
    /// <exception cref="IndexReadOnlyException">The journal cannot be written.</exception>
    public bool TryMergeAt(byte[] boundary)
    {
        _mapLock.EnterExclusive();
        try
        {
            ThrowIfDisposed();
            int p = FindPartition(_map, boundary);
            if (p == 0 || !_map[p].LowKey.AsSpan().SequenceEqual(boundary))
            {
                return false;
            }

            EnsureWritableLocked();
            JournalMapChange(RecordKind.Merge, boundary);
            MergeIntoLeftLocked(p);
            return true;
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    /// <summary>
    /// Folds every partition's counters into its decaying rates and returns the map (the partition policy's tick;
    /// one caller at a time).
    /// </summary>
    internal KeyPartition[] FoldHeat(long now, long timestampFrequency)
    {
        KeyPartition[] map = Volatile.Read(ref _map);
        foreach (KeyPartition partition in map)
        {
            partition.Heat.Fold(now, timestampFrequency);
        }

        return map;
    }

    /// <summary>Keys per partition before a write splits it.</summary>
    internal int SplitKeyCount => _options.SplitKeyCount;

    /// <summary>The partitions as they are now (the S3 limits emulation finds a request's partition here).</summary>
    internal KeyPartition[] Map => Volatile.Read(ref _map);

    private void ReplayMapChange(RecordKind kind, byte[] boundary)
    {
        _mapLock.EnterExclusive();
        try
        {
            int p = FindPartition(_map, boundary);
            bool isBoundary = _map[p].LowKey.AsSpan().SequenceEqual(boundary);
            if (kind == RecordKind.Split && !isBoundary)
            {
                SplitAtLocked(p, boundary);
            }
            else if (kind == RecordKind.Merge && isBoundary && p > 0)
            {
                MergeIntoLeftLocked(p);
            }

            // Otherwise the map already has the change (a count split or an empty range's merge that the replayed
            // puts and deletes made again): nothing to do.
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    /// <summary>Appends a split or merge record (no undo: a map change never changes what a read or listing sees).</summary>
    private void JournalMapChange(RecordKind kind, byte[] boundary)
    {
        if (_directory is null || _replaying)
        {
            return;
        }

        Span<byte> record = stackalloc byte[IndexRecordCodec.MaxRecordLength];
        lock (_appendLock)
        {
            long sequence = _sequence + 1;
            int length = IndexRecordCodec.WriteMapChange(record, kind, sequence, boundary);
            _journal!.Append(record[..length], sequence);
            _sequence = sequence;
        }
    }

    private void MergeIntoLeftLocked(int p)
    {
        KeyPartition[] map = _map;
        KeyPartition left = map[p - 1], right = map[p];
        PartitionData data = right.Data.Count == 0 ? left.Data
            : left.Data.Count == 0 ? right.Data
            : PartitionData.FromSorted([.. left.Data.Enumerate(), .. right.Data.Enumerate()]);
        var next = new KeyPartition[map.Length - 1];
        map.AsSpan(0, p - 1).CopyTo(next);
        next[p - 1] = new KeyPartition(left.LowKey, right.HighKey, data, PartitionHeat.Combine(left.Heat, right.Heat));
        map.AsSpan(p + 1).CopyTo(next.AsSpan(p));
        left.Cell.Retire();
        right.Cell.Retire();
        Volatile.Write(ref _map, next);
    }

    /// <summary>Completes when the write behind <paramref name="ticket"/> (and every earlier one) is on disk.</summary>
    /// <exception cref="IOException">The journal failed to write it: the write (and every other one not yet durable)
    /// has been undone.</exception>
    public Task WaitDurableAsync(CommitTicket ticket)
    {
        if (_directory is null || ticket.Sequence <= 0)
        {
            return Task.CompletedTask;
        }

        // No journal only while one is being replaced, after the old one was flushed (or failed: a new epoch).
        Task wait = Volatile.Read(ref _journal)?.WaitDurableAsync(ticket.Sequence) ?? Task.CompletedTask;

        // Read after the wait started: a recovery bumps the epoch before it heals the journal (and before any
        // sequence is reused), so an unchanged epoch means the wait is for this ticket's record.
        if (Volatile.Read(ref _epoch) != ticket.Epoch)
        {
            return DurableInEndedEpoch(ticket) ? Task.CompletedTask : Task.FromException(LostWrite());
        }

        return wait.IsCompletedSuccessfully ? wait : UndoOnFailureAsync(wait);
    }

    /// <summary>Blocking form of <see cref="WaitDurableAsync"/>; never call it on a reactor thread.</summary>
    public void WaitDurable(CommitTicket ticket) => WaitDurableAsync(ticket).GetAwaiter().GetResult();

    /// <summary>
    /// Folds the journal into a new snapshot: writers pause only to flush and rotate the journal; the snapshot is
    /// written from the captured immutable runs while writes continue into the new journal.
    /// </summary>
    public void Compact()
    {
        if (_directory is null)
        {
            return;
        }

        lock (_compactLock)
        {
            long generation;
            long nextSequence;
            KeyPartition[] map;
            PartitionData[] runs;
            int count;
            JournalWriter old;
            _mapLock.EnterExclusive();
            try
            {
                ThrowIfDisposed();

                // Never snapshot writes a failed journal lost: undo and heal first (or fail, still read-only).
                EnsureWritableLocked();
                old = _journal!;
                old.Flush();
                generation = _generation + 1;
                nextSequence = _sequence + 1;
                Volatile.Write(ref _journal, IndexFiles.CreateJournal(_directory, generation, nextSequence, _options.Faults));
                _generation = generation;
                map = _map;
                runs = Array.ConvertAll(map, p => p.Data);
                count = _count;
            }
            finally
            {
                _mapLock.ExitExclusive();
            }

            old.Dispose();
            IndexFiles.WriteSnapshot(_directory, generation, nextSequence, Boundaries(map), runs.SelectMany(r => r.Enumerate()), count, _options.Faults);
            DeleteJournalsBefore(generation);
        }
    }

    /// <summary>Flushes the journal and closes the index; later writes throw.</summary>
    public void Dispose()
    {
        Task? compaction;
        _mapLock.EnterExclusive();
        try
        {
            if (_disposed)
            {
                return;
            }

            compaction = _compaction;
        }
        finally
        {
            _mapLock.ExitExclusive();
        }

        try
        {
            compaction?.Wait();
        }
        catch (AggregateException)
        {
            // Already recorded in BackgroundError; the journal still holds every write.
        }

        lock (_compactLock)
        {
            _mapLock.EnterExclusive();
            try
            {
                _disposed = true;
                try
                {
                    // Every acknowledged write is durable already; what is left was never acknowledged. A journal
                    // that failed is cut back to its durable records so they are all a restart replays.
                    _journal?.Flush();
                    _journal?.Heal();
                }
                catch (IOException ex)
                {
                    ReadOnlyCause = ex; // IsPersisted stays false: the next start reconciles
                }
                finally
                {
                    _journal?.Dispose();
                }
            }
            finally
            {
                _mapLock.ExitExclusive();
            }
        }
    }

    /// <summary>Index of the partition whose range holds <paramref name="key"/>.</summary>
    internal static int FindPartition(KeyPartition[] map, ReadOnlySpan<byte> key)
    {
        // Last partition whose low key is <= key; the first one's low key is empty, so there always is one.
        int lo = 1, hi = map.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (key.SequenceCompareTo(map[mid].LowKey) >= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    private static List<byte[]> Boundaries(KeyPartition[] map)
    {
        var boundaries = new List<byte[]>(map.Length - 1);
        for (int i = 1; i < map.Length; i++)
        {
            boundaries.Add(map[i].LowKey);
        }

        return boundaries;
    }

    private static List<IndexEntry> SortUnique(IEnumerable<IndexEntry> entries)
    {
        var list = new List<IndexEntry>(entries);

        // Stable sort, then keep the last of equal keys.
        var order = new int[list.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int c = list[a].Key.SequenceCompareTo(list[b].Key);
            return c != 0 ? c : a.CompareTo(b);
        });
        var unique = new List<IndexEntry>(list.Count);
        for (int i = 0; i < order.Length; i++)
        {
            if (i + 1 < order.Length && list[order[i]].Key.SequenceEqual(list[order[i + 1]].Key))
            {
                continue;
            }

            unique.Add(list[order[i]]);
        }

        return unique;
    }

    private CommitTicket Journal(IndexEntry? put, byte[] key, IndexEntry? previous)
    {
        if (_directory is null || _replaying)
        {
            return default;
        }

        Span<byte> record = stackalloc byte[IndexRecordCodec.MaxRecordLength];
        lock (_appendLock)
        {
            // Writers of different partitions meet only here, for the encode and a copy into the journal buffer: the
            // sequence number is taken and the record buffered in one step, so the buffer stays in sequence order and
            // one fsync makes every record up to a sequence durable.
            JournalWriter journal = _journal!;
            long sequence = _sequence + 1;
            int length = put is not null
                ? IndexRecordCodec.WritePut(record, sequence, put)
                : IndexRecordCodec.WriteDelete(record, sequence, key);

            // Append first: if the journal has failed this throws and nothing is applied.
            journal.Append(record[..length], sequence);
            _sequence = sequence;
            long durable = journal.Durable;
            while (_undo.Count > 0 && _undo.Peek().Sequence <= durable)
            {
                _undo.Dequeue();
            }

            _undo.Enqueue(new UndoRecord(sequence, key, previous));
            return new CommitTicket(sequence) { Epoch = _epoch };
        }
    }

    /// <summary>
    /// Passes the bucket gate shared for a write, first making the index writable (which needs it closed) when
    /// a journal failure or an unpersisted start left it read-only. Returns holding the shared lock.
    /// </summary>
    private void EnterWriter()
    {
        while (true)
        {
            _mapLock.EnterShared();
            if (_disposed)
            {
                _mapLock.ExitShared();
                ThrowIfDisposed();
            }

            if (_directory is null || _replaying || (!_unpersisted && _journal is { Failed: false }))
            {
                return;
            }

            if (_mapLock.IsExclusiveHeld)
            {
                // A recovery or start-up reconciliation writing: it already excludes every other writer.
                try
                {
                    EnsureWritableLocked();
                }
                catch
                {
                    _mapLock.ExitShared();
                    throw;
                }

                return;
            }

            _mapLock.ExitShared();
            _mapLock.EnterExclusive();
            try
            {
                ThrowIfDisposed();
                EnsureWritableLocked();
            }
            finally
            {
                _mapLock.ExitExclusive();
            }
        }
    }

    /// <summary>
    /// Test hook: runs <paramref name="held"/> while holding the write lock of the partition that holds
    /// <paramref name="key"/> (as a writer between reading the entry and publishing the new one would).
    /// </summary>
    internal void HoldPartitionLock(ReadOnlySpan<byte> key, Action held)
    {
        _mapLock.EnterShared();
        try
        {
            while (true)
            {
                KeyPartition[] map = Volatile.Read(ref _map);
                PartitionCell cell = map[FindPartition(map, key)].Cell;
                lock (cell.Gate)
                {
                    if (cell.Retired)
                    {
                        continue;
                    }

                    held();
                    return;
                }
            }
        }
        finally
        {
            _mapLock.ExitShared();
        }
    }

    /// <summary>
    /// Makes the index writable or throws <see cref="IndexReadOnlyException"/>: after a journal failure, undoes the
    /// lost writes and cuts the journal back; when memory is ahead of the files (or there is no journal), writes a
    /// snapshot of memory and a fresh journal.
    /// </summary>
    private void EnsureWritableLocked()
    {
        if (_directory is null || _replaying || (!_unpersisted && _journal is { Failed: false }))
        {
            return;
        }

        UndoLostLocked();
        try
        {
            if (_unpersisted || _journal is null)
            {
                JournalWriter? old = _journal;
                if (old is { Failed: false })
                {
                    // Its waiters must see their records durable (the snapshot holds them too, but they wait on it).
                    try
                    {
                        old.Flush();
                    }
                    catch (IOException)
                    {
                        UndoLostLocked();
                    }
                }

                long generation = _generation + 1;
                foreach (long existing in IndexFiles.ListJournalGenerations(_directory))
                {
                    generation = Math.Max(generation, existing + 1);
                }

                try
                {
                    WriteSnapshotAndRotate(generation, _sequence + 1);
                }
                finally
                {
                    if (old is not null && !ReferenceEquals(old, _journal))
                    {
                        old.Dispose();
                    }
                }

                _unpersisted = false;
            }
            else
            {
                _journal.Heal();
            }

            ReadOnlyCause = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReadOnlyCause = ex;
            throw new IndexReadOnlyException(_directory, ex);
        }
    }

    /// <summary>After a journal failure: undoes, newest first, every write the journal did not make durable.</summary>
    private void UndoLostLocked()
    {
        if (_journal is not { Failed: true } journal)
        {
            return;
        }

        long durable = journal.Durable;
        if (_sequence <= durable)
        {
            return; // already undone
        }

        UndoRecord[] lost = [.. _undo];
        _undo.Clear();
        _replaying = true;
        try
        {
            for (int i = lost.Length - 1; i >= 0 && lost[i].Sequence > durable; i--)
            {
                if (lost[i].Previous is { } previous)
                {
                    TryPut(previous, PutCondition.None, out _, out _);
                }
                else
                {
                    TryDelete(lost[i].Key, out _, out _);
                }
            }
        }
        finally
        {
            _replaying = false;
        }

        // Tickets of the ended epoch past `durable` are lost; their sequence numbers are reused from here on.
        _epochDurable.Add(durable);
        Volatile.Write(ref _epoch, _epoch + 1);
        _sequence = durable;
    }

    private bool DurableInEndedEpoch(CommitTicket ticket)
    {
        _mapLock.EnterExclusive();
        try
        {
            return ticket.Epoch < _epochDurable.Count && ticket.Sequence <= _epochDurable[(int)ticket.Epoch];
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    private IOException LostWrite() =>
        new($"Writing the key index journal in '{_directory}' failed; the write was undone.", ReadOnlyCause);

    private async Task UndoOnFailureAsync(Task wait)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Undo at once, so listings stop showing the failed writes even if no other write comes to heal.
            _mapLock.EnterExclusive();
            try
            {
                if (!_disposed)
                {
                    UndoLostLocked();
                }
            }
            finally
            {
                _mapLock.ExitExclusive();
            }

            throw;
        }
    }

    /// <summary>
    /// Applies changes in memory only (the start-up reconciliation, when the journal cannot take them): the index
    /// then agrees with the store for reads, and the next write persists everything with a snapshot first.
    /// </summary>
    internal void ApplyUnjournaled(Action<BucketIndex> changes)
    {
        _mapLock.EnterExclusive();
        try
        {
            ThrowIfDisposed();
            UndoLostLocked();
            _replaying = true;
            try
            {
                changes(this);
            }
            finally
            {
                _replaying = false;
            }

            _unpersisted = true;
            try
            {
                EnsureWritableLocked(); // a snapshot now, if the disk allows it
            }
            catch (IndexReadOnlyException)
            {
                // Read-only until a write can persist it (ReadOnlyCause says why).
            }
        }
        finally
        {
            _mapLock.ExitExclusive();
        }
    }

    private void AfterWrite()
    {
        if (_journal is null || _replaying || _options.CompactJournalBytes == 0 || Volatile.Read(ref _compaction) is { IsCompleted: false }
            || _journal.Length < _options.CompactJournalBytes)
        {
            return;
        }

        lock (_appendLock)
        {
            if (_compaction is { IsCompleted: false })
            {
                return; // another writer started it meanwhile
            }

            StartCompaction();
        }
    }

    private void StartCompaction()
    {
        _compaction = Task.Run(() =>
        {
            try
            {
                Compact();
                BackgroundError = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                BackgroundError = ex;
            }
            catch (ObjectDisposedException)
            {
                // Closed while the compaction waited for its turn.
            }
        });
    }

    private void SplitLocked(int p) => SplitAtLocked(p, null);

    /// <summary>Splits partition <paramref name="p"/> at <paramref name="at"/> (null: its middle key); each half takes
    /// the share of the heat its sampled keys show (half each without a sample).</summary>
    private void SplitAtLocked(int p, byte[]? at)
    {
        KeyPartition[] map = _map;
        KeyPartition old = map[p];
        (PartitionData left, PartitionData right, byte[] splitKey) = at is null ? old.Data.Split() : old.Data.SplitAt(at);
        double share = PartitionPolicy.ShareBelow(old.Heat.SampledKeys(), splitKey);
        (PartitionHeat leftHeat, PartitionHeat rightHeat) = PartitionHeat.Divide(old.Heat, share);
        var next = new KeyPartition[map.Length + 1];
        map.AsSpan(0, p).CopyTo(next);
        next[p] = new KeyPartition(old.LowKey, splitKey, left, leftHeat);
        next[p + 1] = new KeyPartition(splitKey, old.HighKey, right, rightHeat);
        map.AsSpan(p + 1).CopyTo(next.AsSpan(p + 2));

        // Writers waiting on the old cell's lock look their key up again, in the map published here.
        old.Cell.Retire();
        Volatile.Write(ref _map, next);
    }

    private void MergeEmptyLocked(int p)
    {
        // The empty range joins its left neighbour (or, for the first partition, the right one).
        KeyPartition[] map = _map;
        var next = new KeyPartition[map.Length - 1];
        if (p > 0)
        {
            map.AsSpan(0, p - 1).CopyTo(next);
            next[p - 1] = new KeyPartition(map[p - 1].LowKey, map[p].HighKey, map[p - 1].Cell, PartitionHeat.Combine(map[p - 1].Heat, map[p].Heat));
            map.AsSpan(p + 1).CopyTo(next.AsSpan(p));
        }
        else
        {
            next[0] = new KeyPartition(map[0].LowKey, map[1].HighKey, map[1].Cell, PartitionHeat.Combine(map[0].Heat, map[1].Heat));
            map.AsSpan(2).CopyTo(next.AsSpan(1));
        }

        // The neighbour keeps its cell (its writers, who do not hold this partition's lock, lose nothing); the emptied
        // cell is retired so its waiting writers find the wider range.
        map[p].Cell.Retire();
        Volatile.Write(ref _map, next);
    }

    /// <summary>Builds partitions from sorted entries: at the given boundaries, else in half-full runs.</summary>
    private void BuildMap(List<byte[]> boundaries, List<IndexEntry> sorted)
    {
        var lows = new List<byte[]> { Array.Empty<byte>() };
        if (boundaries.Count > 0)
        {
            lows.AddRange(boundaries);
        }
        else
        {
            // Half full so the next inserts do not split every partition at once.
            int run = Math.Max(1, _options.SplitKeyCount / 2);
            for (int i = run; i < sorted.Count; i += run)
            {
                lows.Add(sorted[i].KeyArray);
            }
        }

        IndexEntry[] all = [.. sorted];
        var map = new KeyPartition[lows.Count];
        int start = 0;
        for (int i = 0; i < lows.Count; i++)
        {
            byte[]? high = i + 1 < lows.Count ? lows[i + 1] : null;
            int end = start;
            while (end < all.Length && (high is null || all[end].Key.SequenceCompareTo(high) < 0))
            {
                end++;
            }

            map[i] = new KeyPartition(lows[i], high, PartitionData.FromSorted(all.AsSpan(start, end - start)));
            start = end;
        }

        _map = map;
        _count = all.Length;

        // The split threshold may have shrunk since the snapshot was written.
        for (int p = 0; p < _map.Length; p++)
        {
            while (_map[p].Data.Count > _options.SplitKeyCount)
            {
                SplitLocked(p);
            }
        }
    }

    private void Load()
    {
        string directory = _directory!;
        File.Delete(Path.Combine(directory, IndexFiles.SnapshotName + IndexFiles.TempSuffix));
        string snapshotPath = Path.Combine(directory, IndexFiles.SnapshotName);
        List<long> journals = IndexFiles.ListJournalGenerations(directory);
        SnapshotContents snapshot = File.Exists(snapshotPath)
            ? IndexFiles.ReadSnapshot(snapshotPath)
            : new SnapshotContents(0, 1, [], []);
        if (!File.Exists(snapshotPath) && journals.Count > 0 && journals[0] != 0)
        {
            throw new IndexCorruptException(snapshotPath, 0, $"the snapshot is missing but journals start at generation {journals[0]}");
        }

        BuildMap(snapshot.Boundaries, snapshot.Entries);
        _generation = snapshot.Generation;
        _sequence = snapshot.NextSequence - 1;
        DeleteJournalsBefore(snapshot.Generation);
        journals.RemoveAll(g => g < snapshot.Generation);
        for (int i = 0; i < journals.Count; i++)
        {
            if (journals[i] != snapshot.Generation + i)
            {
                throw new IndexCorruptException(IndexFiles.JournalPath(directory, snapshot.Generation + i), 0, "a journal generation is missing");
            }
        }

        if (journals.Count == 0)
        {
            OpenJournalOrDegrade(() => IndexFiles.CreateJournal(directory, _generation, _sequence + 1, _options.Faults));
            return;
        }

        _replaying = true;
        long validLength = 0;
        bool headerValid = false;
        try
        {
            long next = _sequence + 1;
            for (int i = 0; i < journals.Count; i++)
            {
                next = IndexFiles.ReplayJournal(
                    IndexFiles.JournalPath(directory, journals[i]), journals[i], next, i == journals.Count - 1,
                    e => Put(e), k => TryDelete(k, out _, out _), out validLength, out headerValid, ReplayMapChange);
            }

            _sequence = next - 1;
        }
        finally
        {
            _replaying = false;
        }

        _generation = journals[^1];
        OpenJournalOrDegrade(() => headerValid
            ? ReopenJournal(IndexFiles.JournalPath(directory, _generation), validLength, _sequence, _options.Faults)
            : IndexFiles.CreateJournal(directory, _generation, _sequence + 1, _options.Faults));
    }

    /// <summary>
    /// Opens the journal to append to; when its file system cannot be written, the index opens read-only (every key
    /// readable, writes refused until <see cref="EnsureWritableLocked"/> can write a snapshot and a new journal).
    /// </summary>
    private void OpenJournalOrDegrade(Func<JournalWriter> open)
    {
        try
        {
            _journal = open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _journal = null;
            ReadOnlyCause = ex;
        }
    }

    private static JournalWriter ReopenJournal(string path, long validLength, long lastSequence, IndexFaults? faults)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (RandomAccess.GetLength(file) != validLength)
            {
                // Cut the torn tail so new records follow the last good one.
                RandomAccess.SetLength(file, validLength);
                RandomAccess.FlushToDisk(file);
            }

            return new JournalWriter(path, file, validLength, lastSequence, faults);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void WriteSnapshotAndRotate(long generation, long nextSequence)
    {
        KeyPartition[] map = _map;
        IndexFiles.WriteSnapshot(_directory!, generation, nextSequence, Boundaries(map), map.SelectMany(p => p.Data.Enumerate()), _count, _options.Faults);
        DeleteJournalsBefore(generation);
        _generation = generation;
        _sequence = nextSequence - 1;
        _journal = null; // the old journal's file is gone: until the new one exists, writes must snapshot again
        _journal = IndexFiles.CreateJournal(_directory!, generation, nextSequence, _options.Faults);
    }

    private void DeleteJournalsBefore(long generation)
    {
        foreach (long g in IndexFiles.ListJournalGenerations(_directory!))
        {
            if (g < generation)
            {
                File.Delete(IndexFiles.JournalPath(_directory!, g));
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>A journaled write and how to undo it: put <see cref="Previous"/> back, or delete <see cref="Key"/>.</summary>
    private readonly record struct UndoRecord(long Sequence, byte[] Key, IndexEntry? Previous);
}
