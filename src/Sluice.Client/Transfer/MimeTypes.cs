using System.Collections.Frozen;

namespace Sluice.Client.Transfer;

/// <summary>
/// The Content-Type of a file name, as the AWS CLI guesses it (Python's <c>mimetypes.guess_type(name)[0]</c>): the
/// extension looked up case-insensitively after <c>.tgz</c>-style aliases are expanded and a compression suffix
/// (<c>.gz</c>, <c>.Z</c>, <c>.bz2</c>, <c>.xz</c>, <c>.br</c>, case-sensitive) is set aside — so <c>a.tar.gz</c> is
/// application/x-tar and <c>a.gz</c> has no type, as with aws. The table is Python 3.11's built-in one (aws on a
/// machine with /etc/mime.types also reads that file; this does not, so the answer is the same everywhere) plus
/// common types Python's table lacks (fonts, WebP, Markdown, YAML, Office Open XML, ...).
/// </summary>
public static class MimeTypes
{
    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Python 3.11 mimetypes._types_map_default.
        [".3g2"] = "audio/3gpp2", [".3gp"] = "audio/3gpp", [".3gpp"] = "audio/3gpp", [".3gpp2"] = "audio/3gpp2",
        [".a"] = "application/octet-stream", [".aac"] = "audio/aac", [".adts"] = "audio/aac",
        [".ai"] = "application/postscript", [".aif"] = "audio/x-aiff", [".aifc"] = "audio/x-aiff",
        [".aiff"] = "audio/x-aiff", [".ass"] = "audio/aac", [".au"] = "audio/basic", [".avi"] = "video/x-msvideo",
        [".avif"] = "image/avif", [".bat"] = "text/plain", [".bcpio"] = "application/x-bcpio",
        [".bin"] = "application/octet-stream", [".bmp"] = "image/bmp", [".c"] = "text/plain",
        [".cdf"] = "application/x-netcdf", [".cpio"] = "application/x-cpio", [".csh"] = "application/x-csh",
        [".css"] = "text/css", [".csv"] = "text/csv", [".dll"] = "application/octet-stream",
        [".doc"] = "application/msword", [".dot"] = "application/msword", [".dvi"] = "application/x-dvi",
        [".eml"] = "message/rfc822", [".eps"] = "application/postscript", [".etx"] = "text/x-setext",
        [".exe"] = "application/octet-stream", [".gif"] = "image/gif", [".gtar"] = "application/x-gtar",
        [".h"] = "text/plain", [".h5"] = "application/x-hdf5", [".hdf"] = "application/x-hdf",
        [".heic"] = "image/heic", [".heif"] = "image/heif", [".htm"] = "text/html", [".html"] = "text/html",
        [".ico"] = "image/vnd.microsoft.icon", [".ief"] = "image/ief", [".jpe"] = "image/jpeg",
        [".jpeg"] = "image/jpeg", [".jpg"] = "image/jpeg", [".js"] = "application/javascript",
        [".json"] = "application/json", [".ksh"] = "text/plain", [".latex"] = "application/x-latex",
        [".loas"] = "audio/aac", [".m1v"] = "video/mpeg", [".m3u"] = "application/vnd.apple.mpegurl",
        [".m3u8"] = "application/vnd.apple.mpegurl", [".man"] = "application/x-troff-man",
        [".me"] = "application/x-troff-me", [".mht"] = "message/rfc822", [".mhtml"] = "message/rfc822",
        [".mif"] = "application/x-mif", [".mjs"] = "application/javascript", [".mov"] = "video/quicktime",
        [".movie"] = "video/x-sgi-movie", [".mp2"] = "audio/mpeg", [".mp3"] = "audio/mpeg", [".mp4"] = "video/mp4",
        [".mpa"] = "video/mpeg", [".mpe"] = "video/mpeg", [".mpeg"] = "video/mpeg", [".mpg"] = "video/mpeg",
        [".ms"] = "application/x-troff-ms", [".n3"] = "text/n3", [".nc"] = "application/x-netcdf",
        [".nq"] = "application/n-quads", [".nt"] = "application/n-triples", [".nws"] = "message/rfc822",
        [".o"] = "application/octet-stream", [".obj"] = "application/octet-stream", [".oda"] = "application/oda",
        [".opus"] = "audio/opus", [".p12"] = "application/x-pkcs12", [".p7c"] = "application/pkcs7-mime",
        [".pbm"] = "image/x-portable-bitmap", [".pdf"] = "application/pdf", [".pfx"] = "application/x-pkcs12",
        [".pgm"] = "image/x-portable-graymap", [".pl"] = "text/plain", [".png"] = "image/png",
        [".pnm"] = "image/x-portable-anymap", [".pot"] = "application/vnd.ms-powerpoint",
        [".ppa"] = "application/vnd.ms-powerpoint", [".ppm"] = "image/x-portable-pixmap",
        [".pps"] = "application/vnd.ms-powerpoint", [".ppt"] = "application/vnd.ms-powerpoint",
        [".ps"] = "application/postscript", [".pwz"] = "application/vnd.ms-powerpoint", [".py"] = "text/x-python",
        [".pyc"] = "application/x-python-code", [".pyo"] = "application/x-python-code", [".qt"] = "video/quicktime",
        [".ra"] = "audio/x-pn-realaudio", [".ram"] = "application/x-pn-realaudio", [".ras"] = "image/x-cmu-raster",
        [".rdf"] = "application/xml", [".rgb"] = "image/x-rgb", [".roff"] = "application/x-troff",
        [".rtx"] = "text/richtext", [".sgm"] = "text/x-sgml", [".sgml"] = "text/x-sgml", [".sh"] = "application/x-sh",
        [".shar"] = "application/x-shar", [".snd"] = "audio/basic", [".so"] = "application/octet-stream",
        [".src"] = "application/x-wais-source", [".srt"] = "text/plain", [".sv4cpio"] = "application/x-sv4cpio",
        [".sv4crc"] = "application/x-sv4crc", [".svg"] = "image/svg+xml", [".swf"] = "application/x-shockwave-flash",
        [".t"] = "application/x-troff", [".tar"] = "application/x-tar", [".tcl"] = "application/x-tcl",
        [".tex"] = "application/x-tex", [".texi"] = "application/x-texinfo", [".texinfo"] = "application/x-texinfo",
        [".tif"] = "image/tiff", [".tiff"] = "image/tiff", [".tr"] = "application/x-troff",
        [".trig"] = "application/trig", [".tsv"] = "text/tab-separated-values", [".txt"] = "text/plain",
        [".ustar"] = "application/x-ustar", [".vcf"] = "text/x-vcard", [".vtt"] = "text/vtt",
        [".wasm"] = "application/wasm", [".wav"] = "audio/x-wav", [".webm"] = "video/webm",
        [".webmanifest"] = "application/manifest+json", [".wiz"] = "application/msword",
        [".wsdl"] = "application/xml", [".xbm"] = "image/x-xbitmap", [".xlb"] = "application/vnd.ms-excel",
        [".xls"] = "application/vnd.ms-excel", [".xml"] = "text/xml", [".xpdl"] = "application/xml",
        [".xpm"] = "image/x-xpixmap", [".xsl"] = "application/xml", [".xwd"] = "image/x-xwindowdump",
        [".zip"] = "application/zip",
        // Not in Python 3.11's table.
        [".7z"] = "application/x-7z-compressed", [".apk"] = "application/vnd.android.package-archive",
        [".deb"] = "application/vnd.debian.binary-package",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".epub"] = "application/epub+zip", [".flac"] = "audio/flac", [".ics"] = "text/calendar",
        [".iso"] = "application/x-iso9660-image", [".jar"] = "application/java-archive", [".md"] = "text/markdown",
        [".mkv"] = "video/x-matroska", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ogg"] = "audio/ogg", [".otf"] = "font/otf",
        [".parquet"] = "application/vnd.apache.parquet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".rpm"] = "application/x-rpm", [".rtf"] = "application/rtf", [".toml"] = "application/toml",
        [".ttf"] = "font/ttf", [".webp"] = "image/webp", [".woff"] = "font/woff", [".woff2"] = "font/woff2",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".yaml"] = "application/yaml", [".yml"] = "application/yaml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".svgz"] = ".svg.gz", [".tgz"] = ".tar.gz", [".taz"] = ".tar.gz", [".tz"] = ".tar.gz", [".tbz2"] = ".tar.bz2", [".txz"] = ".tar.xz",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Encodings = new[] { ".gz", ".Z", ".bz2", ".xz", ".br" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The type of <paramref name="path"/>'s extension, or null when it has none or an unknown one.</summary>
    public static string? Guess(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = path[(path.LastIndexOf('/') + 1)..];
        string stem = name, ext = Extension(name, out stem);
        while (Aliases.TryGetValue(ext.ToLowerInvariant(), out string? alias)) ext = Extension(stem + alias, out stem);
        if (Encodings.Contains(ext)) ext = Extension(stem, out _);
        return ext.Length > 0 && Types.TryGetValue(ext.ToLowerInvariant(), out string? type) ? type : null;
    }

    // posixpath.splitext: the last '.' and what follows, unless the name is only dots before it (".bashrc" has none).
    private static string Extension(string name, out string stem)
    {
        int dot = name.LastIndexOf('.');
        if (dot <= 0 || name.AsSpan(0, dot).TrimStart('.').IsEmpty)
        {
            stem = name;
            return "";
        }
        stem = name[..dot];
        return name[dot..];
    }
}
