using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FluidSim.Simulation;

// Implementation note: RUNNING is a window [Start, Start + Count) of parallel arrays, so that a request can leave from
// either end without moving the others: a removal shifts the shorter side (FIFO and LIFO victims move nothing), and
// completions, which all lie in the batch prefix, are closed up by moving the slots before them towards the back.
// The batch prefix and the first-token watermark are counts from the front, kept right as slots leave.

/// <summary>RUNNING of simulator.md, structure of arrays in RUNNING order (slot = position from the front).</summary>
internal sealed class RunningList
{
    /// <summary>
    /// Every array (LastUse too, when it is kept) has at least this many elements after the last slot, so that a 16-lane vector that starts at any slot
    /// may be loaded and stored back whole (its lanes past the batch unchanged) without a scalar tail.
    /// </summary>
    public const int Slack = 16;

    private const int InitialCapacity = 4 * Slack;

    private readonly bool _tracksLastUse;
    private int[] _request = new int[InitialCapacity];
    private int[] _left = new int[InitialCapacity];
    private int[] _size = new int[InitialCapacity];
    private long[] _lastUse;

    public RunningList(bool tracksLastUse)
    {
        _tracksLastUse = tracksLastUse;
        _lastUse = tracksLastUse ? new long[InitialCapacity] : [];
    }

    /// <summary>Index in the arrays of slot 0.</summary>
    public int Start { get; private set; }

    public int Count { get; private set; }

    /// <summary>Request index of each slot (read from <see cref="Start"/>).</summary>
    public int[] Request => _request;

    /// <summary>Tokens each slot has left to decode (decode_length - k), from <see cref="Start"/>.</summary>
    public int[] Left => _left;

    /// <summary>prefill_length + decode_length of each slot, from <see cref="Start"/>.</summary>
    public int[] Size => _size;

    /// <summary>The batch id of each slot's last use, for LRU only (empty otherwise), from <see cref="Start"/>.</summary>
    public long[] LastUse => _lastUse;

    /// <summary>Slots [0, PrefixCount) form the batch, as of the last <see cref="FormBatch"/>.</summary>
    public int PrefixCount { get; private set; }

    /// <summary>The sum of prefill + k + 1 over the prefix.</summary>
    public long PrefixTokens { get; private set; }

    /// <summary>Slots [0, FirstTokenWatermark) have had their first token.</summary>
    public int FirstTokenWatermark { get; private set; }

    /// <summary>
    /// prefill + k + 1 of <paramref name="slot"/>, counted from the slots whose Size and Left are <paramref name="size"/>
    /// and <paramref name="left"/>: the context it attends to when it executes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Context(ref int size, ref int left, int slot) => (long)Unsafe.Add(ref size, slot) - Unsafe.Add(ref left, slot) + 1;

    public void Append(int request, int left, int size, long batchId)
    {
        if (Start + Count + Slack == _request.Length) MakeRoom();
        var i = Start + Count++;
        _request[i] = request;
        _left[i] = left;
        _size[i] = size;
        // Entering RUNNING counts as a use, for LRU.
        if (_tracksLastUse) _lastUse[i] = batchId;
    }

    /// <summary>Removes <paramref name="slot"/>, which holds <paramref name="held"/> tokens, moving the shorter side.</summary>
    public void RemoveAt(int slot, long held)
    {
        if (slot < PrefixCount)
        {
            PrefixCount--;
            PrefixTokens -= held + 1;
        }
        if (slot < FirstTokenWatermark) FirstTokenWatermark--;
        var i = Start + slot;
        var after = Count - slot - 1;
        if (slot < after)
        {
            Move(Start, Start + 1, slot);
            Start++;
        }
        else
        {
            Move(i + 1, i, after);
        }
        Count--;
    }

    /// <summary>
    /// 4. Moves the end of the batch prefix so that it is the longest prefix within <paramref name="budget"/> (the first
    /// slot always joins); returns its length.
    /// </summary>
    public int FormBatch(long budget)
    {
        // In locals, and the slots read without bounds checks ([Start, Start + Count) lies within the arrays): this runs
        // once per batch, and the fields would otherwise be stored and reloaded at every step.
        var count = PrefixCount;
        var tokens = PrefixTokens;
        ref var size = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_size), Start);
        ref var left = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_left), Start);
        // Since the last batch every member gained a token and some left: the prefix may now be too long (shrink it from
        // its end; the member taken off did not fit, so growing stops at once) or too short (grow it).
        while (count > 1 && tokens > budget)
        {
            count--;
            tokens -= Context(ref size, ref left, count);
        }
        if (count == 0)
        {
            count = 1;
            tokens = Context(ref size, ref left, 0);
        }
        while (count < Count)
        {
            var context = Context(ref size, ref left, count);
            if (tokens + context > budget) break;
            tokens += context;
            count++;
        }
        PrefixCount = count;
        PrefixTokens = tokens;
        return count;
    }

    /// <summary>After the batch executed: each member holds one token more, and the first <paramref name="batchSize"/> slots have had their first token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Executed(int batchSize, long batchId)
    {
        PrefixTokens += batchSize;
        if (FirstTokenWatermark < batchSize) FirstTokenWatermark = batchSize;
        if (_tracksLastUse) _lastUse.AsSpan(Start, batchSize).Fill(batchId);
    }

    /// <summary>
    /// Removes the completed slots <paramref name="completedSlots"/> (ascending, all in the batch prefix, each holding
    /// <c>Size</c> tokens, that is prefill + decode_length) by moving the slots before each towards the back.
    /// </summary>
    public void RemoveCompleted(ReadOnlySpan<int> completedSlots)
    {
        // LRU's last uses (eight-byte values, eight to a vector) take the loop.
        if (completedSlots.Length == 1 && completedSlots[0] < Vector512<int>.Count && Vector512.IsHardwareAccelerated && !_tracksLastUse)
        {
            MoveBeforeBackOne(completedSlots[0]);
        }
        else
        {
            MoveBeforeBack(completedSlots);
        }
        var shift = completedSlots.Length;
        Start += shift;
        Count -= shift;
        PrefixCount -= shift;
        FirstTokenWatermark -= shift;
    }

    /// <summary>
    /// Takes the completed slots' tokens off the prefix and moves each slot before the last of them back by the number of
    /// completed slots after it.
    /// </summary>
    private void MoveBeforeBack(ReadOnlySpan<int> completedSlots)
    {
        // One pass from the last completed slot back to the front (a few slots, so element by element beats three copies
        // per gap between completions).
        var next = completedSlots.Length - 1;
        var completedAt = Start + completedSlots[next];
        var write = completedAt;
        for (var read = completedAt; read >= Start; read--)
        {
            if (read == completedAt)
            {
                PrefixTokens -= _size[read] + 1L;
                completedAt = --next >= 0 ? Start + completedSlots[next] : -1;
                continue;
            }
            _request[write] = _request[read];
            _left[write] = _left[read];
            _size[write] = _size[read];
            if (_tracksLastUse) _lastUse[write] = _lastUse[read];
            write--;
        }
    }

    /// <summary>
    /// <see cref="MoveBeforeBack"/> of one completed slot among the first 16 (most batches that complete a request complete
    /// one): the slots before it move back one place as one 16-lane vector per array, the lanes from it on stay.
    /// </summary>
    private void MoveBeforeBackOne(int slot)
    {
        // Lanes [Start + 1, Start + 17) lie within the arrays: the slot is among Count slots, and Slack elements follow them.
        PrefixTokens -= _size[Start + slot] + 1L;
        var before = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(slot));
        ShiftBack(_request, Start, before);
        ShiftBack(_left, Start, before);
        ShiftBack(_size, Start, before);
    }

    /// <summary>Moves the values of <paramref name="lanes"/> (from <paramref name="start"/>) one place back; the others stay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftBack(int[] array, int start, Vector512<int> lanes)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(array);
        var moving = Vector512.LoadUnsafe(ref first, (nuint)start);
        var staying = Vector512.LoadUnsafe(ref first, (nuint)start + 1);
        Vector512.ConditionalSelect(lanes, moving, staying).StoreUnsafe(ref first, (nuint)start + 1);
    }

    private void Move(int from, int to, int length)
    {
        if (length == 0) return;
        _request.AsSpan(from, length).CopyTo(_request.AsSpan(to));
        _left.AsSpan(from, length).CopyTo(_left.AsSpan(to));
        _size.AsSpan(from, length).CopyTo(_size.AsSpan(to));
        if (_tracksLastUse) _lastUse.AsSpan(from, length).CopyTo(_lastUse.AsSpan(to));
    }

    /// <summary>No room after the last slot but the slack: slide the window to the front, or grow the arrays when it is over half full.</summary>
    private void MakeRoom()
    {
        // Capacity is at least 4 * Slack, so after a slide Count + Slack fits with room to append.
        if (Count <= _request.Length / 2)
        {
            Move(Start, 0, Count);
        }
        else
        {
            var size = _request.Length * 2;
            _request = Grown(_request, Start, Count, size);
            _left = Grown(_left, Start, Count, size);
            _size = Grown(_size, Start, Count, size);
            if (_tracksLastUse) _lastUse = Grown(_lastUse, Start, Count, size);
        }
        Start = 0;
    }

    private static T[] Grown<T>(T[] array, int start, int count, int size)
    {
        var grown = new T[size];
        Array.Copy(array, start, grown, 0, count);
        return grown;
    }
}
