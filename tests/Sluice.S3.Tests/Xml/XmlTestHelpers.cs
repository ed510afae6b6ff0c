using System.Buffers;
using System.Text;

namespace Sluice.S3.Tests.Xml;

internal static class XmlTestHelpers
{
    public static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static byte[] WriteBytes(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    public const string Ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
}
