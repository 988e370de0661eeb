using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FluidSim.Simulation;

// Implementation note: a run's four distributions sort one value per completed request (a million-request run sorts four
// million doubles), which a comparison sort does in ~50 ms per million. Here each double becomes an unsigned key of the
// same order; an LSD radix sort (digits of at most 11 bits, which stream well through the cache) orders the keys by
// their leading varying bits, as many as log2(n) + 8 bits need passes for (three passes, 33 bits, for a million; two for
// 20,000), and each run of keys that share those bits, adjacent by then and short, is sorted on its own (insertion
// sort, or a comparison sort for a long one, so the worst case stays n log n). Both give the same ascending sequence as a comparison
// sort (the values are never NaN and never -0.0, the only doubles that compare equal with different bits), so the mean
// summed over it is the same to the last bit.
// Before all that, values that are nearly ascending already are sorted by insertion: the delays of an overloaded FCFS run
// are, in completion order (each a few places from its own), and insertion then takes half the time or less. It gives up
// as soon as it has moved the values more than a few places each, and the radix sort takes the permutation it leaves.
// Memory traffic: one pass maps doubles to keys (and finds the varying bits), one counts every digit, one per digit
// scatters, and a last one maps the keys back to doubles while it sorts the runs of ties; the scratch buffer and the
// counts come from the shared array pool, so repeated runs (benchmarks, sweeps) fault no fresh pages in.

/// <summary>Sorts doubles ascending, in place, in a few passes over memory.</summary>
internal static class DoubleSort
{
    // Below this a comparison sort is cheaper than counting digits.
    private const int RadixThreshold = 1024;
    private const int MaxDigitBits = 11;
    // Runs of ties up to this long are sorted by insertion, longer ones by a comparison sort. TPOT leaves thousands of
    // runs of 17 to 64 values (near-equal values that differ in their last bits); as fast by insertion in a warm process,
    // and in a short one they do not wait for the comparison sort's instantiation to leave tier 0.
    private const int ShortRun = 64;
    // Nearly ascending input moves each value by a few places, random input by half of those before it. The first
    // values of a run may be more disordered than the rest (the first requests meet an empty node): an allowance of
    // one move per AllowanceDivisor values.
    private const int MovesPerValue = 8;
    private const int AllowanceDivisor = 16;

    public static void Sort(Span<double> values)
    {
        if (values.Length < RadixThreshold)
        {
            values.Sort();
            return;
        }
        if (TrySortNearlyAscending(values)) return;

        // Map each double to an unsigned key with the same order: flip all bits of negatives, the sign bit of the rest.
        var keys = MemoryMarshal.Cast<double, ulong>(values);
        ulong min = ulong.MaxValue, max = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = ToKey(keys[i]);
            keys[i] = key;
            min = Math.Min(min, key);
            max = Math.Max(max, key);
        }

        if (min == max)
        {
            // Every value is the same: nothing moves.
            for (var i = 0; i < keys.Length; i++) keys[i] = FromKey(keys[i]);
            return;
        }

        // Bits above the highest one that varies are the same in every key. Sort on the next log2(n) + 8 bits below
        // it (ties among n keys spread over 256 n slots are rare), in passes of at most 11 bits.
        var varyingBits = 64 - BitOperations.LeadingZeroCount(min ^ max);
        var passes = (Math.Min(varyingBits, BitOperations.Log2((uint)keys.Length) + 8) + MaxDigitBits - 1) / MaxDigitBits;
        // As many bits as those passes can take: fewer ties left for the last step.
        var sortBits = Math.Min(varyingBits, passes * MaxDigitBits);
        var digitBits = (sortBits + passes - 1) / passes;
        var low = Math.Max(0, varyingBits - (passes * digitBits));
        var buffer = ArrayPool<ulong>.Shared.Rent(keys.Length);
        try
        {
            var sorted = RadixSort(keys, buffer.AsSpan(0, keys.Length), low, passes, digitBits);
            RestoreSortingTies(sorted, values, low);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sorts <paramref name="values"/> by insertion when they are nearly ascending already, as the delays of an overloaded
    /// first-come-first-served run are in completion order. Gives up, leaving a permutation of them, as soon as the values
    /// moved exceed <see cref="MovesPerValue"/> per value looked at (plus one per <see cref="AllowanceDivisor"/> values), so
    /// that other input costs little more than a look.
    /// </summary>
    /// <remarks>
    /// Most values move by fewer than eight places, by a distance no branch predicts: a vector comparison with the eight
    /// before counts the places, and a masked store moves them. Compiled optimised at its first call, for the CPU at hand:
    /// it runs once per sort, so it would never tier up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TrySortNearlyAscending(Span<double> values)
    {
        long moves = 0;
        var allowance = values.Length / AllowanceDivisor;
        ref var first = ref MemoryMarshal.GetReference(values);
        for (var i = 1; i < values.Length; i++)
        {
            var value = Unsafe.Add(ref first, i);
            if (value >= Unsafe.Add(ref first, i - 1)) continue;
            // [0, hole) is ascending and the slot at hole is free: the values greater than this one are the last of it.
            var hole = i;
            var placed = false;
            if (Vector256.IsHardwareAccelerated)
            {
                var v = Vector256.Create(value);
                while (hole >= 8)
                {
                    var below = Vector256.LoadUnsafe(ref first, (nuint)(hole - 8));
                    var belowHigh = Vector256.LoadUnsafe(ref first, (nuint)(hole - 4));
                    var greater = Vector256.GreaterThan(below, v);
                    var greaterHigh = Vector256.GreaterThan(belowHigh, v);
                    var greaterMask = greater.ExtractMostSignificantBits();
                    if ((greaterMask & 1) != 0)
                    {
                        // All eight are greater: each moves up one place.
                        below.StoreUnsafe(ref first, (nuint)(hole - 7));
                        belowHigh.StoreUnsafe(ref first, (nuint)(hole - 3));
                        hole -= 8;
                        continue;
                    }
                    var at = Vector256.LoadUnsafe(ref first, (nuint)(hole - 7));
                    var atHigh = Vector256.LoadUnsafe(ref first, (nuint)(hole - 3));
                    Vector256.ConditionalSelect(greater, below, at).StoreUnsafe(ref first, (nuint)(hole - 7));
                    Vector256.ConditionalSelect(greaterHigh, belowHigh, atHigh).StoreUnsafe(ref first, (nuint)(hole - 3));
                    hole -= BitOperations.PopCount(greaterMask) + BitOperations.PopCount(greaterHigh.ExtractMostSignificantBits());
                    placed = true;
                    break;
                }
            }
            if (!placed)
            {
                while (hole > 0 && Unsafe.Add(ref first, hole - 1) > value)
                {
                    Unsafe.Add(ref first, hole) = Unsafe.Add(ref first, hole - 1);
                    hole--;
                }
            }
            Unsafe.Add(ref first, hole) = value;
            moves += i - hole;
            if (moves > (MovesPerValue * (long)i) + allowance) return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ToKey(ulong bits) => (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FromKey(ulong key) => (key >> 63) != 0 ? key & ~(1UL << 63) : ~key;

    /// <summary>
    /// Sorts <paramref name="keys"/> stably by bits [low, low + passes * digitBits), least significant digit first, moving
    /// them between <paramref name="keys"/> and <paramref name="buffer"/> (same length); returns the one holding the result.
    /// </summary>
    private static Span<ulong> RadixSort(Span<ulong> keys, Span<ulong> buffer, int low, int passes, int digitBits)
    {
        var buckets = 1 << digitBits;
        var mask = (ulong)(buckets - 1);
        var countsArray = ArrayPool<int>.Shared.Rent(passes * buckets);
        try
        {
            var counts = countsArray.AsSpan(0, passes * buckets);
            counts.Clear();
            // Every digit's counts in one pass (passes is 1 to 4: n < 2^31 gives at most 39 bits).
            ref var count = ref MemoryMarshal.GetReference(counts);
            foreach (var key in keys)
            {
                var digits = key >> low;
                Unsafe.Add(ref count, (int)(digits & mask))++;
                if (passes > 1) Unsafe.Add(ref count, buckets + (int)((digits >> digitBits) & mask))++;
                if (passes > 2) Unsafe.Add(ref count, (2 * buckets) + (int)((digits >> (2 * digitBits)) & mask))++;
                if (passes > 3) Unsafe.Add(ref count, (3 * buckets) + (int)((digits >> (3 * digitBits)) & mask))++;
            }

            Span<ulong> source = keys, target = buffer;
            for (var pass = 0; pass < passes; pass++)
            {
                var passCounts = counts.Slice(pass * buckets, buckets);
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
                // The offsets stay within target: they partition [0, length) by digit.
                ref var next = ref MemoryMarshal.GetReference(passCounts);
                ref var to = ref MemoryMarshal.GetReference(target);
                foreach (var key in source)
                {
                    ref var slot = ref Unsafe.Add(ref next, (int)((key >> shift) & mask));
                    Unsafe.Add(ref to, slot++) = key;
                }
                var swap = source;
                source = target;
                target = swap;
            }
            return source;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(countsArray);
        }
    }

    /// <summary>
    /// Writes the keys of <paramref name="sorted"/> (which may be <paramref name="values"/>' own memory) back into
    /// <paramref name="values"/> as doubles, sorting each run of values whose keys agree above bit <paramref name="low"/>.
    /// </summary>
    private static void RestoreSortingTies(ReadOnlySpan<ulong> sorted, Span<double> values, int low)
    {
        // Position i is read before it is written, and a run is sorted only once all of it is written: aliasing is safe.
        if (low == 0)
        {
            // Sorted on every bit: equal keys are equal values.
            for (var i = 0; i < sorted.Length; i++) values[i] = BitConverter.UInt64BitsToDouble(FromKey(sorted[i]));
            return;
        }
        var runStart = 0;
        var runHigh = sorted[0] >> low;
        for (var i = 0; i < sorted.Length; i++)
        {
            var key = sorted[i];
            values[i] = BitConverter.UInt64BitsToDouble(FromKey(key));
            var high = key >> low;
            if (high == runHigh) continue;
            if (i - runStart > 1) SortRun(values[runStart..i]);
            runStart = i;
            runHigh = high;
        }
        if (sorted.Length - runStart > 1) SortRun(values[runStart..]);
    }

    private static bool IsAscending(ReadOnlySpan<double> run)
    {
        for (var i = 1; i < run.Length; i++)
        {
            if (run[i] < run[i - 1]) return false;
        }
        return true;
    }

    /// <summary>Sorts one run of ties (short as a rule): by insertion, or by a comparison sort when long.</summary>
    private static void SortRun(Span<double> run)
    {
        if (run.Length > ShortRun)
        {
            // A long run is mostly one value repeated (a delay that many requests share): then it is already in order.
            if (!IsAscending(run)) run.Sort();
            return;
        }
        for (var i = 1; i < run.Length; i++)
        {
            var value = run[i];
            var j = i - 1;
            while (j >= 0 && run[j] > value)
            {
                run[j + 1] = run[j];
                j--;
            }
            run[j + 1] = value;
        }
    }
}
