using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using FluidSim.Results;
using FluidSim.Simulation;
using nietras.SeparatedValues;
using Sylvan.Data.Csv;

namespace FluidSim.Benchmarks;

/// <summary>
/// <c>csv-compare [file|-] [rounds]</c>: reads a request CSV (by default, or with <c>-</c>, the 1,000,000-row <c>normal</c>
/// workload of the engine benchmarks, written to a temporary file) into requests with each candidate library, round-robin, and prints rows per second. Each candidate
/// finds the three required columns and <c>priority</c> by name and parses them with its own number parsers, checking
/// what every request must satisfy (finite, non-negative, decode_length >= 1), so the figures compare like with like.
/// <c>RequestFile.Read</c> is the product's reader, whichever library it is built on.
/// </summary>
public static class CsvReaderComparison
{
    public const string Command = "csv-compare";

    private static readonly (string Name, Func<string, List<Request>> Read)[] Candidates =
    [
        ("RequestFile.Read (product)", path => [.. RequestFile.Read(path)]),
        ("Sep 0.17.1", ReadWithSep),
        ("Sylvan.Data.Csv 1.4.4", ReadWithSylvan),
        ("CsvHelper 34.0.0", ReadWithCsvHelper),
    ];

    public static int Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        string path;
        string? temporary = null;
        if (args.Length > 0 && args[0] != "-")
        {
            path = args[0];
        }
        else
        {
            temporary = path = Path.Combine(Path.GetTempPath(), $"fluidsim-csv-compare-{Environment.ProcessId}.csv");
            RequestFile.Write(path, BenchmarkWorkloads.Million());
        }
        try
        {
            var bytes = new FileInfo(path).Length;
            var expected = RequestFile.Read(path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {expected.Count:N0} rows, {bytes / 1048576.0:F1} MB; {rounds} rounds, candidates in turn"));
            var wall = Candidates.Select(_ => new List<double>()).ToArray();
            var cpu = Candidates.Select(_ => new List<double>()).ToArray();
            using var process = Process.GetCurrentProcess();
            for (var round = 0; round < rounds; round++)
            {
                for (var c = 0; c < Candidates.Length; c++)
                {
                    GC.Collect();
                    process.Refresh();
                    var cpuBefore = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    var requests = Candidates[c].Read(path);
                    var elapsed = clock.Elapsed;
                    process.Refresh();
                    cpu[c].Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
                    wall[c].Add(elapsed.TotalSeconds);
                    if (!requests.SequenceEqual(expected)) throw new InvalidOperationException($"{Candidates[c].Name} read different requests");
                }
            }
            Console.WriteLine("| reader | rows/s (median wall) | best wall | median wall | median CPU |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (var c = 0; c < Candidates.Length; c++)
            {
                var median = Median(wall[c]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Candidates[c].Name} | {expected.Count / median / 1e6:F1} M | {wall[c].Min() * 1000:F0} ms | {median * 1000:F0} ms | {Median(cpu[c]) * 1000:F0} ms |"));
            }
        }
        finally
        {
            if (temporary is not null) File.Delete(temporary);
        }
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static Request Checked(int index, double arrival, int prefill, int decode, int priority)
    {
        if (!(arrival >= 0) || !double.IsFinite(arrival) || prefill < 0 || decode < 1)
        {
            throw new InvalidDataException($"row {index} is invalid");
        }
        return new Request(index, arrival, prefill, decode, priority);
    }

    private static List<Request> ReadWithSep(string path)
    {
        using var reader = Sep.Reader(o => o with { CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
        var header = reader.Header;
        int arrival = header.IndexOf(RequestFile.ArrivalTimeColumn), prefill = header.IndexOf(RequestFile.PrefillLengthColumn);
        int decode = header.IndexOf(RequestFile.DecodeLengthColumn), priority = header.IndexOf(RequestFile.PriorityColumn);
        var requests = new List<Request>();
        foreach (var row in reader)
        {
            requests.Add(Checked(requests.Count, row[arrival].Parse<double>(), row[prefill].Parse<int>(), row[decode].Parse<int>(), row[priority].Parse<int>()));
        }
        return requests;
    }

    private static List<Request> ReadWithSylvan(string path)
    {
        using var reader = Sylvan.Data.Csv.CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = true, Culture = CultureInfo.InvariantCulture });
        int arrival = reader.GetOrdinal(RequestFile.ArrivalTimeColumn), prefill = reader.GetOrdinal(RequestFile.PrefillLengthColumn);
        int decode = reader.GetOrdinal(RequestFile.DecodeLengthColumn), priority = reader.GetOrdinal(RequestFile.PriorityColumn);
        var requests = new List<Request>();
        while (reader.Read())
        {
            requests.Add(Checked(requests.Count, reader.GetDouble(arrival), reader.GetInt32(prefill), reader.GetInt32(decode), reader.GetInt32(priority)));
        }
        return requests;
    }

    private static List<Request> ReadWithCsvHelper(string path)
    {
        using var reader = CsvReader.FromFile(path, CsvReaderOptions.Default with { Separator = ',', FormatProvider = CultureInfo.InvariantCulture });
        int arrival = reader.GetFieldIndex(RequestFile.ArrivalTimeColumn), prefill = reader.GetFieldIndex(RequestFile.PrefillLengthColumn);
        int decode = reader.GetFieldIndex(RequestFile.DecodeLengthColumn), priority = reader.GetFieldIndex(RequestFile.PriorityColumn);
        var requests = new List<Request>();
        while (reader.Read())
        {
            requests.Add(Checked(requests.Count, reader.Parse<double>(arrival), reader.Parse<int>(prefill), reader.Parse<int>(decode), reader.Parse<int>(priority)));
        }
        return requests;
    }
}
