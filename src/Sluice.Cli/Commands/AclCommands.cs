using System.CommandLine;
using Sluice.Client;
using Sluice.Client.Model;
using Sluice.Cli.Output;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice acl get s3://bucket[/key]</c> and <c>sluice acl set s3://bucket[/key] --acl CANNED | --file ACL.xml</c>:
/// a bucket's or an object's ACL (an object's version with --version-id or ?versionId=).
/// </summary>
internal static class AclCommands
{
    /// <summary>The canned ACL names and their client values (aws-exec-read is not among a bucket's or this server's).</summary>
    internal static readonly Dictionary<string, CannedAcl> CannedNames = new(StringComparer.Ordinal)
    {
        ["private"] = CannedAcl.Private,
        ["public-read"] = CannedAcl.PublicRead,
        ["public-read-write"] = CannedAcl.PublicReadWrite,
        ["authenticated-read"] = CannedAcl.AuthenticatedRead,
        ["aws-exec-read"] = CannedAcl.AwsExecRead,
        ["bucket-owner-read"] = CannedAcl.BucketOwnerRead,
        ["bucket-owner-full-control"] = CannedAcl.BucketOwnerFullControl,
        ["log-delivery-write"] = CannedAcl.LogDeliveryWrite,
    };

    public static Command Create()
    {
        var command = new Command("acl", "Show or set a bucket's or an object's ACL\n\nExamples:\n" +
            "  sluice acl get s3://photos\n  sluice acl get s3://photos/cat.jpg --version-id ID\n" +
            "  sluice acl set s3://photos/cat.jpg --acl public-read\n  sluice acl set s3://photos --file acl.xml   (an AccessControlPolicy document)");
        command.Subcommands.Add(CreateGet());
        command.Subcommands.Add(CreateSet());
        return command;
    }

    private static Command CreateGet()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket or s3://bucket/key" };
        var command = new Command("get", "Print the owner and the grants, one per line") { target };
        var version = new VersionOption();
        version.AddTo(command);
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var (path, versionId) = Target(parse, target, version, "acl get");
            await using var client = shared.CreateClient(parse);
            var acl = path.Key.Length == 0
                ? await client.GetBucketAclAsync(path.Bucket!, ct)
                : await client.GetObjectAclAsync(path.Bucket!, path.Key, versionId, ct);
            var lines = new List<string> { $"owner: {acl.OwnerId}{(acl.OwnerDisplayName is { } n ? $" ({n})" : "")}" };
            foreach (var g in acl.Grants) lines.Add($"{g.Permission,-13}{Grantee(g)}");
            output.Record("acl", string.Join('\n', lines), notice: false, w =>
            {
                w.WriteString("target", path.ToString());
                w.WriteString("owner", acl.OwnerId);
                w.WriteStartArray("grants");
                foreach (var g in acl.Grants)
                {
                    w.WriteStartObject();
                    w.WriteString("permission", g.Permission);
                    w.WriteString("type", g.GranteeType);
                    if (g.Id != null) w.WriteString("id", g.Id);
                    if (g.DisplayName != null) w.WriteString("displayName", g.DisplayName);
                    if (g.Uri != null) w.WriteString("uri", g.Uri);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return Program.ExitOk;
        }));
        return command;
    }

    private static Command CreateSet()
    {
        var target = new Argument<string>("target") { Description = "s3://bucket or s3://bucket/key" };
        var canned = new Option<string>("--acl") { Description = "A canned ACL: " + string.Join(", ", CannedNames.Keys) };
        canned.AcceptOnlyFromAmong([.. CannedNames.Keys]);
        var file = new Option<FileInfo>("--file") { Description = "An AccessControlPolicy XML document (S3's form) to set" };
        var command = new Command("set", "Replace the ACL with a canned one or a document") { target, canned, file };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(canned) != null) == (result.GetResult(file) != null)) result.AddError("give either --acl CANNED or --file ACL.xml");
        });
        var version = new VersionOption();
        version.AddTo(command);
        var shared = ClientCommand.AddTo(command);
        var outputOptions = OutputOptions.AddTo(command, summary: false);
        command.SetAction((parse, ct) => outputOptions.RunAsync(parse, shared, async output =>
        {
            var (path, versionId) = Target(parse, target, version, "acl set");
            S3Acl? document = null;
            if (parse.GetValue(file) is { } xmlFile)
            {
                byte[] xml;
                try
                {
                    xml = await File.ReadAllBytesAsync(xmlFile.FullName, ct);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"acl set: --file: {e.Message}", Program.ExitUsage);
                }
                var read = Sluice.S3.Xml.AccessControlPolicy.Read(xml);
                if (!read.IsSuccess) throw new CliException($"acl set: {xmlFile.Name} is not an AccessControlPolicy document: {read.Detail}", Program.ExitUsage);
                var p = read.Value!;
                document = new S3Acl(p.Owner?.Id ?? "", p.Grants.Select(g => new S3Grant(g.Type, g.Permission)
                {
                    Id = g.Id, Uri = g.Uri, EmailAddress = g.EmailAddress,
                }).ToArray());
            }
            await using var client = shared.CreateClient(parse);
            var name = parse.GetValue(canned);
            if (path.Key.Length == 0)
            {
                if (document != null) await client.PutBucketAclAsync(path.Bucket!, document, ct);
                else await client.PutBucketAclAsync(path.Bucket!, CannedNames[name!], ct);
            }
            else if (document != null)
            {
                await client.PutObjectAclAsync(path.Bucket!, path.Key, document, versionId, ct);
            }
            else
            {
                await client.PutObjectAclAsync(path.Bucket!, path.Key, CannedNames[name!], versionId, ct);
            }
            output.Record("acl-set", $"acl set: {path}", notice: true, w => w.WriteString("target", path.ToString()));
            return Program.ExitOk;
        }));
        return command;
    }

    private static (S3Path Path, string? VersionId) Target(ParseResult parse, Argument<string> target, VersionOption version, string verb)
    {
        string text = parse.GetValue(target)!;
        if (!S3Path.TryParse(text, out var path, out string? error) || !path.IsS3)
            throw new CliException($"{verb}: {error ?? $"'{text}' is not an s3:// location"}", Program.ExitUsage);
        var (read, versionId) = version.Read(parse, verb, path);
        if (read.Key.Length == 0 && versionId != null) throw new CliException($"{verb}: a bucket has no versions", Program.ExitUsage);
        return (read, versionId);
    }

    private static string Grantee(S3Grant g) => g.GranteeType switch
    {
        S3Grant.Group => g.Uri switch
        {
            S3Grant.AllUsers => "group AllUsers (everyone)",
            S3Grant.AuthenticatedUsers => "group AuthenticatedUsers (every signed request)",
            S3Grant.LogDelivery => "group LogDelivery",
            _ => "group " + g.Uri,
        },
        _ => $"user {g.Id}{(g.DisplayName is { } n ? $" ({n})" : "")}",
    };
}
