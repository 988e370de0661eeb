using System.Diagnostics;
using System.Globalization;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>
/// <c>rss-million [none|csv|parquet] [requests]</c>: generates the 1,000,000-request workload (or <c>requests</c> rows of
/// it, to see how memory scales) and runs it once outside BenchmarkDotNet, with no tables or with the four detail tables
/// streamed to a temporary folder, so <c>/usr/bin/time -v</c> can report the peak resident memory of exactly one run.
/// </summary>
public static class PeakMemoryRun
{
    public const string Command = "rss-million";

    public static int Run(string[] args)
    {
        var tables = args.Length > 0 ? args[0] : "none";
        TableFormat? format;
        switch (tables)
        {
            case "none":
                format = null;
                break;
            case "csv":
                format = TableFormat.Csv;
                break;
            case "parquet":
                format = TableFormat.Parquet;
                break;
            default:
                Console.Error.WriteLine($"usage: {Command} [none|csv|parquet] [requests]; got '{tables}'");
                return 2;
        }
        var count = BenchmarkWorkloads.MillionCount;
        if (args.Length > 1 && (!int.TryParse(args[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 1))
        {
            Console.Error.WriteLine($"usage: {Command} [none|csv|parquet] [requests]; requests must be an integer >= 1, got '{args[1]}'");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var requests = BenchmarkWorkloads.Million(count);
        var generated = clock.Elapsed;

        var directory = Directory.CreateTempSubdirectory("fluidsim-rss-").FullName;
        try
        {
            clock.Restart();
            var summary = format is { } tableFormat
                ? BenchmarkWorkloads.RunWithTables(requests, BenchmarkWorkloads.MillionParameters, directory, tableFormat)
                : Simulator.Run(requests, BenchmarkWorkloads.MillionParameters);
            var ran = clock.Elapsed;
            var tableBytes = new DirectoryInfo(directory).EnumerateFiles().Sum(file => file.Length);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tables={tables} requests={summary.NumRequests} completed={summary.Completed} batches={summary.Batches} " +
                $"generate_s={generated.TotalSeconds:F3} run_s={ran.TotalSeconds:F3} table_mb={tableBytes / 1048576.0:F1} " +
                $"peak_working_set_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F1}"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return 0;
    }
}
