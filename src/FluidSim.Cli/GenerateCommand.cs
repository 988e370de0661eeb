using System.CommandLine;
using System.Globalization;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Cli;

/// <summary><c>fluidsim generate</c>: writes a request CSV from a workload scenario of workloads.md.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario")
        {
            HelpName = "normal|heavy|bursty|typed",
            Description = "Workload scenario: normal, heavy, bursty or typed",
            Required = true,
        };
        var numRequests = new Option<int>("--num-requests", "-n")
        {
            HelpName = "N",
            Description = "Number of requests (rows) to generate",
            DefaultValueFactory = _ => new WorkloadSpec().NumRequests,
        };
        var arrivalRate = new Option<double?>("--arrival-rate")
        {
            HelpName = "R",
            Description = "Poisson arrival rate of normal and heavy (default 0.5 and 2.0)",
        };
        var seed = new Option<long>("--seed")
        {
            HelpName = "S",
            Description = "Seed of the generator: the same seed gives the same file",
            DefaultValueFactory = _ => new SimulationParameters().Seed,
        };
        var burstSize = new Option<int?>("--burst-size")
        {
            HelpName = "K",
            Description = "Requests per burst of bursty (default 20)",
        };
        var classes = new Option<string?>("--classes")
        {
            HelpName = "P:D:RATE,...",
            Description = "Classes of typed, 'prefill:decode:rate' separated by commas, e.g. \"20:20:5.1,100:50:0.5\"",
        };
        var output = new Option<string>("--output", "-o")
        {
            HelpName = "FILE",
            Description = "The request CSV to write (an existing file is refused unless --force)",
            Required = true,
        };
        var force = new Option<bool>("--force", "-f")
        {
            Description = "Replace the output file if it exists (atomically: readers never see half a file)",
        };

        var command = new Command("generate", "Generate a request CSV from a workload scenario")
        {
            scenario, numRequests, arrivalRate, seed, burstSize, classes, output, force,
        };
        command.SetAction(parse =>
        {
            var spec = BuildSpec(
                parse.GetRequiredValue(scenario),
                parse.GetValue(numRequests),
                parse.GetValue(arrivalRate),
                parse.GetValue(burstSize),
                parse.GetValue(classes));
            var path = parse.GetRequiredValue(output);
            if (File.Exists(path) && !parse.GetValue(force))
                throw new InputException(path, null, null, null, "the file exists; pass --force to replace it, or choose another name");
            if (Directory.Exists(path)) throw new InputException(path, null, null, null, "is a folder; give a file name");
            var seedValue = parse.GetValue(seed);

            var requests = WorkloadGenerator.Generate(spec, seedValue);
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            RequestFile.Write(path, requests);
            Console.WriteLine(Describe(path, spec, seedValue, requests));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The workload the options describe; an option a scenario does not use is refused rather than ignored.</summary>
    private static WorkloadSpec BuildSpec(string scenarioText, int numRequests, double? arrivalRate, int? burstSize, string? classesText)
    {
        if (!WorkloadSpec.TryParseScenario(scenarioText, out var scenario))
        {
            throw new UsageException("--scenario",
                $"unknown scenario '{scenarioText}'; expected {string.Join(", ", WorkloadSpec.ScenarioNames)}");
        }
        if (arrivalRate is not null && scenario is not (Scenario.Normal or Scenario.Heavy))
        {
            throw new UsageException("--arrival-rate", $"only normal and heavy use an arrival rate ({WorkloadSpec.Format(scenario)} does not)");
        }
        if (burstSize is not null && scenario != Scenario.Bursty)
        {
            throw new UsageException("--burst-size", $"only bursty uses a burst size ({WorkloadSpec.Format(scenario)} does not)");
        }
        if (classesText is not null && scenario != Scenario.Typed)
        {
            throw new UsageException("--classes", $"only typed uses request classes ({WorkloadSpec.Format(scenario)} does not)");
        }

        IReadOnlyList<RequestClass>? classes = null;
        if (classesText is not null)
        {
            try
            {
                classes = RequestClass.ParseList(classesText);
            }
            catch (FormatException e)
            {
                throw new UsageException("--classes", e.Message);
            }
        }

        var spec = new WorkloadSpec
        {
            Scenario = scenario,
            NumRequests = numRequests,
            ArrivalRate = arrivalRate,
            BurstSize = burstSize ?? new WorkloadSpec().BurstSize,
            Classes = classes,
        };
        foreach (var (key, error) in spec.Problems()) throw new UsageException(OptionOf(key), error);
        return spec;
    }

    private static string OptionOf(string workloadKey) => workloadKey switch
    {
        WorkloadKeys.NumRequests => "--num-requests",
        WorkloadKeys.ArrivalRate => "--arrival-rate",
        WorkloadKeys.BurstSize => "--burst-size",
        WorkloadKeys.Classes => "--classes",
        _ => "--scenario",
    };

    private static string Describe(string path, WorkloadSpec spec, long seed, IReadOnlyList<Request> requests)
    {
        double first = double.PositiveInfinity, last = double.NegativeInfinity, prefill = 0, decode = 0;
        foreach (var r in requests)
        {
            first = Math.Min(first, r.ArrivalTime);
            last = Math.Max(last, r.ArrivalTime);
            prefill += r.PrefillLength;
            decode += r.DecodeLength;
        }
        var n = requests.Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"Wrote {n} requests ({WorkloadSpec.Format(spec.Scenario)}, seed {seed}) to {path}: "
            + $"arrivals {first:0.###} to {last:0.###} (span {last - first:0.###}), "
            + $"mean prefill {prefill / n:0.##}, mean decode {decode / n:0.##}");
    }
}
