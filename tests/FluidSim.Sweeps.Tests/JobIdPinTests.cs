namespace FluidSim.Sweeps.Tests;

/// <summary>
/// Literal job ids and fingerprints: a resume matches completed work by id, so a refactoring of how parameters are
/// parsed or formatted must leave these exactly as they are.
/// </summary>
public class JobIdPinTests
{
    private const string EveryParameterSet = """
        name: pins
        workload: {generate: {scenario: normal, num_requests: 20, arrival_rate: 0.5}}
        base:
          M_total: 1234
          B: 567
          d_0: 0.5
          d_1: 0.25
          mode: sacrifice
          queue_policy: sjf
          victim_policy: random
          L_filter: 300
          swap_time_per_token: 0.01
          stall_batches: 77
          batch_priority: standard
          seed: 9
        grid:
          L_filter: [null, 5]
          d_1: {from: 0.1, to: 0.3, step: 0.1}
        replications: 2
        """;

    [Fact]
    public void Job_ids_of_a_sweep_setting_every_parameter_are_pinned()
    {
        var sweep = TestFiles.Parse(EveryParameterSet);

        Assert.Equal(
            [
                "54214bef42b5b1bf",
                "9893054a41195335",
                "afad7f1544656d39",
                "838a4cfe645f106e",
                "c6c325aa6f00557b",
                "8d45ecaffd62054e",
                "59072e858b65acde",
                "a717b74fea383b6f",
                "18b7dd8c7c201315",
                "5a9e44f42d6ecd23",
                "6c1761029a33adfa",
                "5f3344db422aa01a",
            ],
            sweep.Jobs.Select(j => j.JobId));
        Assert.Equal("d71655a7d3b7475022975992741835b5483a5bdce16e3f78684857fcd146432b", sweep.Fingerprint);
    }

    [Fact]
    public void Job_ids_of_the_spec_example_are_pinned()
    {
        var sweep = TestFiles.Parse(SweepExpansionTests.SpecExample);

        Assert.Equal("740c680e39231942", sweep.Jobs[0].JobId);
        Assert.Equal("98be610ff6d54dcb", sweep.Jobs[^1].JobId);
        Assert.Equal("fb0dfbee47081431e40fd627b9e8f2e255aa0cadf15cba1168bc32c0f61a1e1d", sweep.Fingerprint);
    }

    [Fact]
    public void Job_ids_of_a_sweep_on_the_defaults_are_pinned()
    {
        var sweep = TestFiles.Parse("""
            name: defaults
            workload: {generate: {}}
            """);

        Assert.Equal("4a98a561a4499c60", Assert.Single(sweep.Jobs).JobId);
    }
}
