using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Sweeps.Tests;

public class SweepJobRunnerTests
{
    private const string Sweep = """
        name: runner
        workload: {generate: {scenario: heavy, num_requests: 300}}
        base: {M_total: 3000, B: 1000}
        grid:
          victim_policy: [LIFO, random]
        seeds: [5, 6]
        """;

    [Fact]
    public void The_same_job_run_twice_gives_an_identical_summary()
    {
        var sweep = TestFiles.Parse(Sweep);
        foreach (var job in sweep.Jobs)
        {
            var first = SweepJobRunner.Run(job, null, CancellationToken.None);
            var second = SweepJobRunner.Run(job, null, CancellationToken.None);
            Assert.Equal(first.Metrics(), second.Metrics());
            Assert.Equal(300, first.NumRequests);
        }
    }

    [Fact]
    public void A_job_runs_the_simulator_on_the_workload_of_its_seed()
    {
        var job = TestFiles.Parse(Sweep).Jobs[2]; // random, seed 5
        Assert.Equal((VictimPolicy.Random, 5L), (job.Parameters.VictimPolicy, job.Seed));

        var requests = WorkloadGenerator.Generate(job.Generate!, 5);
        var engine = Simulator.Run(requests, job.Parameters with { Seed = 5 });
        var run = SweepJobRunner.Run(job, null, CancellationToken.None);
        // The engine's metrics, then the fluid columns the runner adds (RunRegime): the load of this seed's requests.
        Assert.Equal(engine.Metrics().SkipLast(2), run.Metrics().SkipLast(2));
        Assert.Equal((null, null), (engine.FluidLoad, engine.Regime));
        Assert.Equal(RunRegime.FluidLoad(requests, job.Parameters), run.FluidLoad);
        Assert.Equal("overloaded", run.Regime);
        var expected = run;
        // Another seed is another workload (and another run).
        Assert.NotEqual(expected.Metrics(), SweepJobRunner.Run(job with { Seed = 6 }, null, CancellationToken.None).Metrics());
    }

    [Fact]
    public void Jobs_with_the_same_seed_share_their_requests()
    {
        var sweep = TestFiles.Parse(Sweep);
        var lifo = sweep.Jobs.Single(j => j.Seed == 5 && j.Parameters.VictimPolicy == VictimPolicy.Lifo);
        var random = sweep.Jobs.Single(j => j.Seed == 5 && j.Parameters.VictimPolicy == VictimPolicy.Random);
        Assert.Equal(lifo.Generate, random.Generate);

        // What each run was fed, as the runner fed it: every request finishes once (completed, rejected or unfinished).
        var lifoRequests = RequestsRunBy(lifo);
        var randomRequests = RequestsRunBy(random);
        Assert.Equal(300, lifoRequests.Count);
        Assert.Equal(lifoRequests, randomRequests);
        Assert.Equal(WorkloadGenerator.Generate(lifo.Generate!, 5).Select(r => (r.ReqId, r.ArrivalTime, r.PrefillLength, r.DecodeLength)), lifoRequests);
        // The other seed's jobs are fed other requests, so the equality above is not one of any two workloads.
        var otherSeed = sweep.Jobs.Single(j => j.Seed == 6 && j.Parameters.VictimPolicy == VictimPolicy.Lifo);
        Assert.NotEqual(lifoRequests, RequestsRunBy(otherSeed));
    }

    /// <summary>The requests <see cref="SweepJobRunner"/> ran for <paramref name="job"/>, by id, as its observer saw them.</summary>
    private static List<(int ReqId, double ArrivalTime, int PrefillLength, int DecodeLength)> RequestsRunBy(SweepJob job)
    {
        var observer = new CountingObserver();
        SweepJobRunner.Run(job, observer, CancellationToken.None);
        return [.. observer.Requests.OrderBy(r => r.ReqId)];
    }

    [Fact]
    public void A_file_job_reads_its_requests_and_an_observer_sees_the_run()
    {
        using var folder = new TempDirectory();
        TestFiles.WriteRequests(folder, count: 40);
        var job = Assert.Single(TestFiles.Parse("name: f\nworkload: {file: requests.csv}\n", folder.Path).Jobs);
        var observer = new CountingObserver();

        var summary = SweepJobRunner.Run(job, observer, CancellationToken.None);
        var again = SweepJobRunner.Run(job, null, CancellationToken.None);

        Assert.Equal(40, summary.NumRequests);
        Assert.Equal(40, summary.Completed);
        Assert.Equal(40, observer.Finished);
        Assert.Equal(summary.Batches, observer.Batches);
        Assert.Equal(summary.Metrics(), again.Metrics());
    }

    [Fact]
    public void A_cancelled_job_stops()
    {
        var job = TestFiles.Parse(Sweep).Jobs[0];
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SweepJobRunner.Run(job, null, cancelled.Token));
    }

    private sealed class CountingObserver : ISimulationObserver
    {
        public int Finished { get; private set; }

        public long Batches { get; private set; }

        public void OnEvent(in SimulationEvent e)
        {
        }

        public void OnBatch(in BatchSnapshot batch) => Batches++;

        public List<(int ReqId, double ArrivalTime, int PrefillLength, int DecodeLength)> Requests { get; } = [];

        public void OnRequestFinished(in RequestTrace trace)
        {
            Finished++;
            Requests.Add((trace.ReqId, trace.ArrivalTime, trace.PrefillLength, trace.DecodeLength));
        }
    }
}
