using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FluidSim.Simulation;

// Implementation note: a run's four distributions sort one value per completed request (a million-request run sorts four
// million doubles), which a comparison sort does in ~50 ms per million. Here each double becomes an unsigned key of the
// same order, and an LSD radix sort in 8-bit digits (256 buckets, whose write positions stay in the L1 cache: on this
// project's machines a pass of 11-bit digits took 2.5 times as long) orders the keys' offsets from the least key on all
// of their bits, so no ties are left to sort. It gives the same ascending sequence as a comparison sort (the values are
// never NaN and never -0.0, the only doubles that compare equal with different bits), so the mean summed over it is the
// same to the last bit.
// Why every bit: the simulator's values cluster where only the last bits differ (a TPOT is a sum of batch durations
// rounded one way or another, and many requests share one), so sorting on the leading log2(n) + 8 bits left most of a
// million TPOTs in runs of ties, and sorting those runs cost as much as the radix passes.
// Before all that, values that are nearly ascending already are sorted by insertion: the delays of an overloaded FCFS run
// are, in completion order (each a few places from its own). With AVX-512 the last 32 values of the sorted prefix stay
// in registers and a value is placed among them without a branch, about 7 ns a value. It gives up as soon as it has
// moved the values more than a few places each, and the radix sort takes the permutation it leaves.
// Memory traffic: one pass maps doubles to keys (and finds the least and greatest), one takes the offsets and counts
// every digit, one per digit scatters, and a last one maps the keys back to doubles; the scratch buffer and the counts
// come from the shared array pool, so repeated runs (benchmarks, sweeps) fault no fresh pages in. The passes that map
// keys run eight keys at a time where AVX-512 is there.

/// <summary>Sorts doubles ascending, in place, in a few passes over memory.</summary>
internal static class DoubleSort
{
    // Below this a comparison sort is cheaper than counting digits.
    private const int RadixThreshold = 1024;
    private const int DigitBits = 8;
    private const int Buckets = 1 << DigitBits;
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
        var (min, max) = ToKeys(keys);
        if (min == max)
        {
            // Every value is the same: nothing moves.
            FromKeys(keys, keys, 0);
            return;
        }

        var passes = (64 - BitOperations.LeadingZeroCount(max - min) + DigitBits - 1) / DigitBits;
        var buffer = ArrayPool<ulong>.Shared.Rent(keys.Length);
        try
        {
            var sorted = RadixSort(keys, buffer.AsSpan(0, keys.Length), min, passes);
            FromKeys(sorted, keys, min);
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
    /// Compiled optimised at its first call, for the CPU at hand: it runs once per sort, so it would never tier up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TrySortNearlyAscending(Span<double> values)
    {
        long moves = 0;
        var allowance = values.Length / AllowanceDivisor;
        ref var first = ref MemoryMarshal.GetReference(values);
        var i = 1;
        if (Avx512F.IsSupported && values.Length > Window)
        {
            for (; i < Window; i++) moves += InsertIntoPrefix(ref first, i);
            return TryInsertThroughWindow(ref first, values.Length, moves, allowance);
        }
        for (; i < values.Length; i++)
        {
            moves += InsertIntoPrefix(ref first, i);
            if (moves > (MovesPerValue * (long)i) + allowance) return false;
        }
        return true;
    }

    // The last Window values of the sorted prefix, held in four registers: most values of a nearly ascending sequence
    // move fewer places than that (in a million-request run's waiting times, 99% of them).
    private const int Window = 32;

    /// <summary>
    /// Inserts values [Window, length) into the sorted prefix before each. The prefix's last <see cref="Window"/> values
    /// stay in registers: a value that belongs among them is placed by comparing it with all of them at once and
    /// blending, with no branch on how far it moves (most move a few places, by a distance no branch predicts) and no
    /// reload of memory just written. A value that belongs below them all goes through memory instead; only those moves
    /// count against the allowance (the others are bounded by the window), so random input still gives up at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryInsertThroughWindow(ref double first, int length, long moves, long allowance)
    {
        LoadWindow(ref first, Window, out var w0, out var w1, out var w2, out var w3);
        var allSet = Vector512<ulong>.AllBitsSet;
        for (var i = Window; i < length; i++)
        {
            var value = Unsafe.Add(ref first, i);
            if (value < w0.ToScalar())
            {
                // Below the whole window: write it back, insert through memory, take the new last Window values.
                StoreWindow(ref first, i, w0, w1, w2, w3);
                moves += InsertIntoPrefix(ref first, i);
                if (moves > (MovesPerValue * (long)i) + allowance) return false;
                LoadWindow(ref first, i + 1, out w0, out w1, out w2, out w3);
                continue;
            }
            // The window's lowest value leaves it, final in the prefix; the values up to the first greater one shift
            // down one lane, the value takes the lane below that one, the greater ones stay.
            Unsafe.Add(ref first, i - Window) = w0.ToScalar();
            var v = Vector512.Create(value);
            var g0 = Vector512.GreaterThan(w0, v).AsUInt64();
            var g1 = Vector512.GreaterThan(w1, v).AsUInt64();
            var g2 = Vector512.GreaterThan(w2, v).AsUInt64();
            var g3 = Vector512.GreaterThan(w3, v).AsUInt64();
            // Lane j of next* is lane j + 1 of the window (or of its mask); above the window every value counts as greater.
            var next0 = Avx512F.AlignRight64(w1.AsUInt64(), w0.AsUInt64(), 1).AsDouble();
            var next1 = Avx512F.AlignRight64(w2.AsUInt64(), w1.AsUInt64(), 1).AsDouble();
            var next2 = Avx512F.AlignRight64(w3.AsUInt64(), w2.AsUInt64(), 1).AsDouble();
            var next3 = Avx512F.AlignRight64(w3.AsUInt64(), w3.AsUInt64(), 1).AsDouble();
            var nextGreater0 = Avx512F.AlignRight64(g1, g0, 1).AsDouble();
            var nextGreater1 = Avx512F.AlignRight64(g2, g1, 1).AsDouble();
            var nextGreater2 = Avx512F.AlignRight64(g3, g2, 1).AsDouble();
            var nextGreater3 = Avx512F.AlignRight64(allSet, g3, 1).AsDouble();
            w0 = Vector512.ConditionalSelect(g0.AsDouble(), w0, Vector512.ConditionalSelect(nextGreater0, v, next0));
            w1 = Vector512.ConditionalSelect(g1.AsDouble(), w1, Vector512.ConditionalSelect(nextGreater1, v, next1));
            w2 = Vector512.ConditionalSelect(g2.AsDouble(), w2, Vector512.ConditionalSelect(nextGreater2, v, next2));
            w3 = Vector512.ConditionalSelect(g3.AsDouble(), w3, Vector512.ConditionalSelect(nextGreater3, v, next3));
        }
        StoreWindow(ref first, length, w0, w1, w2, w3);
        return true;
    }

    /// <summary>The four registers of the window from the <see cref="Window"/> values before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadWindow(
        ref double first, int end, out Vector512<double> w0, out Vector512<double> w1, out Vector512<double> w2, out Vector512<double> w3)
    {
        var start = (nuint)(end - Window);
        w0 = Vector512.LoadUnsafe(ref first, start);
        w1 = Vector512.LoadUnsafe(ref first, start + 8);
        w2 = Vector512.LoadUnsafe(ref first, start + 16);
        w3 = Vector512.LoadUnsafe(ref first, start + 24);
    }

    /// <summary>Writes the window's four registers to the <see cref="Window"/> values before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWindow(
        ref double first, int end, Vector512<double> w0, Vector512<double> w1, Vector512<double> w2, Vector512<double> w3)
    {
        var start = (nuint)(end - Window);
        w0.StoreUnsafe(ref first, start);
        w1.StoreUnsafe(ref first, start + 8);
        w2.StoreUnsafe(ref first, start + 16);
        w3.StoreUnsafe(ref first, start + 24);
    }

    /// <summary>
    /// Inserts the value at <paramref name="i"/> into the ascending values [0, i) before it; returns how many places it
    /// moved.
    /// </summary>
    /// <remarks>
    /// Most values move by fewer than eight places, by a distance no branch predicts: a vector comparison with the eight
    /// before counts the places, and a masked store moves them.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int InsertIntoPrefix(ref double first, int i)
    {
        var value = Unsafe.Add(ref first, i);
        if (value >= Unsafe.Add(ref first, i - 1)) return 0;
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
        return i - hole;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ToKey(ulong bits) => (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);

    /// <summary>Maps each double's bits in <paramref name="keys"/> to its key, in place; returns the least and greatest key.</summary>
    private static (ulong Min, ulong Max) ToKeys(Span<ulong> keys)
    {
        ulong min = ulong.MaxValue, max = 0;
        var i = 0;
        if (Vector512.IsHardwareAccelerated && keys.Length >= Vector512<ulong>.Count)
        {
            ref var key = ref MemoryMarshal.GetReference(keys);
            var minimum = Vector512<ulong>.AllBitsSet;
            var maximum = Vector512<ulong>.Zero;
            for (; i <= keys.Length - Vector512<ulong>.Count; i += Vector512<ulong>.Count)
            {
                var mapped = ToKeyLanes(Vector512.LoadUnsafe(ref key, (nuint)i));
                mapped.StoreUnsafe(ref key, (nuint)i);
                minimum = Vector512.Min(minimum, mapped);
                maximum = Vector512.Max(maximum, mapped);
            }
            for (var lane = 0; lane < Vector512<ulong>.Count; lane++)
            {
                min = Math.Min(min, minimum[lane]);
                max = Math.Max(max, maximum[lane]);
            }
        }
        for (; i < keys.Length; i++)
        {
            var mapped = ToKey(keys[i]);
            keys[i] = mapped;
            min = Math.Min(min, mapped);
            max = Math.Max(max, mapped);
        }
        return (min, max);
    }

    /// <summary>
    /// Writes the double of each key of <paramref name="keys"/> plus <paramref name="offset"/> into
    /// <paramref name="values"/> (which may be the same memory).
    /// </summary>
    private static void FromKeys(ReadOnlySpan<ulong> keys, Span<ulong> values, ulong offset)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated && keys.Length >= Vector512<ulong>.Count)
        {
            ref var key = ref MemoryMarshal.GetReference(keys);
            ref var value = ref MemoryMarshal.GetReference(values);
            var offsets = Vector512.Create(offset);
            for (; i <= keys.Length - Vector512<ulong>.Count; i += Vector512<ulong>.Count)
            {
                FromKeyLanes(Vector512.LoadUnsafe(ref key, (nuint)i) + offsets).StoreUnsafe(ref value, (nuint)i);
            }
        }
        for (; i < keys.Length; i++) values[i] = FromKey(keys[i] + offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FromKey(ulong key) => (key >> 63) != 0 ? key & ~(1UL << 63) : ~key;

    /// <summary><see cref="ToKey"/> of eight values: all bits flipped for a negative value, the sign bit alone for the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> ToKeyLanes(Vector512<ulong> bits) =>
        bits ^ (Vector512.ShiftRightArithmetic(bits.AsInt64(), 63).AsUInt64() | Vector512.Create(1UL << 63));

    /// <summary><see cref="FromKey"/> of eight keys: the sign bit alone for a key with it set (a positive value), all bits for the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> FromKeyLanes(Vector512<ulong> keys) =>
        keys ^ ((Vector512.ShiftRightLogical(keys, 63) - Vector512<ulong>.One) | Vector512.Create(1UL << 63));

    /// <summary>
    /// Sorts <paramref name="keys"/> by their offsets from <paramref name="min"/> (the least of them), which take
    /// <paramref name="passes"/> digits, least significant digit first, moving them between <paramref name="keys"/> and
    /// <paramref name="buffer"/> (same length); returns the one holding the offsets in ascending order.
    /// </summary>
    private static Span<ulong> RadixSort(Span<ulong> keys, Span<ulong> buffer, ulong min, int passes)
    {
        var countsArray = ArrayPool<int>.Shared.Rent(passes * Buckets);
        try
        {
            var counts = countsArray.AsSpan(0, passes * Buckets);
            counts.Clear();
            // The offsets, and every digit's counts, in one pass (a digit past the last pass is zero in every offset).
            ref var count = ref MemoryMarshal.GetReference(counts);
            ref var first = ref MemoryMarshal.GetReference(keys);
            for (var i = 0; i < keys.Length; i++)
            {
                var offset = Unsafe.Add(ref first, i) - min;
                Unsafe.Add(ref first, i) = offset;
                Unsafe.Add(ref count, Digit(offset, 0))++;
                if (passes > 1) Unsafe.Add(ref count, Buckets + Digit(offset, DigitBits))++;
                if (passes > 2) Unsafe.Add(ref count, (2 * Buckets) + Digit(offset, 2 * DigitBits))++;
                if (passes > 3) Unsafe.Add(ref count, (3 * Buckets) + Digit(offset, 3 * DigitBits))++;
                if (passes > 4) Unsafe.Add(ref count, (4 * Buckets) + Digit(offset, 4 * DigitBits))++;
                if (passes > 5) Unsafe.Add(ref count, (5 * Buckets) + Digit(offset, 5 * DigitBits))++;
                if (passes > 6) Unsafe.Add(ref count, (6 * Buckets) + Digit(offset, 6 * DigitBits))++;
                if (passes > 7) Unsafe.Add(ref count, (7 * Buckets) + Digit(offset, 7 * DigitBits))++;
            }

            Span<ulong> source = keys, target = buffer;
            for (var pass = 0; pass < passes; pass++)
            {
                var passCounts = counts.Slice(pass * Buckets, Buckets);
                // A digit that every key shares moves nothing.
                if (passCounts[Digit(source[0], pass * DigitBits)] == source.Length) continue;
                var offset = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    var c = passCounts[b];
                    passCounts[b] = offset;
                    offset += c;
                }
                // The positions stay within target: they partition [0, length) by digit. Four keys a step: the loop's own
                // instructions were a sixth of a pass's time.
                ref var next = ref MemoryMarshal.GetReference(passCounts);
                ref var from = ref MemoryMarshal.GetReference(source);
                ref var to = ref MemoryMarshal.GetReference(target);
                var shift = pass * DigitBits;
                var i = 0;
                for (; i <= source.Length - 4; i += 4)
                {
                    Scatter(ref next, ref to, Unsafe.Add(ref from, i), shift);
                    Scatter(ref next, ref to, Unsafe.Add(ref from, i + 1), shift);
                    Scatter(ref next, ref to, Unsafe.Add(ref from, i + 2), shift);
                    Scatter(ref next, ref to, Unsafe.Add(ref from, i + 3), shift);
                }
                for (; i < source.Length; i++) Scatter(ref next, ref to, Unsafe.Add(ref from, i), shift);
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

    /// <summary>Writes <paramref name="key"/> at the next position of its digit's bucket, and moves that position on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scatter(ref int next, ref ulong to, ulong key, int shift)
    {
        ref var slot = ref Unsafe.Add(ref next, Digit(key, shift));
        Unsafe.Add(ref to, slot++) = key;
    }

    /// <summary>The digit of <paramref name="key"/> that starts at bit <paramref name="shift"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digit(ulong key, int shift) => (int)(key >> shift) & (Buckets - 1);
}
