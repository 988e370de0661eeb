using FluidSim.Simulation.Workloads;

namespace FluidSim.Simulation.Tests.Workloads;

public class WorkloadSpecTests
{
    [Fact]
    public void Defaults_are_those_of_workloads_md()
    {
        var spec = new WorkloadSpec();
        Assert.Equal((Scenario.Normal, 100, (double?)null, 20), (spec.Scenario, spec.NumRequests, spec.ArrivalRate, spec.BurstSize));
        Assert.Null(spec.Classes);
        Assert.Empty(spec.Problems());
        Assert.Equal(0.5, spec.EffectiveArrivalRate);
        Assert.Equal(2.0, (spec with { Scenario = Scenario.Heavy }).EffectiveArrivalRate);
        Assert.Equal(1.5, (spec with { Scenario = Scenario.Heavy, ArrivalRate = 1.5 }).EffectiveArrivalRate);
    }

    public static TheoryData<WorkloadSpec, string> Invalid => new()
    {
        { new WorkloadSpec { Scenario = (Scenario)9 }, "scenario" },
        { new WorkloadSpec { NumRequests = 0 }, "num_requests" },
        { new WorkloadSpec { NumRequests = -5 }, "num_requests" },
        { new WorkloadSpec { ArrivalRate = 0 }, "arrival_rate" },
        { new WorkloadSpec { ArrivalRate = -1 }, "arrival_rate" },
        { new WorkloadSpec { ArrivalRate = double.NaN }, "arrival_rate" },
        { new WorkloadSpec { ArrivalRate = double.PositiveInfinity }, "arrival_rate" },
        { new WorkloadSpec { Scenario = Scenario.Bursty, BurstSize = 0 }, "burst_size" },
        { new WorkloadSpec { Scenario = Scenario.Typed }, "classes" },
        { new WorkloadSpec { Scenario = Scenario.Typed, Classes = [] }, "classes" },
        { new WorkloadSpec { Scenario = Scenario.Typed, Classes = [new RequestClass(1, 1, 1), new RequestClass(1, 0, 1)] }, "classes" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Problems_names_the_field_out_of_range(WorkloadSpec spec, string key)
    {
        var problem = Assert.Single(spec.Problems());
        Assert.Equal(key, problem.Key);
        Assert.NotEmpty(problem.Error);
        Assert.StartsWith(key + ":", Assert.Throws<ArgumentException>(spec.Validate).Message);
    }

    [Fact]
    public void Problems_lists_every_bad_field_and_which_class()
    {
        var spec = new WorkloadSpec
        {
            NumRequests = 0,
            ArrivalRate = -1,
            BurstSize = 0,
            Classes = [new RequestClass(1, 1, 1), new RequestClass(1, 1, 0)],
        };
        var problems = spec.Problems().ToList();
        Assert.Equal(["num_requests", "arrival_rate", "burst_size", "classes"], problems.Select(p => p.Key));
        Assert.StartsWith("class 2: rate", problems[^1].Error);
    }

    [Fact]
    public void Classes_are_only_required_by_typed()
    {
        Assert.Empty(new WorkloadSpec { Scenario = Scenario.Bursty }.Problems());
        Assert.Empty(new WorkloadSpec { Scenario = Scenario.Typed, Classes = [new RequestClass(1, 1, 1)] }.Problems());
    }

    [Fact]
    public void Scenario_names_round_trip()
    {
        foreach (var s in Enum.GetValues<Scenario>())
        {
            Assert.True(WorkloadSpec.TryParseScenario(WorkloadSpec.Format(s), out var parsed));
            Assert.Equal(s, parsed);
        }
        Assert.Equal(["normal", "heavy", "bursty", "typed"], Enum.GetValues<Scenario>().Select(WorkloadSpec.Format));
        Assert.True(WorkloadSpec.TryParseScenario("Bursty", out var bursty));
        Assert.Equal(Scenario.Bursty, bursty);
        Assert.False(WorkloadSpec.TryParseScenario("burst", out _));
        Assert.False(WorkloadSpec.TryParseScenario(null, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkloadSpec.Format((Scenario)9));
    }

    [Fact]
    public void Specs_with_equal_classes_are_equal()
    {
        var a = new WorkloadSpec { Scenario = Scenario.Typed, Classes = RequestClass.ParseList("20:20:5.1,100:50:0.5") };
        var b = new WorkloadSpec { Scenario = Scenario.Typed, Classes = RequestClass.ParseList("20:20:5.1, 100:50:0.5") };
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Classes = RequestClass.ParseList("20:20:5.1") });
        Assert.NotEqual(a, b with { Classes = null });
        Assert.NotEqual(a, a with { NumRequests = 101 });
    }

    [Fact]
    public void TryApply_reads_every_field_from_text()
    {
        var spec = new WorkloadSpec();
        spec = spec.TryApply("scenario", "typed", out _)!;
        spec = spec.TryApply("num_requests", "2000", out _)!;
        spec = spec.TryApply("arrival_rate", "1.25", out _)!;
        spec = spec.TryApply("burst_size", "7", out _)!;
        spec = spec.TryApply("classes", "20:20:5.1", out _)!;
        Assert.Equal(
            new WorkloadSpec { Scenario = Scenario.Typed, NumRequests = 2000, ArrivalRate = 1.25, BurstSize = 7, Classes = [new RequestClass(20, 20, 5.1)] },
            spec);
        Assert.Null(spec.TryApply("arrival_rate", "null", out _)!.ArrivalRate);
        Assert.Null(spec.TryApply("classes", "~", out _)!.Classes);
    }

    [Theory]
    [InlineData("scenario", "burst", "unknown scenario 'burst'")]
    [InlineData("num_requests", "0", "expected an integer >= 1, got '0'")]
    [InlineData("num_requests", "1.5", "expected an integer >= 1")]
    [InlineData("num_requests", null, "expected an integer >= 1, got 'null'")]
    [InlineData("burst_size", "-3", "expected an integer >= 1")]
    [InlineData("arrival_rate", "0", "expected a finite number > 0 or null, got '0'")]
    [InlineData("arrival_rate", "inf", "expected a finite number > 0")]
    [InlineData("classes", "20:20", "class 1 '20:20': expected 3 fields")]
    [InlineData("arrival_rte", "1", "unknown workload field 'arrival_rte' (did you mean 'arrival_rate'?)")]
    public void TryApply_says_what_is_wrong(string key, string? raw, string expected)
    {
        Assert.Null(new WorkloadSpec().TryApply(key, raw, out var error));
        Assert.Contains(expected, error);
    }
}
