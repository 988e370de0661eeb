using System.Numerics;
using System.Runtime.InteropServices;

namespace FluidSim.Simulation;

// Implementation note: a run's four distributions sort one value per completed request (a million-request run sorts four
// million doubles), which a comparison sort does in ~50 ms per million. Here each double becomes an unsigned key of the
// same order; an LSD radix sort (11-bit digits, which stream well through the cache) orders the keys by their top 33
// varying bits in at most three passes, and an insertion sort finishes the keys that share those bits, which are
// adjacent by then and rare (values within a relative ~1e-8 of each other but not equal). Should they not be rare, a
// comparison sort takes over, so the worst case stays n log n. Both give the same ascending sequence as a comparison
// sort (the values are never NaN and never -0.0, the only doubles that compare equal with different bits), so the mean
// summed over it is the same to the last bit.

/// <summary>Sorts doubles ascending, in place, in a few passes over memory.</summary>
internal static class DoubleSort
{
    // Below this a comparison sort is cheaper than counting digits.
    private const int RadixThreshold = 1024;
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int MaxPasses = 3;

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
            // Bits above the highest one that varies are the same in every key; sort on up to 33 bits below it.
            var varyingBits = 64 - BitOperations.LeadingZeroCount(min ^ max);
            var passes = Math.Min(MaxPasses, (varyingBits + DigitBits - 1) / DigitBits);
            var low = Math.Max(0, varyingBits - (passes * DigitBits));
            RadixSort(keys, low, passes);
            if (low > 0) FinishTies(keys);
        }

        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            keys[i] = (key >> 63) != 0 ? key & ~(1UL << 63) : ~key;
        }
    }

    /// <summary>Sorts <paramref name="keys"/> stably by bits [low, low + passes * 11), least significant digit first.</summary>
    private static void RadixSort(Span<ulong> keys, int low, int passes)
    {
        var counts = new int[passes * Buckets];
        foreach (var key in keys)
        {
            for (var pass = 0; pass < passes; pass++)
            {
                counts[(pass * Buckets) + (int)((key >> (low + (pass * DigitBits))) & (Buckets - 1))]++;
            }
        }

        var buffer = new ulong[keys.Length];
        Span<ulong> source = keys, target = buffer;
        for (var pass = 0; pass < passes; pass++)
        {
            var passCounts = counts.AsSpan(pass * Buckets, Buckets);
            var shift = low + (pass * DigitBits);
            // A digit that every key shares moves nothing.
            if (passCounts[(int)((source[0] >> shift) & (Buckets - 1))] == source.Length) continue;
            var offset = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = passCounts[b];
                passCounts[b] = offset;
                offset += c;
            }
            foreach (var key in source) target[passCounts[(int)((key >> shift) & (Buckets - 1))]++] = key;
            var swap = source;
            source = target;
            target = swap;
        }
        if (source != keys) source.CopyTo(keys);
    }

    /// <summary>Insertion sort of nearly sorted keys; a comparison sort when they turn out not to be.</summary>
    private static void FinishTies(Span<ulong> keys)
    {
        long moves = 0;
        var budget = 8L * keys.Length;
        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var j = i - 1;
            if (keys[j] <= key) continue;
            while (j >= 0 && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                j--;
            }
            keys[j + 1] = key;
            moves += i - j;
            if (moves > budget)
            {
                keys.Sort();
                return;
            }
        }
    }
}
