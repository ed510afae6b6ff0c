using System.Buffers;
using System.Text;
using Sluice.S3.Xml;

namespace Sluice.S3.Tests.Xml;

public class Utf8XmlWriterTests
{
    private static string Text(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new Utf8XmlWriter(buffer);
        w.WriteText(value);
        w.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("plain/key.txt", "plain/key.txt")]
    [InlineData("a&b", "a&amp;b")]
    [InlineData("<tag>", "&lt;tag&gt;")]
    // S3 writes ETags as &quot;…&quot; (AWS ListObjects samples as served); apostrophes per the AWS
    // "XML related object key constraints" table (&apos;).
    [InlineData("\"etag\"", "&quot;etag&quot;")]
    [InlineData("it's", "it&apos;s")]
    [InlineData("x]]>y", "x]]&gt;y")]
    [InlineData("&amp;", "&amp;amp;")]
    public void Escapes_markup_characters(string input, string expected) => Assert.Equal(expected, Text(input));

    [Theory]
    // S3 emits lowercase hex references without padding for C0 controls: `LA&#x1b;` in
    // github.com/aws/aws-sdk-php/issues/169, `&#x1;` in github.com/basho/riak_cs/pull/1255.
    [InlineData("a\u0001b", "a&#x1;b")]
    [InlineData("LA\u001b", "LA&#x1b;")]
    [InlineData("\u0000", "&#x0;")]
    [InlineData("\u0008\u000B\u000C", "&#x8;&#xb;&#xc;")]
    [InlineData("\u001F", "&#x1f;")]
    // Carriage return as a reference: raw CR would be normalised to LF by every parser (XML 1.0 §2.11).
    [InlineData("a\rb", "a&#xd;b")]
    [InlineData("\uFFFE\uFFFF", "&#xfffe;&#xffff;")]
    // Tab and line feed survive element content as they are.
    [InlineData("a\tb\nc", "a\tb\nc")]
    public void Writes_characters_xml_cannot_carry_as_references(string input, string expected) =>
        Assert.Equal(expected, Text(input));

    [Fact]
    public void Writes_unicode_as_utf8()
    {
        string key = "日本語/Ünïcödé/😀🚀.txt";
        Assert.Equal(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(Text(key)));
    }

    [Fact]
    public void Writes_an_unpaired_surrogate_as_replacement_character()
    {
        Assert.Equal("a\uFFFDb", Text("a\uD800b"));
        Assert.Equal("\uFFFD", Text("\uDC00"));
        Assert.Equal("x\uFFFD&amp;", Text("x\uD83D&"));
    }

    [Fact]
    public void Long_text_crossing_buffer_chunks_is_exact()
    {
        // 5000 × 3-byte chars plus an emoji straddling the writer's 4096-byte chunks, and escapes between them.
        var sb = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            sb.Append('€');
            if (i % 1365 == 0)
            {
                sb.Append("😀&\u0001");
            }
        }

        string value = sb.ToString();
        string expected = value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("\u0001", "&#x1;", StringComparison.Ordinal);
        Assert.Equal(expected, Text(value));
    }

    [Fact]
    public void Writes_numbers_booleans_and_timestamps()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new Utf8XmlWriter(buffer);
        w.WriteElement("N"u8, -9223372036854775808L);
        w.WriteElement("T"u8, true);
        w.WriteElement("F"u8, false);
        // Timestamp from the AWS ListObjectsV2 example; a non-UTC offset is converted to UTC.
        w.WriteElement("D"u8, new DateTimeOffset(2009, 10, 12, 17, 50, 30, TimeSpan.Zero));
        w.WriteElement("E"u8, new DateTimeOffset(2009, 10, 12, 19, 50, 30, 7, TimeSpan.FromHours(2)));
        w.Flush();
        Assert.Equal(
            "<N>-9223372036854775808</N><T>true</T><F>false</F>" +
            "<D>2009-10-12T17:50:30.000Z</D><E>2009-10-12T17:50:30.007Z</E>",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Rejects_element_names_that_are_not_plain_ascii_names()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() =>
        {
            var w = new Utf8XmlWriter(buffer);
            w.WriteStartElement("a><b");
        });
    }
}
