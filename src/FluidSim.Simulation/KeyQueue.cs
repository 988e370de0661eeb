using System.Runtime.CompilerServices;

namespace FluidSim.Simulation;

// Implementation note: WAITING receives arrivals in index order, so under FCFS (key = index) its keys mostly come in
// increasing order: an overloaded run holds hundreds of thousands of them, where a heap would pay ~20 cache-missing
// levels per admission. Keys that come in increasing order go to a FIFO ring instead, the rest (re-queued victims,
// SJF and priority keys out of order) to a binary heap; the queue's minimum is the smaller of the two heads.

/// <summary>A min-priority queue of distinct <see cref="long"/> keys: WAITING and SWAPPED, whose keys carry the request index.</summary>
/// <remarks>Keys are unique (each holds its request's index), so the order of removal does not depend on the layout.</remarks>
internal sealed class KeyQueue
{
    // Keys added in increasing order: ring[(head + i) & (ring.Length - 1)] for i < ringCount, ascending (length a power of two).
    private long[] _ring = new long[16];
    private int _ringHead;
    private int _ringCount;

    // Every other key, as a binary min-heap.
    private long[] _heap = new long[16];
    private int _heapCount;

    public int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _ringCount + _heapCount;
    }

    /// <summary>The smallest key; only when <see cref="Count"/> > 0.</summary>
    public long Min
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_heapCount == 0) return _ring[_ringHead];
            if (_ringCount == 0) return _heap[0];
            return Math.Min(_ring[_ringHead], _heap[0]);
        }
    }

    public void Add(long key)
    {
        if (_ringCount == 0 || key > _ring[(_ringHead + _ringCount - 1) & (_ring.Length - 1)])
        {
            if (_ringCount == _ring.Length) GrowRing();
            _ring[(_ringHead + _ringCount) & (_ring.Length - 1)] = key;
            _ringCount++;
        }
        else
        {
            HeapAdd(key);
        }
    }

    /// <summary>Removes <see cref="Min"/>.</summary>
    public void RemoveMin()
    {
        if (_heapCount == 0 || (_ringCount > 0 && _ring[_ringHead] < _heap[0]))
        {
            _ringHead = (_ringHead + 1) & (_ring.Length - 1);
            _ringCount--;
        }
        else
        {
            HeapRemoveMin();
        }
    }

    private void GrowRing()
    {
        var bigger = new long[_ring.Length * 2];
        for (var i = 0; i < _ringCount; i++) bigger[i] = _ring[(_ringHead + i) & (_ring.Length - 1)];
        _ring = bigger;
        _ringHead = 0;
    }

    private void HeapAdd(long key)
    {
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        var keys = _heap;
        var i = _heapCount++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (keys[parent] <= key) break;
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = key;
    }

    private void HeapRemoveMin()
    {
        var keys = _heap;
        var count = --_heapCount;
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
