using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid.Tests;

public sealed class FluidWorkloadTests
{
    [Fact]
    public void Classes_give_the_total_rate_and_shares_by_rate()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:5.0,100:50:0.4"));
        Assert.Equal(5.4, w.ArrivalRate, 12);
        Assert.Equal([(20, 20), (100, 50)], w.Mix.Select(m => (m.PrefillLength, m.DecodeLength)));
        Assert.Equal(5.0 / 5.4, w.Mix[0].Share, 12);
        // g = o l + o (o + 1) / 2: 20*20 + 210 = 610 and 50*100 + 1275 = 6275.
        Assert.Equal((5.0 * 610 + 0.4 * 6275) / 5.4, w.MeanTokenBatches, 9);
    }

    [Fact]
    public void A_request_file_gives_its_empirical_mix_at_n_minus_1_gaps_over_its_span()
    {
        Request[] requests =
        [
            new(0, 2.0, 10, 5), new(1, 4.0, 10, 5), new(2, 6.0, 30, 7), new(3, 12.0, 10, 5),
        ];
        var w = FluidWorkload.FromRequests(requests, "r.csv");
        Assert.Equal(3 / 10.0, w.ArrivalRate, 12);
        Assert.Equal(2, w.Mix.Count);
        Assert.Equal(0.75, w.Mix.Single(m => m.PrefillLength == 10).Share, 12);
        Assert.Throws<ArgumentException>(() => FluidWorkload.FromRequests([new(0, 1.0, 1, 1)], "one.csv"));
        Assert.Throws<ArgumentException>(() => FluidWorkload.FromRequests([new(0, 1.0, 1, 1), new(1, 1.0, 2, 2)], "same.csv"));
    }

    [Fact]
    public void Scenarios_give_the_length_distributions_of_workloads_md()
    {
        var normal = FluidWorkload.FromSpec(new WorkloadSpec { Scenario = Scenario.Normal });
        Assert.Equal(0.5, normal.ArrivalRate);
        Assert.Equal(51 * 31 + 51 * 21, normal.Mix.Count);
        // 80% decode U{10..40} (mean 25), 20% U{80..100} (mean 90).
        Assert.Equal(0.8 * 25 + 0.2 * 90, normal.MeanDecodeLength, 9);
        Assert.Equal(1.0, normal.Mix.Sum(m => m.Share), 12);

        var bursty = FluidWorkload.FromSpec(new WorkloadSpec { Scenario = Scenario.Bursty, BurstSize = 30 });
        Assert.Equal(30 / 7.5, bursty.ArrivalRate, 12);
        Assert.Equal(121 * 61, bursty.Mix.Count);

        var heavy = FluidWorkload.FromSpec(new WorkloadSpec { Scenario = Scenario.Heavy, ArrivalRate = 3 });
        Assert.Equal(3, heavy.ArrivalRate);
        Assert.Equal(0.7 * 35 + 0.3 * 140, heavy.MeanDecodeLength, 9);
    }

    [Fact]
    public void Few_pairs_are_integrated_exactly_and_many_are_binned_keeping_rate_and_mean_token_batches()
    {
        var two = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:5.0,100:50:0.4"));
        Assert.Equal([new FluidClass(20, 20, 5.0), new FluidClass(100, 50, 0.4)], two.ToClasses());

        var normal = FluidWorkload.FromSpec(new WorkloadSpec());
        foreach (var max in new[] { 1, 8, 32, 64 })
        {
            var classes = normal.ToClasses(max);
            Assert.InRange(classes.Count, 1, max);
            Assert.Equal(normal.ArrivalRate, classes.Sum(c => c.Rate), 12);
            Assert.Equal(normal.MeanTokenBatches, classes.Sum(c => c.Rate * c.TokenBatches) / normal.ArrivalRate, 6);
            Assert.All(classes, c => Assert.True(c.PrefillLength >= 0 && c.DecodeLength >= 1));
        }
        // The long part (decode 80..100) keeps classes of its own.
        Assert.Contains(normal.ToClasses(32), c => c.DecodeLength >= 80);
    }

    [Fact]
    public void Served_drops_what_L_filter_removes_and_what_the_node_rejects()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:3,100:50:1,5000:100:1"));
        var (served, share) = w.Served(new SimulationParameters { MTotal = 4000, LFilter = 60 });
        Assert.NotNull(served);
        Assert.Equal(0.8, share, 12);
        Assert.Equal(4.0, served.ArrivalRate, 12);
        Assert.Equal(2, served.Mix.Count);
        var (none, zero) = w.Served(new SimulationParameters { MTotal = 10, LFilter = 60 });
        Assert.Null(none);
        Assert.Equal(0, zero);
    }

    [Fact]
    public void Generated_requests_follow_the_rate_and_mix_and_repeat_for_a_seed()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:3,100:50:1"));
        var a = w.Generate(20_000, 7);
        Assert.Equal(a, w.Generate(20_000, 7));
        Assert.NotEqual(a, w.Generate(20_000, 8));
        Assert.Equal(Enumerable.Range(0, 20_000), a.Select(r => r.ReqId));
        Assert.True(a.Zip(a.Skip(1)).All(p => p.First.ArrivalTime <= p.Second.ArrivalTime));
        Assert.Equal(4.0, (a.Count - 1) / (a[^1].ArrivalTime - a[0].ArrivalTime), 0.1);
        Assert.Equal(0.25, a.Count(r => r.PrefillLength == 100) / (double)a.Count, 0.015);
    }
}
