using System.Buffers;
using System.Runtime.CompilerServices;

namespace FluidSim.Simulation;

// Implementation note: WAITING receives arrivals in index order, so under FCFS (key = index) its keys mostly come in
// increasing order: an overloaded run holds hundreds of thousands of them, where a heap would pay ~20 cache-missing
// levels per admission. Keys that come in increasing order go to a FIFO ring instead, the rest (re-queued victims,
// SJF and priority keys out of order) to a binary heap; the queue's minimum is the smaller of the two heads. Both arrays
// come from the shared array pool and go back to it when they grow and when the run ends (Release), so the queue of an
// overloaded run (half a million keys) does not fault fresh pages in on every run of a process.

/// <summary>A min-priority queue of distinct <see cref="long"/> keys: WAITING and SWAPPED, whose keys carry the request index.</summary>
/// <remarks>Keys are unique (each holds its request's index), so the order of removal does not depend on the layout.</remarks>
internal sealed class KeyQueue
{
    private const int InitialCapacity = 16;

    // Keys added in increasing order: ring[(head + i) & ringMask] for i < ringCount, ascending; the ring uses the first
    // ringMask + 1 elements (a power of two) of its array, which may be longer.
    private long[] _ring = ArrayPool<long>.Shared.Rent(InitialCapacity);
    private int _ringMask = InitialCapacity - 1;
    private int _ringHead;
    private int _ringCount;

    // Every other key, as a binary min-heap.
    private long[] _heap = ArrayPool<long>.Shared.Rent(InitialCapacity);
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
        if (_ringCount == 0 || key > _ring[(_ringHead + _ringCount - 1) & _ringMask])
        {
            if (_ringCount == _ringMask + 1) GrowRing();
            _ring[(_ringHead + _ringCount) & _ringMask] = key;
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
            _ringHead = (_ringHead + 1) & _ringMask;
            _ringCount--;
        }
        else
        {
            HeapRemoveMin();
        }
    }

    /// <summary>Gives the arrays back to the pool; the queue is not used afterwards.</summary>
    public void Release()
    {
        if (_ring.Length == 0) return;
        ArrayPool<long>.Shared.Return(_ring);
        ArrayPool<long>.Shared.Return(_heap);
        _ring = _heap = [];
        _ringCount = _heapCount = 0;
    }

    private void GrowRing()
    {
        // Full: the keys run from the head to the end of the ring, then from its start to the head.
        var capacity = (_ringMask + 1) * 2;
        var bigger = ArrayPool<long>.Shared.Rent(capacity);
        var fromHead = _ring.AsSpan(_ringHead, _ringCount - _ringHead);
        fromHead.CopyTo(bigger);
        _ring.AsSpan(0, _ringHead).CopyTo(bigger.AsSpan(fromHead.Length));
        ArrayPool<long>.Shared.Return(_ring);
        _ring = bigger;
        _ringMask = capacity - 1;
        _ringHead = 0;
    }

    private void HeapAdd(long key)
    {
        if (_heapCount == _heap.Length)
        {
            var bigger = ArrayPool<long>.Shared.Rent(_heap.Length * 2);
            _heap.AsSpan().CopyTo(bigger);
            ArrayPool<long>.Shared.Return(_heap);
            _heap = bigger;
        }
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
