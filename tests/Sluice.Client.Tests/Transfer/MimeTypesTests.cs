using Sluice.Client.Transfer;

namespace Sluice.Client.Tests.Transfer;

/// <summary>The type guess of uploads: each expectation is Python 3.11's mimetypes.guess_type(name)[0] (what aws sends), except the marked additions.</summary>
public class MimeTypesTests
{
    [Theory]
    [InlineData("index.html", "text/html")]
    [InlineData("dir/photo.JPG", "image/jpeg")] // case-insensitive extension
    [InlineData("data.json", "application/json")]
    [InlineData("backup.tar.gz", "application/x-tar")] // the compression suffix is an encoding, not the type
    [InlineData("backup.tgz", "application/x-tar")]
    [InlineData("image.svgz", "image/svg+xml")]
    [InlineData("log.gz", null)] // aws sends no type for these
    [InlineData("log.GZ", null)] // encodings are case-sensitive: .GZ is an unknown extension
    [InlineData(".bashrc", null)]
    [InlineData("noext", null)]
    [InlineData("archive.unknownext", null)]
    [InlineData("a.b/c", null)] // the dot is in a directory name
    [InlineData("font.woff2", "font/woff2")] // addition
    [InlineData("pic.webp", "image/webp")] // addition
    public void Guesses_as_aws_does(string name, string? type) => Assert.Equal(type, MimeTypes.Guess(name));
}
