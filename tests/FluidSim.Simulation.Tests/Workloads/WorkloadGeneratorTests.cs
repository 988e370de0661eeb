using FluidSim.Simulation.Workloads;

namespace FluidSim.Simulation.Tests.Workloads;

/// <summary>
/// The distributions of workloads.md, checked on large samples. Bounds are 4 standard deviations of the estimate (a
/// false failure about once in 16,000 per bound) and the seeds are fixed, so a pass is stable; a wrong distribution
/// (rate, mixture weight, range, spread) moves the estimate far outside them.
/// </summary>
public class WorkloadGeneratorTests
{
    private const int Large = 20_000;

    public static TheoryData<Scenario> AllScenarios => new() { Scenario.Normal, Scenario.Heavy, Scenario.Bursty, Scenario.Typed };

    private static WorkloadSpec SpecOf(Scenario scenario, int n = 500) => new()
    {
        Scenario = scenario,
        NumRequests = n,
        Classes = scenario == Scenario.Typed ? RequestClass.ParseList("20:20:5.1,100:50:0.5") : null,
    };

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public void Same_seed_gives_the_same_rows_and_another_seed_other_rows(Scenario scenario)
    {
        var spec = SpecOf(scenario);
        var first = WorkloadGenerator.Generate(spec, 7);
        var again = WorkloadGenerator.Generate(spec with { }, 7);
        var other = WorkloadGenerator.Generate(spec, 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(r => r.ArrivalTime), other.Select(r => r.ArrivalTime));
    }

    // Reference values, computed once from this code on 2026-12-01 and written out: a change to the generator, the seeding
    // or the order of draws changes every generated workload and every published result, and fails here. Arrival times
    // pass through Math.Log, which comes from the C library: exact on one OS (README), possibly a last bit apart on another.
    public static TheoryData<long, ulong[]> ReferenceStreams => new()
    {
        { 42, [1546998764402558742UL, 6990951692964543102UL, 12544586762248559009UL, 17057574109182124193UL] },
        { 0, [11091344671253066420UL, 13793997310169335082UL, 1900383378846508768UL, 7684712102626143532UL] },
        { -1, [10328197420357168392UL, 14156678507024973869UL, 9357971779955476126UL, 13791585006304312367UL] },
    };

    public static TheoryData<Scenario, Request[]> ReferenceWorkloads => new()
    {
        {
            Scenario.Normal,
            [
                new(0, 0.17517866116683514, 44, 38), new(1, 9.783375841479568, 46, 36), new(2, 12.649094647350479, 44, 19),
                new(3, 15.878239767044361, 46, 37), new(4, 17.79643552571447, 46, 31), new(5, 17.991352635072182, 172, 92),
                new(6, 18.74507556876565, 30, 34), new(7, 20.761102416624393, 31, 29),
            ]
        },
        {
            Scenario.Heavy,
            [
                new(0, 0.043794665291708786, 84, 48), new(1, 2.445843960369892, 86, 46), new(2, 3.1622736618376197, 84, 29),
                new(3, 3.9695599417610903, 86, 47), new(4, 4.449108881428618, 86, 41), new(5, 4.497838158768046, 272, 142),
                new(6, 4.686268892191412, 70, 44), new(7, 5.190275604156098, 271, 143),
            ]
        },
        {
            Scenario.Bursty, // burst_size 3
            [
                new(0, 5.608804980630745, 112, 76), new(1, 5.844319077254897, 122, 55), new(2, 5.9152168124404625, 123, 63),
                new(3, 13.97691808424413, 126, 39), new(4, 14.187154175817934, 136, 57), new(5, 14.257274245129647, 115, 63),
                new(6, 19.385390921004472, 82, 56), new(7, 19.452873964650916, 89, 44),
            ]
        },
        {
            Scenario.Typed, // classes 20:20:1, 100:50:1
            [
                new(0, 0.816831592174535, 20, 20), new(1, 0.8831886826706143, 20, 20), new(2, 0.9744271952361337, 100, 50),
                new(3, 1.476797215165482, 20, 20), new(4, 2.320082894183443, 20, 20), new(5, 2.5707635818345236, 20, 20),
                new(6, 3.3207052906079744, 100, 50), new(7, 3.825126362854605, 100, 50),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(ReferenceStreams))]
    public void The_stream_of_a_seed_is_fixed_by_this_code(long seed, ulong[] expected)
    {
        var rng = new DeterministicRandom(seed);
        Assert.Equal(expected, expected.Select(_ => rng.NextUInt64()));
    }

    [Theory]
    [MemberData(nameof(ReferenceWorkloads))]
    public void The_workload_of_a_seed_is_fixed_by_this_code(Scenario scenario, Request[] expected)
    {
        var spec = new WorkloadSpec
        {
            Scenario = scenario,
            NumRequests = expected.Length,
            BurstSize = scenario == Scenario.Bursty ? 3 : 20,
            Classes = scenario == Scenario.Typed ? RequestClass.ParseList("20:20:1,100:50:1") : null,
        };
        Assert.Equal(expected, WorkloadGenerator.Generate(spec, 42));
    }

    [Theory]
    [InlineData(42)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void The_stream_is_xoshiro256_starstar_seeded_by_splitmix64(long seed)
    {
        var reference = Xoshiro256StarStar.SeededBySplitMix64(unchecked((ulong)seed));
        var rng = new DeterministicRandom(seed);
        for (var i = 0; i < 1000; i++) Assert.Equal(reference.Next(), rng.NextUInt64());
    }

    [Fact]
    public void The_reference_implementation_reproduces_published_values()
    {
        // SplitMix64 from 1234567, as in the reference implementation's documentation and common test suites.
        var x = 1234567UL;
        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => Xoshiro256StarStar.SplitMix64(ref x)));
        // xoshiro256** from the state {1, 2, 3, 4}: the first output is rotl(2 * 5, 7) * 9 = 11520, the second 0.
        var xoshiro = new Xoshiro256StarStar([1, 2, 3, 4]);
        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL], Enumerable.Range(0, 4).Select(_ => xoshiro.Next()));
    }

    /// <summary>
    /// xoshiro256** and SplitMix64 written again from their published definitions (Blackman and Vigna, prng.di.unimi.it),
    /// apart from <see cref="DeterministicRandom"/>, so the test does not check the code against itself.
    /// </summary>
    private sealed class Xoshiro256StarStar(ulong[] state)
    {
        public static Xoshiro256StarStar SeededBySplitMix64(ulong seed)
        {
            var x = seed;
            return new([SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x), SplitMix64(ref x)]);
        }

        public static ulong SplitMix64(ref ulong x)
        {
            unchecked
            {
                x += 0x9e3779b97f4a7c15;
                var z = x;
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
                z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
                return z ^ (z >> 31);
            }
        }

        public ulong Next()
        {
            unchecked
            {
                var s = state;
                var result = System.Numerics.BitOperations.RotateLeft(s[1] * 5, 7) * 9;
                var t = s[1] << 17;
                s[2] ^= s[0];
                s[3] ^= s[1];
                s[1] ^= s[2];
                s[0] ^= s[3];
                s[2] ^= t;
                s[3] = System.Numerics.BitOperations.RotateLeft(s[3], 45);
                return result;
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public void Rows_are_numbered_in_arrival_order_and_start_after_zero(Scenario scenario)
    {
        var rows = WorkloadGenerator.Generate(SpecOf(scenario, 2_000), 3);

        Assert.Equal(2_000, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(i, rows[i].ReqId);
            Assert.Equal(0, rows[i].Priority);
            Assert.True(double.IsFinite(rows[i].ArrivalTime));
            if (i > 0) Assert.True(rows[i - 1].ArrivalTime <= rows[i].ArrivalTime, $"row {i} arrives before row {i - 1}");
        }
        Assert.True(rows[0].ArrivalTime > 0, "the first arrival comes after a first gap");
    }

    [Theory]
    [InlineData(Scenario.Normal, 0.5, 0.2, 10, 60, 10, 40, 150, 200, 80, 100)]
    [InlineData(Scenario.Heavy, 2.0, 0.3, 50, 100, 20, 50, 250, 300, 130, 150)]
    public void Poisson_mixtures_have_their_rate_weights_and_ranges(
        Scenario scenario, double defaultRate, double longFraction,
        int shortPrefillMin, int shortPrefillMax, int shortDecodeMin, int shortDecodeMax,
        int longPrefillMin, int longPrefillMax, int longDecodeMin, int longDecodeMax)
    {
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = scenario, NumRequests = Large }, 11);

        bool In(int x, int lo, int hi) => x >= lo && x <= hi;
        var shortRows = rows.Where(r => In(r.PrefillLength, shortPrefillMin, shortPrefillMax) && In(r.DecodeLength, shortDecodeMin, shortDecodeMax)).ToList();
        var longRows = rows.Where(r => In(r.PrefillLength, longPrefillMin, longPrefillMax) && In(r.DecodeLength, longDecodeMin, longDecodeMax)).ToList();
        Assert.Equal(Large, shortRows.Count + longRows.Count);

        // Inclusive integer ranges: both ends of every range occur in a sample this large.
        Assert.Equal((shortPrefillMin, shortPrefillMax), (shortRows.Min(r => r.PrefillLength), shortRows.Max(r => r.PrefillLength)));
        Assert.Equal((shortDecodeMin, shortDecodeMax), (shortRows.Min(r => r.DecodeLength), shortRows.Max(r => r.DecodeLength)));
        Assert.Equal((longPrefillMin, longPrefillMax), (longRows.Min(r => r.PrefillLength), longRows.Max(r => r.PrefillLength)));
        Assert.Equal((longDecodeMin, longDecodeMax), (longRows.Min(r => r.DecodeLength), longRows.Max(r => r.DecodeLength)));

        AssertProportion(longRows.Count, Large, longFraction);
        AssertExponentialGaps(Gaps(rows), defaultRate);
    }

    [Theory]
    [InlineData(Scenario.Normal, 3.0)]
    [InlineData(Scenario.Heavy, 0.25)]
    public void An_explicit_arrival_rate_replaces_the_default(Scenario scenario, double rate)
    {
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = scenario, NumRequests = Large, ArrivalRate = rate }, 5);
        AssertExponentialGaps(Gaps(rows), rate);
    }

    [Theory]
    [InlineData(20_000, 20)]
    [InlineData(45, 20)]
    [InlineData(1, 20)]
    [InlineData(7, 1)]
    [InlineData(19, 100)]
    public void Bursty_has_exactly_n_rows_in_ceil_n_over_size_bursts(int n, int burstSize)
    {
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Bursty, NumRequests = n, BurstSize = burstSize }, 21);

        Assert.Equal(n, rows.Count);
        var bursts = SplitBursts(rows);
        Assert.Equal((n + burstSize - 1) / burstSize, bursts.Count);
        for (var b = 0; b < bursts.Count; b++)
        {
            var expectedSize = b < bursts.Count - 1 ? burstSize : n - (bursts.Count - 1) * burstSize;
            Assert.Equal(expectedSize, bursts[b].Count);
        }
    }

    [Fact]
    public void Bursty_bursts_start_5_to_10_apart_and_spread_over_half_a_unit()
    {
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Bursty, NumRequests = Large }, 13);
        var bursts = SplitBursts(rows);
        Assert.Equal(Large / 20, bursts.Count);

        // The first burst starts after a first gap U(5, 10), like the first Poisson arrival.
        Assert.InRange(bursts[0][0].ArrivalTime, 5.0, 10.5);
        var spreads = bursts.Select(b => b[^1].ArrivalTime - b[0].ArrivalTime).ToList();
        Assert.All(spreads, s => Assert.InRange(s, 0.0, 0.5));
        // 20 offsets U(0, 0.5) span about 0.5 * 19/21 = 0.45 on average; an offset range of 0.25 would give half that.
        Assert.InRange(spreads.Average(), 0.43, 0.475);

        // Consecutive burst-start gaps are U(5, 10): the first arrivals of bursts are that plus offsets in [0, 0.5).
        var firstGaps = bursts.Zip(bursts.Skip(1), (a, b) => b[0].ArrivalTime - a[0].ArrivalTime).ToList();
        Assert.All(firstGaps, g => Assert.InRange(g, 4.5, 10.5));
        // Mean 7.5; U(5, 10) has sd 5/sqrt(12) ~ 1.44, so 4 sd of a mean of 999 gaps is ~0.18 (offsets telescope away).
        Assert.InRange(firstGaps.Average(), 7.5 - 0.2, 7.5 + 0.2);
        // ~10 of 999 gaps fall within 0.05 of each end, and offsets move a gap by more than 0.2 with probability 1e-4:
        // the extremes pin both bounds of U(5, 10).
        Assert.InRange(firstGaps.Min(), 4.8, 5.15);
        Assert.InRange(firstGaps.Max(), 9.85, 10.2);
    }

    [Fact]
    public void Bursty_lengths_cover_their_inclusive_ranges()
    {
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Bursty, NumRequests = Large }, 17);
        Assert.Equal((30, 150), (rows.Min(r => r.PrefillLength), rows.Max(r => r.PrefillLength)));
        Assert.Equal((20, 80), (rows.Min(r => r.DecodeLength), rows.Max(r => r.DecodeLength)));
        // Uniform: the mean of U{30..150} is 90 (sd ~35, 4 sd of the mean ~1.0).
        Assert.InRange(rows.Average(r => r.PrefillLength), 89.0, 91.0);
    }

    [Fact]
    public void Typed_merges_per_class_poisson_streams_at_their_rates()
    {
        var classes = RequestClass.ParseList("20:20:5.1,100:50:0.5");
        var rows = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Typed, NumRequests = Large, Classes = classes }, 23);

        var fast = rows.Where(r => (r.PrefillLength, r.DecodeLength) == (20, 20)).ToList();
        var slow = rows.Where(r => (r.PrefillLength, r.DecodeLength) == (100, 50)).ToList();
        Assert.Equal(Large, fast.Count + slow.Count);

        // Each arrival of the merged stream belongs to a class with probability rate / total rate.
        AssertProportion(slow.Count, Large, 0.5 / 5.6);
        AssertExponentialGaps(Gaps(fast), 5.1);
        AssertExponentialGaps(Gaps(slow), 0.5);
        AssertExponentialGaps(Gaps(rows), 5.6);
    }

    [Fact]
    public void Adding_a_class_leaves_the_arrivals_of_the_others_unchanged()
    {
        var one = new WorkloadSpec { Scenario = Scenario.Typed, NumRequests = 1_000, Classes = RequestClass.ParseList("20:20:1") };
        var two = one with { NumRequests = 2_000, Classes = RequestClass.ParseList("20:20:1,100:50:1") };

        var alone = WorkloadGenerator.Generate(one, 31).Select(r => r.ArrivalTime).ToList();
        var withOther = WorkloadGenerator.Generate(two, 31).Where(r => r.PrefillLength == 20).Select(r => r.ArrivalTime).ToList();

        Assert.InRange(withOther.Count, 900, 1_100);
        var shared = Math.Min(alone.Count, withOther.Count);
        Assert.Equal(alone.Take(shared), withOther.Take(shared));
    }

    [Fact]
    public void Typed_classes_with_equal_lengths_still_get_independent_streams()
    {
        var spec = new WorkloadSpec { Scenario = Scenario.Typed, NumRequests = 2_000, Classes = RequestClass.ParseList("5:5:1,5:5:1") };
        var rows = WorkloadGenerator.Generate(spec, 3);
        // Two identical streams would arrive in pairs at equal times.
        Assert.All(rows.Zip(rows.Skip(1)), pair => Assert.NotEqual(pair.First.ArrivalTime, pair.Second.ArrivalTime));
        AssertExponentialGaps(Gaps(rows), 2.0);
    }

    [Fact]
    public void The_merge_breaks_ties_by_class_order_and_keeps_each_stream_in_order()
    {
        var a = new Queue<double>([1, 2, 2, 3, 9]);
        var b = new Queue<double>([0.5, 2, 2, 4, 9]);
        var c = new Queue<double>([2, 9]);
        var merged = WorkloadGenerator.MergeByTime([a.Dequeue, b.Dequeue, c.Dequeue], 9);

        Assert.Equal(
            [(0.5, 1), (1.0, 0), (2.0, 0), (2.0, 0), (2.0, 1), (2.0, 1), (2.0, 2), (3.0, 0), (4.0, 1)],
            merged.Select(m => (m.Time, m.Stream)));
    }

    [Fact]
    public void An_invalid_spec_is_refused_naming_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Typed }, 1));
        Assert.StartsWith("classes:", e.Message);
        e = Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate(new WorkloadSpec { NumRequests = 0 }, 1));
        Assert.StartsWith("num_requests:", e.Message);
    }

    private static List<double> Gaps(IReadOnlyList<Request> rows)
    {
        var gaps = new List<double>(rows.Count) { rows[0].ArrivalTime };
        for (var i = 1; i < rows.Count; i++) gaps.Add(rows[i].ArrivalTime - rows[i - 1].ArrivalTime);
        return gaps;
    }

    /// <summary>Mean gap 1/rate (sd of the mean (1/rate)/sqrt(n)); P(gap > mean) = 1/e, which only the exponential gives.</summary>
    private static void AssertExponentialGaps(List<double> gaps, double rate)
    {
        var mean = 1 / rate;
        var tolerance = 4 * mean / Math.Sqrt(gaps.Count);
        Assert.InRange(gaps.Average(), mean - tolerance, mean + tolerance);
        AssertProportion(gaps.Count(g => g > mean), gaps.Count, Math.Exp(-1));
    }

    /// <summary>A binomial count within 4 sd of its expectation.</summary>
    private static void AssertProportion(int count, int n, double p)
    {
        var tolerance = 4 * Math.Sqrt(p * (1 - p) / n);
        Assert.InRange((double)count / n, p - tolerance, p + tolerance);
    }

    /// <summary>Rows grouped by burst: within a burst arrivals are under 0.5 apart, between bursts over 4.5.</summary>
    private static List<List<Request>> SplitBursts(IReadOnlyList<Request> rows)
    {
        var bursts = new List<List<Request>> { new() { rows[0] } };
        for (var i = 1; i < rows.Count; i++)
        {
            var gap = rows[i].ArrivalTime - rows[i - 1].ArrivalTime;
            Assert.True(gap < 0.5 || gap > 4.5, $"gap {gap} before row {i} fits neither a burst nor a pause");
            if (gap > 4.5) bursts.Add([]);
            bursts[^1].Add(rows[i]);
        }
        return bursts;
    }
}
