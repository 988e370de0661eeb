using System.Numerics;
using System.Runtime.InteropServices;

namespace FluidSim.Simulation;

// Implementation note: a run's four distributions sort one value per completed request (a million-request run sorts four
// million doubles), which a comparison sort does in ~50 ms per million. Here each double becomes an unsigned key of the
// same order; an LSD radix sort (digits of at most 11 bits, which stream well through the cache) orders the keys by
// their leading varying bits, as many as log2(n) + 8 bits need passes for (three passes, 33 bits, for a million; two for
// 20,000), and each run of keys that share those bits, adjacent by then and short, is sorted on its own (insertion
// sort, or a comparison sort for a long one, so the worst case stays n log n). Both give the same ascending sequence as a comparison
// sort (the values are never NaN and never -0.0, the only doubles that compare equal with different bits), so the mean
// summed over it is the same to the last bit.

/// <summary>Sorts doubles ascending, in place, in a few passes over memory.</summary>
internal static class DoubleSort
{
    // Below this a comparison sort is cheaper than counting digits.
    private const int RadixThreshold = 1024;
    private const int MaxDigitBits = 11;

    public static void Sort(Span<double> values)
    {
        if (values.Length < RadixThreshold)
        {
            values.Sort();
            return;
        }

        // Map each double to an unsigned key with the same order: flip all bits of negatives, the sign bit of the rest.
        var keys = MemoryMarshal.Cast<double, ulong>(values);
        ulong min = ulong.MaxValue, max = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var bits = keys[i];
            var key = (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);
            keys[i] = key;
            min = Math.Min(min, key);
            max = Math.Max(max, key);
        }

        if (min != max)
        {
            // Bits above the highest one that varies are the same in every key. Sort on the next log2(n) + 8 bits below
            // it (ties among n keys spread over 256 n slots are rare), in passes of at most 11 bits.
            var varyingBits = 64 - BitOperations.LeadingZeroCount(min ^ max);
            var passes = (Math.Min(varyingBits, BitOperations.Log2((uint)keys.Length) + 8) + MaxDigitBits - 1) / MaxDigitBits;
            // As many bits as those passes can take: fewer ties left for the second step.
            var sortBits = Math.Min(varyingBits, passes * MaxDigitBits);
            var digitBits = (sortBits + passes - 1) / passes;
            var low = Math.Max(0, varyingBits - (passes * digitBits));
            RadixSort(keys, low, passes, digitBits);
            if (low > 0) SortTies(keys, low);
        }

        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            keys[i] = (key >> 63) != 0 ? key & ~(1UL << 63) : ~key;
        }
    }

    /// <summary>Sorts <paramref name="keys"/> stably by bits [low, low + passes * digitBits), least significant digit first.</summary>
    private static void RadixSort(Span<ulong> keys, int low, int passes, int digitBits)
    {
        var buckets = 1 << digitBits;
        var mask = (ulong)(buckets - 1);
        var counts = new int[passes * buckets];
        foreach (var key in keys)
        {
            for (var pass = 0; pass < passes; pass++)
            {
                counts[(pass * buckets) + (int)((key >> (low + (pass * digitBits))) & mask)]++;
            }
        }

        var buffer = GC.AllocateUninitializedArray<ulong>(keys.Length);
        Span<ulong> source = keys, target = buffer;
        for (var pass = 0; pass < passes; pass++)
        {
            var passCounts = counts.AsSpan(pass * buckets, buckets);
            var shift = low + (pass * digitBits);
            // A digit that every key shares moves nothing.
            if (passCounts[(int)((source[0] >> shift) & mask)] == source.Length) continue;
            var offset = 0;
            for (var b = 0; b < buckets; b++)
            {
                var c = passCounts[b];
                passCounts[b] = offset;
                offset += c;
            }
            foreach (var key in source) target[passCounts[(int)((key >> shift) & mask)]++] = key;
            var swap = source;
            source = target;
            target = swap;
        }
        if (source != keys) source.CopyTo(keys);
    }

    /// <summary>Sorts each run of keys that agree above bit <paramref name="low"/> (adjacent after the radix passes).</summary>
    private static void SortTies(Span<ulong> keys, int low)
    {
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i < keys.Length && (keys[i] >> low) == (keys[start] >> low)) continue;
            var run = keys[start..i];
            if (run.Length > 16) run.Sort();
            else if (run.Length > 1) InsertionSort(run);
            start = i;
        }
    }

    private static void InsertionSort(Span<ulong> keys)
    {
        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var j = i - 1;
            while (j >= 0 && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                j--;
            }
            keys[j + 1] = key;
        }
    }
}
