namespace Sluice.S3.Xml;

/// <summary>
/// The <c>CommonPrefixes</c> groups of ListObjects and ListMultipartUploads share one shape (one <c>Prefix</c>
/// each, URL-encoded with <c>EncodingType=url</c>); this writes, reads and decodes it.
/// </summary>
internal static class CommonPrefixesXml
{
    public static void Write(ref Utf8XmlWriter w, IList<string> prefixes, bool url)
    {
        // IList<T> indexing avoids the boxed enumerator of the interface's foreach.
        for (int i = 0; i < prefixes.Count; i++)
        {
            w.WriteStartElement("CommonPrefixes"u8);
            w.WriteKeyElement("Prefix"u8, prefixes[i], url);
            w.WriteEndElement("CommonPrefixes"u8);
        }
    }

    /// <summary>Reads one <c>CommonPrefixes</c> element (the reader is on it) into <paramref name="prefixes"/>.</summary>
    public static void Read(XmlBodyReader reader, IList<string> prefixes)
    {
        foreach (string child in reader.Children())
        {
            if (child == "Prefix")
            {
                prefixes.Add(reader.ReadKey());
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Decodes every prefix in place, for a document that declared <c>EncodingType=url</c>.</summary>
    public static void UrlDecode(IList<string> prefixes)
    {
        for (int i = 0; i < prefixes.Count; i++)
        {
            prefixes[i] = XmlBodyReader.UrlDecode(prefixes[i]);
        }
    }
}
