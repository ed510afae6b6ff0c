using System.Buffers;
using System.Text;
using Sluice.S3.Http;

namespace Sluice.S3.Tests.Http;

/// <summary>
/// Randomized robustness: thousands of corruptions of valid heads and bodies (fixed seeds, so failures reproduce).
/// Every outcome must be Complete, Incomplete or Error, never an exception, and consumed counts must be in bounds.
/// </summary>
public class HttpMutationTests
{
    private const int HeadMutations = 6000;
    private const int BodyMutations = 3000;

    private static readonly byte[] Interesting = [(byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)';', (byte)'=',
        0, 0x7f, 0x80, 0xff, (byte)'0', (byte)'f', (byte)'?', (byte)'/', (byte)'#'];

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        int count = random.Next(1, 4);
        for (int m = 0; m < count; m++)
        {
            int at = random.Next(0, bytes.Count + 1);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0: // flip one bit
                    at = Math.Min(at, bytes.Count - 1);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0: // replace with a random or a syntax-relevant byte
                    at = Math.Min(at, bytes.Count - 1);
                    bytes[at] = random.Next(2) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
                    break;
                case 2: // insert
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3 when bytes.Count > 0: // delete a run
                    at = Math.Min(at, bytes.Count - 1);
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 4: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5: // CR/LF injection
                    bytes.InsertRange(at, random.Next(3) switch { 0 => "\r\n"u8.ToArray(), 1 => "\n"u8.ToArray(), _ => "\r"u8.ToArray() });
                    break;
                case 6: // huge sizes and long runs
                    bytes.InsertRange(at, random.Next(3) switch
                    {
                        0 => "99999999999999999999999"u8.ToArray(),
                        1 => "ffffffffffffffffffff"u8.ToArray(),
                        _ => Enumerable.Repeat((byte)'a', random.Next(1, 20_000)).ToArray(),
                    });
                    break;
                case 7 when bytes.Count > 2: // duplicate a slice (repeated headers, repeated chunks)
                    int start = random.Next(0, bytes.Count - 1);
                    int length = Math.Min(random.Next(1, 64), bytes.Count - start);
                    bytes.InsertRange(at, bytes.GetRange(start, length));
                    break;
                default: // swap two bytes
                    if (bytes.Count > 1)
                    {
                        int i = random.Next(bytes.Count), j = random.Next(bytes.Count);
                        (bytes[i], bytes[j]) = (bytes[j], bytes[i]);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void MutatedRequestHeads_NeverThrowAndStayInBounds()
    {
        byte[][] corpus = [Drive.Ascii(S3Heads.ChunkedPut), Drive.Ascii(S3Heads.RangeGet), Drive.Ascii(S3Heads.PresignedGet),
            Drive.Ascii("OPTIONS * HTTP/1.0\r\n\r\n"), Drive.Ascii("GET http://h:1/k?a HTTP/1.1\r\nHost: h\r\n\r\n")];
        var random = new Random(20250101);
        var outcomes = new int[3];
        var s3Head = new S3RequestHead();
        for (int i = 0; i < HeadMutations; i++)
        {
            byte[] input = Mutate(corpus[random.Next(corpus.Length)], random);
            var log = new HeadLog();
            var handler = new RecordingHandler(log);
            HttpParseResult result = HttpHeadParser.ParseRequestHead(input, ref handler);
            outcomes[(int)result.Status]++;
            CheckHeadResult(input, result, log, HttpHeadParser.ParseRequestHead);

            HttpParseResult s3 = s3Head.Parse(input);
            if (s3.IsComplete)
            {
                Assert.Equal(result.BytesConsumed, s3.BytesConsumed);
                Assert.InRange(s3Head.Path.Offset + s3Head.Path.Length, 0, s3.BytesConsumed);
                foreach (HttpField f in s3Head.Headers.Fields)
                {
                    Assert.InRange(f.Value.Offset + f.Value.Length, 0, s3.BytesConsumed);
                }
            }
            else
            {
                Assert.True(s3.Status == result.Status || result.IsComplete);
            }
        }

        // The corpus and mutations exercise all three outcomes.
        Assert.All(outcomes, n => Assert.True(n > 100, string.Join(",", outcomes)));
    }

    [Fact]
    public void MutatedResponseHeads_NeverThrowAndStayInBounds()
    {
        byte[][] corpus = [Drive.Ascii(S3Heads.GetResponse), Drive.Ascii(S3Heads.Continue + S3Heads.GetResponse),
            Drive.Ascii("HTTP/1.1 204\r\nx-amz-request-id: 1\r\n\r\n")];
        var random = new Random(404);
        var outcomes = new int[3];
        for (int i = 0; i < HeadMutations; i++)
        {
            byte[] input = Mutate(corpus[random.Next(corpus.Length)], random);
            var log = new HeadLog();
            var handler = new RecordingHandler(log);
            HttpParseResult result = HttpHeadParser.ParseResponseHead(input, ref handler);
            outcomes[(int)result.Status]++;
            CheckHeadResult(input, result, log, HttpHeadParser.ParseResponseHead);
            if (result.IsComplete)
            {
                Assert.InRange(log.Status, 100, 999);
            }

            new S3ResponseHead().Parse(input);
        }

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join(",", outcomes)));
    }

    private delegate HttpParseResult HeadParse(ReadOnlySpan<byte> buffer, ref RecordingHandler handler);

    private static void CheckHeadResult(byte[] input, HttpParseResult result, HeadLog log, HeadParse parse)
    {
        switch (result.Status)
        {
            case HttpParseStatus.Complete:
                Assert.InRange(result.BytesConsumed, 4, Math.Min(input.Length, HttpLimits.DefaultMaxHeadBytes));
                Assert.Equal(HttpParseError.None, result.Error);
                Assert.Equal(1, log.CompleteCalls);
                ReadOnlySpan<byte> head = input.AsSpan(0, result.BytesConsumed);
                Assert.True(head.EndsWith("\r\n\r\n"u8));
                for (int i = 0; i < head.Length; i++)
                {
                    if (head[i] == '\n')
                    {
                        Assert.Equal((byte)'\r', head[i - 1]); // no bare LF ever accepted
                    }
                    else if (head[i] == '\r')
                    {
                        Assert.Equal((byte)'\n', head[i + 1]); // no bare CR either
                    }
                }

                // The head alone parses identically, and every shorter prefix is merely incomplete.
                var again = new RecordingHandler(new HeadLog());
                Assert.Equal(result, parse(head, ref again));
                var shorter = new RecordingHandler(new HeadLog());
                Assert.Equal(HttpParseStatus.Incomplete, parse(head[..^1], ref shorter).Status);
                break;
            case HttpParseStatus.Incomplete:
                Assert.Equal(0, result.BytesConsumed);
                Assert.Null(log.RequestLine);
                Assert.Equal(-1, log.Status);
                Assert.Empty(log.Headers);
                Assert.True(input.Length < HttpLimits.DefaultMaxHeadBytes);
                break;
            default:
                Assert.Equal(0, result.BytesConsumed);
                Assert.NotEqual(HttpParseError.None, result.Error);
                Assert.Equal(0, log.CompleteCalls);
                break;
        }
    }

    [Fact]
    public void MutatedBodies_NeverThrowAndDecodeTheSameWhateverTheSplit()
    {
        var random = new Random(66560);
        byte[] payload = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog 0123456789");
        string sig = new('c', 64);
        var corpus = new (byte[] Body, int Kind)[]
        {
            (AwsChunkedTests.Encode(payload, 16, Enumerable.Repeat(sig, 5).ToArray(), []), 1),
            (AwsChunkedTests.Encode(payload, 7, Enumerable.Repeat(sig, 9).ToArray(),
                [("x-amz-checksum-crc32", "sOO8/Q=="), ("x-amz-trailer-signature", sig)]), 1),
            (AwsChunkedTests.Encode(payload, 20, [], [("x-amz-checksum-crc32c", "sOO8/Q==")]), 2),
            (Drive.Ascii("4\r\nWiki\r\n7;ext=1\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\nT: v\r\n\r\n"), 0),
        };
        var finals = new Dictionary<OperationStatus, int>();
        for (int i = 0; i < BodyMutations; i++)
        {
            (byte[] source, int kind) = corpus[random.Next(corpus.Length)];
            byte[] input = Mutate(source, random);
            int[] cuts = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(0, input.Length + 1)).ToArray();

            DecodeLog whole = Drive.Run(Make(kind), input);
            DecodeLog split = Drive.Run(Make(kind), input, cuts);
            finals[whole.Final] = finals.GetValueOrDefault(whole.Final) + 1;

            Assert.InRange(whole.Consumed, 0, input.Length);
            Assert.InRange(whole.Data.Length, 0, input.Length);
            Assert.Equal(whole.Final, split.Final);
            Assert.Equal(whole.Events, split.Events);
            Assert.Equal(whole.Data.ToArray(), split.Data.ToArray());
            Assert.Equal(whole.Consumed, split.Consumed);
            if (whole.Final == OperationStatus.Done)
            {
                Assert.Equal("Completed", whole.Events[^1]);
                long declared = whole.Events.Where(e => e.StartsWith("header ", StringComparison.Ordinal))
                    .Sum(e => long.Parse(e.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(declared, whole.Data.Length);
            }
        }

        Assert.All([OperationStatus.Done, OperationStatus.NeedMoreData, OperationStatus.InvalidData],
            s => Assert.True(finals.GetValueOrDefault(s) > 100, string.Join(",", finals)));

        static BodyDecoder Make(int kind) => kind switch
        {
            1 => BodyDecoder.Aws(true),
            2 => BodyDecoder.Aws(false),
            _ => BodyDecoder.Chunked(),
        };
    }
}
