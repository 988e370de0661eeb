using System.Globalization;
using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using FluidSim.Sweeps;

namespace FluidSim.Plots.Tests;

/// <summary>Real experiment folders and sweep summaries, made with the real simulator.</summary>
public static class Fixtures
{
    /// <summary>
    /// 300 heavy requests into M_total = 3000: memory pressure, so requests swap and every table has rows.
    /// Returns the experiment folder.
    /// </summary>
    public static string Experiment(string root, TableFormat format)
    {
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Heavy, NumRequests = 300 }, 7);
        var config = new SimulationConfig { Parameters = new SimulationParameters { MTotal = 3000 }, Verbose = false };
        var folder = System.IO.Path.Combine(root, "exp-" + format.ToString().ToLowerInvariant());
        var runner = new ExperimentRunner();
        var plan = runner.Plan(config, new RequestInput(requests, "generated heavy 300 seed 7", null),
            new ExperimentOptions { OutputFolder = folder, Format = format });
        return runner.Run(plan, null, CancellationToken.None).Folder;
    }

    /// <summary>A sweep over M_total × B × victim policy with 2 seeds, small enough to run in a test.</summary>
    public const string SweepYaml = """
        name: plots-test
        workload:
          generate: {scenario: heavy, num_requests: 120}
        base:
          d_0: 1.0
          d_1: 0.001
        grid:
          M_total: [1500, 3000]
          B: [500, 2000]
          victim_policy: [LIFO, FIFO]
        replications: 2
        """;

    /// <summary>Runs every job of <see cref="SweepYaml"/>, writes one summary part under <c>root/plots-test</c>, returns the rows.</summary>
    public static async Task<IReadOnlyList<SummaryRow>> SweepAsync(string root)
    {
        var sweep = SweepLoader.Parse(SweepYaml, "plots-test.yaml");
        var rows = sweep.Jobs
            .Select(job => new SummaryRow(sweep.Name, job, SweepJobRunner.Run(job, null, CancellationToken.None), 1, "test", 0.0,
                DateTime.UtcNow))
            .ToArray();
        await SweepResults.WriteSummaryPartAsync(System.IO.Path.Combine(root, sweep.Name), rows);
        return rows;
    }

    /// <summary>The value of metric <paramref name="name"/> in a run summary, as a double (null when undefined).</summary>
    public static double? Metric(RunSummary summary, string name) =>
        summary.Metrics().Single(m => m.Name == name).Value switch
        {
            null => null,
            long l => l,
            double d => d,
            var other => throw new InvalidOperationException($"{name} is {other}"),
        };

    /// <summary>A CSV read naively, independent of <see cref="ResultTable"/>: column name → cells as text.</summary>
    public static Dictionary<string, string[]> ReadCsvColumns(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        return header.Select((name, c) => (name, cells: rows.Select(r => r[c]).ToArray())).ToDictionary(x => x.name, x => x.cells);
    }

    public static double[] AsDoubles(string[] cells) => cells.Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
}
