using Sluice.Server.Storage;

namespace Sluice.Server.Tests.Storage;

public class StorageNativeTests
{
    [Fact]
    public void Rename_no_replace_refuses_an_existing_target_and_moves_otherwise()
    {
        string dir = Directory.CreateTempSubdirectory("sluice-native-").FullName;
        try
        {
            string a = Path.Join(dir, "a"), b = Path.Join(dir, "b"), c = Path.Join(dir, "c");
            File.WriteAllText(a, "A");
            File.WriteAllText(b, "B");
            Assert.False(StorageNative.RenameNoReplace(a, b));
            Assert.Equal("A", File.ReadAllText(a));
            Assert.Equal("B", File.ReadAllText(b));
            Assert.True(StorageNative.RenameNoReplace(a, c));
            Assert.False(File.Exists(a));
            Assert.Equal("A", File.ReadAllText(c));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
