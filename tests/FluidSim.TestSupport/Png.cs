using System.Buffers.Binary;
using System.Text;

namespace FluidSim.TestSupport;

/// <summary>Checks that a file is a whole, well-formed PNG, read by hand rather than by the library that drew it.</summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Width and height from the IHDR chunk, after checking the signature, that IHDR comes first, that every chunk's CRC
    /// is right, that there is image data, and that the file ends with IEND: a truncated or corrupted file fails.
    /// </summary>
    public static (int Width, int Height) Size(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > Signature.Length && bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature), $"{path}: not a PNG signature");
        var chunks = new List<string>();
        (int, int)? size = null;
        var at = Signature.Length;
        while (at < bytes.Length)
        {
            Assert.True(at + 12 <= bytes.Length, $"{path}: truncated chunk header at byte {at}");
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            Assert.True(length >= 0 && at + 12 + (long)length <= bytes.Length, $"{path}: chunk at byte {at} runs past the end");
            var type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + length));
            Assert.True(crc == Crc32(bytes.AsSpan(at + 4, 4 + length)), $"{path}: bad CRC in chunk {type} at byte {at}");
            if (type == "IHDR")
            {
                Assert.Equal(13, length);
                size = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 8)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 12)));
            }
            chunks.Add(type);
            at += 12 + length;
        }
        Assert.True(chunks.Count > 0 && chunks[0] == "IHDR", $"{path}: IHDR is not the first chunk ({string.Join(", ", chunks)})");
        Assert.Contains("IDAT", chunks);
        Assert.Equal("IEND", chunks[^1]);
        return size!.Value;
    }

    /// <summary>CRC-32 of the PNG specification (ISO 3309, polynomial 0xEDB88320, reflected), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
