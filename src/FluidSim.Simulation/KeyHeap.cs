namespace FluidSim.Simulation;

/// <summary>A binary min-heap of distinct <see cref="long"/> keys: WAITING and SWAPPED, whose keys carry the request index.</summary>
/// <remarks>Keys are unique (each holds its request's index), so the order of removal does not depend on the heap's layout.</remarks>
internal sealed class KeyHeap
{
    private long[] _keys = new long[16];

    public int Count { get; private set; }

    /// <summary>The smallest key; only when <see cref="Count"/> > 0.</summary>
    public long Min => _keys[0];

    public void Add(long key)
    {
        if (Count == _keys.Length) Array.Resize(ref _keys, _keys.Length * 2);
        var keys = _keys;
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (keys[parent] <= key) break;
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = key;
    }

    /// <summary>Removes <see cref="Min"/>.</summary>
    public void RemoveMin()
    {
        var keys = _keys;
        var count = --Count;
        if (count == 0) return;
        var last = keys[count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count) break;
            if (child + 1 < count && keys[child + 1] < keys[child]) child++;
            if (last <= keys[child]) break;
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = last;
    }
}
