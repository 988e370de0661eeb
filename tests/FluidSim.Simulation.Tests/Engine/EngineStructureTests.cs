using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Simulation.Tests.Engine;

/// <summary>The engine's own data structures (issue 13), each against a plain implementation of the same thing.</summary>
public class EngineStructureTests
{
    public static TheoryData<string, int> SortCases() => new()
    {
        { "random", 5000 },
        { "random", 1023 },
        { "random", 1024 },
        { "increasing with noise", 100_000 },
        { "many equal", 20_000 },
        { "negative and positive", 3000 },
        { "one bit apart", 4096 },
        { "dense ties", 50_000 },
        { "all equal", 2048 },
        { "tiny", 3 },
        { "random", 300_000 },
        { "few distinct in a narrow range", 200_000 },
        { "two clusters", 100_000 },
        // The delays of an overloaded FCFS run in completion order: sorted by insertion, with moves of one to many places.
        { "nearly ascending", 100_000 },
        { "nearly ascending with far moves", 50_000 },
        // Nearly ascending, then disordered: insertion gives up half-way and the radix sort takes what it left.
        { "nearly ascending, then shuffled", 100_000 },
        // Lengths that are not a multiple of the vector width: the last values take the scalar path.
        { "nearly ascending", 100_003 },
        { "negative and positive", 3001 },
        // Nearly ascending with runs of equal values: a value equal to ones before it stays after them.
        { "nearly ascending with equal neighbours", 20_011 },
        { "descending", 5000 },
        // As TPOT: clusters of a few dozen values that differ only in their last bits, and a far value that widens the
        // range: the radix sort must order every bit of it (seven or eight digits).
        { "clusters of near-equal values", 100_000 },
        { "clusters of near-equal values", 100_005 },
    };

    [Theory]
    [MemberData(nameof(SortCases))]
    public void DoubleSort_gives_the_same_sequence_as_a_comparison_sort(string shape, int count)
    {
        var rng = new DeterministicRandom(count);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = shape switch
            {
                "random" => rng.NextExponential(0.01),
                "increasing with noise" => (i * 5.5) + rng.NextDouble(0, 300),
                "many equal" => rng.NextInt(7) * 0.25,
                "negative and positive" => rng.NextDouble(-1e6, 1e6),
                "one bit apart" => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(1000.0) + rng.NextInt(4)),
                // Spread over a wide range, but crowded where only the last bits tell them apart.
                "dense ties" => (i % 2 == 0 ? 1e6 : 1) + rng.NextDouble(0, 1e-9),
                "all equal" => 42.0,
                // As a typed workload's TPOT: a handful of values that share all but their last mantissa bits.
                "few distinct in a narrow range" => 0.1 + (rng.NextInt(50) * 1e-12),
                // Most values in one octave, a few far away: buckets of very different sizes, split again on their own bits.
                "two clusters" => i % 100 == 0 ? rng.NextDouble(1e5, 1e7) : rng.NextDouble(3.0, 3.5),
                "nearly ascending" => (i * 5.7) + rng.NextDouble(0, 60),
                "nearly ascending with far moves" => (i * 5.7) + (i % 97 == 0 ? -rng.NextDouble(0, 2000) : rng.NextDouble(0, 30)),
                "nearly ascending, then shuffled" => i < count / 2 ? (i * 5.7) + rng.NextDouble(0, 60) : rng.NextDouble(0, 1e6),
                "nearly ascending with equal neighbours" => Math.Floor(((i * 5.7) + rng.NextDouble(0, 60)) / 20),
                "descending" => -i - rng.NextDouble(),
                "clusters of near-equal values" => i == 0 ? 1e6 : 3 + (rng.NextInt(3000) * 1e-3) + (rng.NextInt(64) * 1e-14),
                _ => rng.NextDouble(),
            };
        }
        var expected = (double[])values.Clone();
        Array.Sort(expected);

        DoubleSort.Sort(values);

        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), values.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Distribution_of_a_large_sample_matches_the_sorted_sum_and_numpy_percentiles()
    {
        var rng = new DeterministicRandom(3);
        var values = Enumerable.Range(0, 30_000).Select(_ => rng.NextExponential(0.1)).ToArray();
        var sorted = values.Order().ToList();
        var sum = 0.0;
        foreach (var v in sorted) sum += v;

        var d = Distribution.Of(values.AsSpan());

        Assert.Equal(sum / sorted.Count, d.Mean);
        Assert.Equal(Percentiles.Linear(sorted, 0.5), d.P50);
        Assert.Equal(Percentiles.Linear(sorted, 0.99), d.P99);
        Assert.Equal(sorted[^1], d.Max);
    }

    [Theory]
    [InlineData(30_000, 30_000, 30_000, 29_000)]
    [InlineData(5, 5, 5, 0)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 3000, 2, 2500)]
    public void Four_distributions_at_once_equal_each_one_alone_to_the_last_bit(int a, int b, int c, int d)
    {
        var rng = new DeterministicRandom(a + b + c + d);
        double[][] samples = [.. new[] { a, b, c, d }.Select(n => Enumerable.Range(0, n).Select(i => (i * 0.37) + rng.NextExponential(0.05)).ToArray())];
        var alone = samples.Select(s => Distribution.Of(((double[])s.Clone()).AsSpan())).ToArray();

        var (first, second, third, fourth) = Distribution.OfFour(samples[0], samples[1], samples[2], samples[3]);

        Assert.Equal(alone, new[] { first, second, third, fourth });
        // Each mean against its own values summed in ascending order here, not by the code under test.
        double? AscendingMean(double[] sample) => sample.Length == 0 ? null : sample.Order().Aggregate(0.0, (sum, v) => sum + v) / sample.Length;
        Assert.Equal(samples.Select(AscendingMean), new[] { first.Mean, second.Mean, third.Mean, fourth.Mean });
    }

    [Fact]
    public void RequestList_views_an_array_or_a_list_without_copying_and_copies_anything_else()
    {
        Request[] array = [new(0, 0.5, 10, 3), new(1, 1.5, 20, 4)];
        var list = new List<Request>(array);
        var other = list.AsReadOnly();

        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(RequestList.AsSpan(array)), ref array[0]));
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(RequestList.AsSpan(list)), ref CollectionsMarshal.AsSpan(list)[0]));
        Assert.Equal(array, RequestList.AsSpan(other).ToArray());
    }

    [Fact]
    public void KeyQueue_removes_keys_in_ascending_order_whatever_order_they_came_in()
    {
        var rng = new DeterministicRandom(11);
        var queue = new KeyQueue();
        var reference = new SortedSet<long>();
        long nextInOrder = 0;
        for (var step = 0; step < 20_000; step++)
        {
            if (reference.Count == 0 || rng.NextInt(3) > 0)
            {
                // Mostly increasing keys (arrivals), sometimes an old one again (a re-queued victim) or a policy key.
                var key = rng.NextInt(4) switch
                {
                    0 => ((long)rng.NextInt(50) << 32) | (uint)step,
                    1 => rng.NextInt((int)Math.Max(1, nextInt(nextInOrder))) * 2L + 1,
                    _ => nextInOrder += 2,
                };
                if (!reference.Add(key)) continue;
                queue.Add(key);
            }
            else
            {
                Assert.Equal(reference.Min, queue.Min);
                reference.Remove(reference.Min);
                queue.RemoveMin();
            }
            Assert.Equal(reference.Count, queue.Count);
        }
        while (reference.Count > 0)
        {
            Assert.Equal(reference.Min, queue.Min);
            reference.Remove(reference.Min);
            queue.RemoveMin();
        }
        Assert.Equal(0, queue.Count);

        static long nextInt(long upper) => Math.Min(upper, int.MaxValue);
    }

    [Fact]
    public void Progress_sees_every_interval_th_batch_and_changes_nothing()
    {
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Heavy, NumRequests = 400 }, 5);
        var p = new SimulationParameters { MTotal = 3000 };
        var records = new RecordingObserver();
        var plain = Simulator.Run(requests, p, records);

        var reported = new List<BatchSnapshot>();
        var withProgress = Simulator.Run(requests, p, null, default, new SimulationProgress(7, reported.Add));

        Assert.Equal(plain, withProgress);
        Assert.Equal(records.Batches.Where(b => (b.BatchId + 1) % 7 == 0), reported);
        Assert.Equal(plain.Batches / 7, reported.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationProgress(0, _ => { }));
    }

    [Fact]
    public void A_progress_that_names_its_next_interval_sees_exactly_the_batches_it_asked_for()
    {
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Heavy, NumRequests = 400 }, 5);
        var p = new SimulationParameters { MTotal = 3000 };
        var plain = Simulator.Run(requests, p);

        // Intervals 3, 5, 2, 3, 5, 2, ...: reports after 3, 8, 10, 13, 18, 20, ... batches.
        int[] intervals = [3, 5, 2];
        var reported = new List<long>();
        var withProgress = Simulator.Run(requests, p, null, default, new SimulationProgress(intervals[0], batch =>
        {
            reported.Add(batch.BatchId);
            return intervals[reported.Count % intervals.Length];
        }));

        Assert.Equal(plain, withProgress);
        var expected = new List<long>();
        for (long done = 0, i = 0; done + intervals[i % 3] <= plain.Batches; i++)
        {
            done += intervals[i % 3];
            expected.Add(done - 1);
        }
        Assert.True(expected.Count > 100);
        Assert.Equal(expected, reported);
        // Asking for the next report zero batches later is a bug in the listener, not a silent stop.
        Assert.Throws<InvalidOperationException>(() => Simulator.Run(requests, p, null, default, new SimulationProgress(4, _ => 0)));
    }
}
