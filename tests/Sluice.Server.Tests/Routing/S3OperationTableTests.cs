using Sluice.Server.Routing;
using static Sluice.Server.Tests.Routing.RouteTestHelpers;

namespace Sluice.Server.Tests.Routing;

/// <summary>The operation table is the one place an operation is declared: every operation has one row with a
/// handler, and the router takes each row's declared form to that operation.</summary>
public sealed class S3OperationTableTests
{
    public static TheoryData<S3Operation> Operations()
    {
        var data = new TheoryData<S3Operation>();
        foreach (S3Operation operation in Enum.GetValues<S3Operation>())
        {
            if (operation != S3Operation.None)
            {
                data.Add(operation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Every_operation_has_one_row_with_a_handler(S3Operation operation)
    {
        S3OperationInfo row = Assert.Single(S3OperationTable.Rows, r => r.Operation == operation);
        Assert.Same(row, S3OperationTable.Of(operation));
        Assert.NotNull(row.Handler);
        Assert.Equal(operation.ToString(), row.Name);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void The_declared_form_routes_to_the_operation(S3Operation operation)
    {
        S3OperationInfo row = S3OperationTable.Of(operation)!;
        string target = row.Level switch
        {
            S3ResourceLevel.Service => "/",
            S3ResourceLevel.Bucket => "/bucket",
            _ => "/bucket/key",
        };
        var query = new List<string>();
        if (row.Selector != null)
        {
            query.Add(row.Selector + "=abc");
        }

        // What the rows' When and Check predicates ask for.
        if (operation == S3Operation.ListObjectsV2)
        {
            query.Add("list-type=2");
        }

        if (operation is S3Operation.UploadPart or S3Operation.UploadPartCopy)
        {
            query.Add("partNumber=1");
        }

        if (query.Count > 0)
        {
            target += "?" + string.Join('&', query);
        }

        (var problem, S3Route route) = Route(row.Method.ToString().ToUpperInvariant(), target, copySource: row.CopySource);
        Assert.True(problem.IsNone, problem.ToString());
        Assert.Equal(operation, route.Operation);
    }

    [Fact]
    public void Rows_sharing_a_form_are_told_apart_by_When()
    {
        foreach (var form in S3OperationTable.Rows.GroupBy(r => (r.Level, r.Method, r.Selector, r.CopySource)))
        {
            // Every row but the last of a form needs a predicate, or the ones after it are never taken.
            Assert.All(form.SkipLast(1), r => Assert.NotNull(r.When));
        }
    }
}
