using System.Collections.Concurrent;
using Sluice.S3.Errors;
using Sluice.Server.Storage;

namespace Sluice.Server.Access;

/// <summary>
/// Every bucket's <see cref="BucketAccess"/>, loaded on a bucket's first request (its record, its ACL document, its
/// policy, its public access block) and kept until <see cref="Invalidate"/>: an ordinary request finds it with one allocation-free lookup by
/// the route's bucket bytes. Whoever changes a bucket's owner, ACL or policy invalidates after the change is stored;
/// a load that overlapped an invalidation is not kept, so no stale entry survives a change.
/// </summary>
public sealed class BucketAccessCache
{
    private readonly IObjectStorage _storage;
    private readonly string _legacyOwner;
    private readonly ConcurrentDictionary<string, BucketAccess> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _generation; // guarded by _gate: bumped by every invalidation

    internal BucketAccessCache(IObjectStorage storage, string legacyOwner)
    {
        _storage = storage;
        _legacyOwner = legacyOwner;
    }

    /// <summary>The account id of a canonical user id (RestrictPublicBuckets grants a public policy's allow to the
    /// bucket owner's account only); null: unknown.</summary>
    public Func<string, string?>? AccountOf { get; init; }

    /// <summary>Where bucket policies come from; null: no bucket has one.</summary>
    public IBucketPolicySource? Policies { get; init; }

    internal bool TryGet(ReadOnlySpan<byte> bucket, out BucketAccess? entry) => BucketLookup.TryGet(_entries, bucket, out entry);

    /// <summary>The bucket's access state read from the store; null when there is no such bucket.</summary>
    internal async ValueTask<BucketAccess?> LoadAsync(string bucket)
    {
        long generation;
        lock (_gate) generation = _generation;
        BucketInfo info;
        byte[]? document, blockDocument, ownershipDocument;
        try
        {
            info = await _storage.GetBucketAsync(bucket).ConfigureAwait(false);
            document = await _storage.GetBucketSettingAsync(bucket, BucketSetting.Acl).ConfigureAwait(false);
            blockDocument = await _storage.GetBucketSettingAsync(bucket, BucketSetting.PublicAccessBlock).ConfigureAwait(false);
            ownershipDocument = await _storage.GetBucketSettingAsync(bucket, BucketSetting.OwnershipControls).ConfigureAwait(false);
        }
        catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.NoSuchBucket)
        {
            return null;
        }
        catch (S3StorageException e) when (e.Error.Code == S3ErrorCode.InvalidBucketName)
        {
            return null;
        }
        string owner = info.OwnerId ?? _legacyOwner;
        AccessControlList? acl = null;
        IAccessPolicy? policy = null;
        PublicAccessBlock? block = null;
        var ownership = ObjectOwnership.ObjectWriter;
        bool damaged = false;
        try
        {
            if (document != null)
            {
                acl = AccessControlList.Parse(document);
                if (acl.IsOwnerFullControlOnly && acl.OwnerId == owner) acl = null; // the default: keep the fast path
            }
            if (blockDocument != null) block = PublicAccessBlock.Parse(blockDocument);
            if (ownershipDocument != null) ownership = ParseOwnership(ownershipDocument);
            if (ownership == ObjectOwnership.BucketOwnerEnforced) acl = null; // ACLs disabled: the owner's alone
            if (Policies != null) policy = await Policies.GetPolicyAsync(bucket).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            damaged = true; // never fail open: deny until the document is fixed (not cached, so a fix takes effect)
        }
        var entry = new BucketAccess(owner, acl, policy, damaged, block, AccountOf?.Invoke(owner), ownership);
        if (!damaged)
        {
            lock (_gate)
            {
                if (generation == _generation) _entries[bucket] = entry;
            }
        }
        return entry;
    }

    /// <summary>The stored OwnershipControls document's setting; a damaged one throws <see cref="FormatException"/>.</summary>
    internal static ObjectOwnership ParseOwnership(byte[] document)
    {
        var read = Sluice.S3.Xml.OwnershipControls.Read(document);
        if (!read.IsSuccess || !TryParseOwnership(read.Value!.ObjectOwnership, out var ownership))
            throw new FormatException("damaged ownership controls document");
        return ownership;
    }

    /// <summary>An ObjectOwnership value as S3 spells it (case-sensitive).</summary>
    internal static bool TryParseOwnership(string? text, out ObjectOwnership ownership)
    {
        ownership = text switch
        {
            "ObjectWriter" => ObjectOwnership.ObjectWriter,
            "BucketOwnerPreferred" => ObjectOwnership.BucketOwnerPreferred,
            "BucketOwnerEnforced" => ObjectOwnership.BucketOwnerEnforced,
            _ => (ObjectOwnership)(-1),
        };
        return ownership >= 0;
    }

    /// <summary>Forgets the bucket's access state (its owner, ACL or policy changed, or it was deleted): the next
    /// request reloads it.</summary>
    public void Invalidate(string bucket)
    {
        lock (_gate)
        {
            _generation++;
            _entries.TryRemove(bucket, out _);
        }
    }
}
