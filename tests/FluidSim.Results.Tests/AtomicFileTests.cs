namespace FluidSim.Results.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Replaces_the_target_and_leaves_no_temporary_file()
    {
        var path = _dir.Write("out.txt", "old");

        AtomicFile.Write(path, s => s.Write("new content"u8));

        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal(["out.txt"], _dir.Entries());
    }

    [Fact]
    public void A_failing_write_keeps_the_old_file_and_deletes_the_temporary_one()
    {
        var path = _dir.Write("out.txt", "old");

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half"u8);
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["out.txt"], _dir.Entries());
    }

    [Fact]
    public void The_temporary_file_is_hidden_beside_the_target_while_writing()
    {
        var path = _dir.File("table.csv");
        string[] during = [];

        AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            during = _dir.Entries();
        });

        var temp = Assert.Single(during);
        Assert.StartsWith(".table.csv.tmp-", temp, StringComparison.Ordinal);
        Assert.Equal(["table.csv"], _dir.Entries());
    }

    [Fact]
    public async Task Async_write_replaces_the_target_and_cleans_up_on_failure()
    {
        var path = _dir.File("out.bin");

        await AtomicFile.WriteAsync(path, async s => await s.WriteAsync(new byte[] { 1, 2, 3 }));
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(path));

        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(path, async s =>
        {
            await s.WriteAsync(new byte[] { 9 });
            throw new IOException("disk full");
        }));
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(path));
        Assert.Equal(["out.bin"], _dir.Entries());
    }

    [Fact]
    public void Write_all_text_is_utf8_without_a_byte_order_mark()
    {
        var path = _dir.File("sweep.yaml");

        AtomicFile.WriteAllText(path, "name: é\n");

        Assert.Equal("name: é\n"u8.ToArray(), File.ReadAllBytes(path));
    }
}
