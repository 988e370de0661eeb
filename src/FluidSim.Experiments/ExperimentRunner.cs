using System.Reflection;
using FluidSim.Fluid;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Experiments;

/// <summary>How and where <see cref="ExperimentRunner"/> writes an experiment.</summary>
public sealed record ExperimentOptions
{
    /// <summary>Exactly this folder (<c>--out</c>; must be new or empty), or null for a new folder under <c>&lt;output_dir&gt;/experiments/</c>.</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Format of the four detail tables.</summary>
    public TableFormat Format { get; init; } = TableFormat.Csv;

    /// <summary>Write only the summaries and the config files, not the detail tables.</summary>
    public bool SummaryOnly { get; init; }

    /// <summary>The command line recorded in <c>experiment_meta.yaml</c>.</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>The version recorded in <c>experiment_meta.yaml</c>.</summary>
    public string ToolVersion { get; init; } = ExperimentRunner.LibraryVersion;
}

/// <summary>An experiment checked and ready to run (see <see cref="ExperimentRunner.Plan"/>); run it once.</summary>
/// <param name="StartedAt">The run's start time: the folder name's timestamp and <c>created_at</c>.</param>
public sealed record ExperimentPlan(
    SimulationConfig Config,
    RequestInput Input,
    ExperimentOptions Options,
    ExperimentFolder Folder,
    DateTimeOffset StartedAt);

/// <summary>A committed experiment.</summary>
/// <param name="Folder">Full path of the experiment folder.</param>
/// <param name="ExperimentId">The folder's name.</param>
public sealed record ExperimentResult(string Folder, string ExperimentId, RunSummary Summary, TimeSpan WallTime);

/// <summary>
/// Runs one simulation into an experiment folder: the detail tables, <c>summary.txt</c>, <c>summary.json</c>,
/// <c>config_used.yaml</c> and <c>experiment_meta.yaml</c>, all or nothing.
/// </summary>
/// <remarks>
/// Everything is checked before the disk is touched; files are written into a hidden temp folder that is renamed
/// into place at the end, and deleted on any error or cancellation. No logging: progress goes to the caller's sink.
/// </remarks>
public sealed class ExperimentRunner(TimeProvider? timeProvider = null)
{
    public const string SummaryJsonFile = SummaryFiles.JsonFileName;
    public const string SummaryTextFile = SummaryFiles.TextFileName;
    public const string ConfigUsedFile = "config_used.yaml";
    public const string MetaFile = "experiment_meta.yaml";

    /// <summary>Folder under <c>output_dir</c> that holds the auto-named experiments.</summary>
    public const string ExperimentsFolder = "experiments";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The informational version of this library.</summary>
    public static string LibraryVersion { get; } =
        typeof(ExperimentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// Checks the config and the output folder and fixes the run's start time, without touching the disk: whatever
    /// this refuses, nothing has been created.
    /// </summary>
    /// <exception cref="InputException">The <c>--out</c> folder is not free.</exception>
    /// <exception cref="ArgumentException"><paramref name="config"/> holds an out-of-range value.</exception>
    public ExperimentPlan Plan(SimulationConfig config, RequestInput input, ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (key, error) in config.Problems()) throw new ArgumentException($"{key}: {error}", nameof(config));

        var startedAt = _time.GetUtcNow();
        var folder = options.OutputFolder is { } exact
            ? ExperimentFolder.Exact(exact)
            : ExperimentFolder.New(Path.Combine(config.OutputDir, ExperimentsFolder), startedAt.UtcDateTime);
        return new ExperimentPlan(config, input, options, folder, startedAt);
    }

    /// <summary>Plans and runs in one step (see <see cref="Plan"/> and <see cref="Run(ExperimentPlan, IProgress{RunProgress}?, CancellationToken)"/>).</summary>
    public ExperimentResult Run(
        SimulationConfig config,
        RequestInput input,
        ExperimentOptions options,
        IProgress<RunProgress>? progress = null,
        CancellationToken cancellationToken = default)
        => Run(Plan(config, input, options), progress, cancellationToken);

    /// <summary>Runs a planned experiment and commits its folder; on any error or cancellation nothing is left behind.</summary>
    /// <param name="progress">Receives every <c>progress_interval</c>-th batch when <c>config.Verbose</c>; null for none.</param>
    /// <exception cref="OperationCanceledException">Cancelled; the temp folder is removed.</exception>
    /// <exception cref="InvalidOperationException">The plan was already run.</exception>
    public ExperimentResult Run(ExperimentPlan plan, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (config, input, options, folder, startedAt) = plan;
        var startedTicks = _time.GetTimestamp();
        folder.Create();
        try
        {
            RunSummary summary;
            using (var tables = options.SummaryOnly ? null : new ExperimentTableWriter(folder.TempPath, options.Format))
            {
                // Progress rides on the engine's cheap pulse, not on an observer: with --summary-only no record is built.
                Action<BatchSnapshot>? pulse = null;
                if (progress is not null && config.Verbose)
                {
                    var total = config.Parameters.LFilter is { } limit
                        ? input.Requests.Count(r => r.DecodeLength <= limit)
                        : input.Requests.Count;
                    pulse = batch => progress.Report(new RunProgress(batch, total));
                }
                // RunRegime adds fluid_load and regime (issue 11) from samples of the same pulse.
                summary = RunRegime.Run(input.Requests, config.Parameters, tables, cancellationToken, config.ProgressInterval, pulse);
                cancellationToken.ThrowIfCancellationRequested();
                tables?.Complete();
            }

            SummaryFiles.WriteJson(Path.Combine(folder.TempPath, SummaryJsonFile), summary);
            SummaryFiles.WriteText(Path.Combine(folder.TempPath, SummaryTextFile), summary, config.Parameters, input.Source, config.ParameterTable);
            AtomicFile.WriteAllText(
                Path.Combine(folder.TempPath, ConfigUsedFile),
                config.ToYaml($"Effective configuration of experiment {folder.Name}: every key, --set overrides applied.\n"
                    + "Rerun it with: fluidsim simulate --config <this file>"));

            var wallTime = _time.GetElapsedTime(startedTicks);
            var meta = new ExperimentMeta(
                folder.Name,
                startedAt,
                options.ToolVersion,
                options.CommandLine,
                input.Source,
                input.Sha256,
                input.Requests.Count,
                options.SummaryOnly ? null : options.Format,
                wallTime,
                summary.Outcome);
            AtomicFile.WriteAllText(Path.Combine(folder.TempPath, MetaFile), meta.ToYaml());

            cancellationToken.ThrowIfCancellationRequested();
            var final = folder.Commit();
            return new ExperimentResult(final, folder.Name, summary, wallTime);
        }
        catch
        {
            folder.Discard();
            throw;
        }
    }
}
