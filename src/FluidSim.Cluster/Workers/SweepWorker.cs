using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using FluidSim.Cluster.Messages;
using FluidSim.Results;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Workers;

/// <summary>How a worker names itself, repeats unacknowledged messages and runs jobs.</summary>
public sealed record SweepWorkerSettings
{
    /// <summary>Runs the jobs; <see cref="SimulatorJobExecutor"/> in production.</summary>
    public required ISweepJobExecutor Executor { get; init; }

    /// <summary>Prefix of the <c>worker</c> column: the machine and process, so rows from different nodes are told apart.</summary>
    public string NodeName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>An unacknowledged result or request is sent again after this long (the coordinator may be moving).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An idle worker asks for work again after this long, in case its request was lost in a hand-over.</summary>
    public TimeSpan IdleAskInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where leased sweeps are looked up by fingerprint, and where a text asked from the coordinator is parsed: the
    /// process-wide cache, so the workers of a node (and an embedded coordinator) share one parse of each sweep.
    /// </summary>
    public SweepDefinitionCache Definitions { get; init; } = SweepDefinitionCache.Shared;
}

/// <summary>
/// Runs one job at a time: asks the coordinator for work, runs the leased job off the actor thread with a cancellation
/// token (job timeout, sweep cancel), and reports its summary or error until the coordinator acknowledges it.
/// </summary>
/// <remarks>
/// A lease carries only ids: the worker looks the sweep up by fingerprint in <see cref="SweepWorkerSettings.Definitions"/>
/// (the process-wide cache) and only when it is not there asks the coordinator for the text and parses it, off the actor
/// thread. A run that throws or times out is reported as a failed attempt with its message.
/// </remarks>
public sealed class SweepWorker : ReceiveActor, IWithTimers
{
    private readonly IActorRef _coordinator;
    private readonly SweepWorkerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string Sweep, string JobId, int Attempt), IFluidSimMessage> _unacknowledged = [];
    private readonly string _name;
    private JobLease? _lease;
    private CancellationTokenSource? _run;
    private bool _cancelledByCoordinator;
    private bool _running;
    private bool _parsing;
    private int _returned;
    private DateTime _idleSince = DateTime.UtcNow;
    private bool _leaving;
    private IActorRef? _leaveRequester;

    public SweepWorker(IActorRef coordinator, SweepWorkerSettings settings)
    {
        _coordinator = coordinator;
        _settings = settings;
        _name = $"{settings.NodeName}/{Self.Path.Name}";

        Receive<JobLease>(OnLease);
        Receive<SweepSource>(OnSource);
        Receive<SweepSourceUnknown>(m =>
        {
            if (_lease?.Fingerprint != m.Fingerprint) return;
            _log.Warning("coordinator no longer knows sweep {0}; dropping job {1}", _lease.Sweep, _lease.JobId);
            FinishLease();
        });
        Receive<DefinitionLoaded>(OnDefinitionLoaded);
        Receive<RunCompleted>(OnRunCompleted);
        Receive<RunFaulted>(OnRunFaulted);
        Receive<CancelJob>(OnCancelJob);
        Receive<JobReportAccepted>(m =>
        {
            _unacknowledged.Remove((m.Sweep, m.JobId, m.Attempt));
            MaybeFinishLeaving();
        });
        Receive<Retry>(_ => OnRetry());
        Receive<ReturnLeases>(_ => OnReturnLeases());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef coordinator, SweepWorkerSettings settings) =>
        Akka.Actor.Props.Create(() => new SweepWorker(coordinator, settings));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("retry", Retry.Instance, _settings.RetryInterval);
        AskForWork();
    }

    protected override void PostStop()
    {
        _run?.Cancel();
        _run?.Dispose();
    }

    private void AskForWork()
    {
        if (_leaving) return;
        _coordinator.Tell(new RequestWork(_name));
        _idleSince = DateTime.UtcNow;
    }

    private void OnRetry()
    {
        foreach (var report in _unacknowledged.Values) _coordinator.Tell(report);
        if (_lease is null)
        {
            if (DateTime.UtcNow - _idleSince >= _settings.IdleAskInterval) AskForWork();
        }
        else if (!_running && !_parsing)
        {
            // Another worker of this process may have parsed it meanwhile.
            if (_settings.Definitions.TryGet(_lease.Fingerprint, out var definition)) StartRun(definition, _lease);
            else _coordinator.Tell(new GetSweepSource(_lease.Fingerprint));
        }
    }

    private void OnLease(JobLease lease)
    {
        if (_lease is not null || _leaving)
        {
            // Busy or leaving: give it straight back so the coordinator can lease it elsewhere.
            _coordinator.Tell(new ReturnLease(lease.Sweep, lease.JobId, lease.Attempt, _name));
            return;
        }
        _lease = lease;
        _cancelledByCoordinator = false;
        if (_settings.Definitions.TryGet(lease.Fingerprint, out var definition))
        {
            StartRun(definition, lease);
        }
        else
        {
            _coordinator.Tell(new GetSweepSource(lease.Fingerprint));
        }
    }

    private void OnSource(SweepSource source)
    {
        if (_lease?.Fingerprint != source.Fingerprint || _running || _parsing) return;
        _parsing = true;
        var fingerprint = source.Fingerprint;
        var definitions = _settings.Definitions;

        // Expanding a large grid (and reading a workload file) is real work: keep it off the actor thread too.
        Task.Run(() => definitions.GetOrParse(source.SourceText, source.SourcePath)).PipeTo(
            Self,
            success: d => new DefinitionLoaded(fingerprint, d, null),
            failure: ex => new DefinitionLoaded(fingerprint, null, Describe(ex)));
    }

    private void OnDefinitionLoaded(DefinitionLoaded loaded)
    {
        _parsing = false;
        if (_lease is not { } lease || _running) return;
        if (lease.Fingerprint != loaded.Fingerprint)
        {
            // The lease changed while another sweep was being parsed.
            if (_settings.Definitions.TryGet(lease.Fingerprint, out var cached)) StartRun(cached, lease);
            else _coordinator.Tell(new GetSweepSource(lease.Fingerprint));
            return;
        }
        if (loaded.Definition is null)
        {
            Report(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, _name, $"the sweep could not be loaded on this worker: {loaded.Error}"));
        }
        else if (loaded.Definition.Fingerprint != lease.Fingerprint)
        {
            Report(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, _name,
                $"the sweep's inputs differ on this worker (fingerprint {loaded.Definition.Fingerprint}, submitted {lease.Fingerprint}); was its workload file changed?"));
        }
        else
        {
            StartRun(loaded.Definition, lease);
        }
    }

    private void StartRun(SweepDefinition definition, JobLease lease)
    {
        var job = lease.JobIndex >= 0 && lease.JobIndex < definition.Jobs.Count && definition.Jobs[lease.JobIndex].JobId == lease.JobId
            ? definition.Jobs[lease.JobIndex]
            : definition.Jobs.FirstOrDefault(j => j.JobId == lease.JobId);
        if (job is null)
        {
            Report(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, _name, $"job {lease.JobId} is not part of sweep {lease.Sweep} as expanded on this worker"));
            return;
        }

        _run?.Dispose();
        _running = true;
        _run = new CancellationTokenSource(TimeSpan.FromSeconds(lease.TimeoutSeconds));
        var token = _run.Token;
        var executor = _settings.Executor;
        Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var summary = executor.Execute(definition, job, token);
            return new RunCompleted(lease, summary, Stopwatch.GetElapsedTime(started).TotalSeconds, DateTime.UtcNow);
        }).PipeTo(Self, failure: ex => new RunFaulted(lease, ex));
    }

    private void OnRunCompleted(RunCompleted completed)
    {
        if (!ReferenceEquals(completed.Lease, _lease)) return;
        var lease = completed.Lease;
        if (_cancelledByCoordinator)
        {
            FinishLease();
            return;
        }
        Report(new JobSucceeded(lease.Sweep, lease.JobId, lease.Attempt, _name, completed.Summary, completed.WallTimeSeconds, completed.FinishedAtUtc));
    }

    private void OnRunFaulted(RunFaulted faulted)
    {
        if (!ReferenceEquals(faulted.Lease, _lease)) return;
        var lease = faulted.Lease;
        var error = faulted.Error is AggregateException { InnerException: { } inner } ? inner : faulted.Error;
        if (_cancelledByCoordinator)
        {
            FinishLease();
            return;
        }
        var message = error is OperationCanceledException && _run?.IsCancellationRequested == true
            ? $"timed out after {lease.TimeoutSeconds:0.###} s (limits.job_timeout_s)"
            : Describe(error);
        Report(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, _name, message));
    }

    private void OnCancelJob(CancelJob cancel)
    {
        if (_lease is null || _lease.Sweep != cancel.Sweep || _lease.JobId != cancel.JobId || _lease.Attempt != cancel.Attempt) return;
        _cancelledByCoordinator = true;
        if (_running)
        {
            // The running task observes the token and comes back through OnRunFaulted, which frees the worker.
            _run?.Cancel();
        }
        else
        {
            FinishLease();
        }
    }

    /// <summary>Sends a report, keeps it until acknowledged, and asks for the next job.</summary>
    private void Report(IFluidSimMessage report)
    {
        var key = report switch
        {
            JobSucceeded s => (s.Sweep, s.JobId, s.Attempt),
            JobFailed f => (f.Sweep, f.JobId, f.Attempt),
            ReturnLease r => (r.Sweep, r.JobId, r.Attempt),
            _ => throw new ArgumentException($"not a report: {report.GetType().Name}", nameof(report)),
        };
        _unacknowledged[key] = report;
        _coordinator.Tell(report);
        FinishLease();
    }

    private void FinishLease()
    {
        _lease = null;
        _running = false;
        _cancelledByCoordinator = false;
        if (_leaving) MaybeFinishLeaving();
        else AskForWork();
    }

    /// <summary>Coordinated shutdown: stop asking, hand the running lease back, wait for every report's acknowledgement.</summary>
    private void OnReturnLeases()
    {
        _leaving = true;
        _leaveRequester = Sender;
        if (_lease is { } lease)
        {
            _run?.Cancel();
            _unacknowledged[(lease.Sweep, lease.JobId, lease.Attempt)] = new ReturnLease(lease.Sweep, lease.JobId, lease.Attempt, _name);
            _coordinator.Tell(_unacknowledged[(lease.Sweep, lease.JobId, lease.Attempt)]);
            _lease = null;
            _running = false;
            _returned++;
        }
        MaybeFinishLeaving();
    }

    private void MaybeFinishLeaving()
    {
        if (_leaveRequester is null || _lease is not null || _unacknowledged.Count > 0) return;
        _leaveRequester.Tell(new LeasesReturned(_returned));
        _leaveRequester = null;
    }

    private static string Describe(Exception e) => e switch
    {
        AggregateException { InnerException: { } inner } => Describe(inner),
        InputException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    // ---- Local-only messages (never cross the wire).

    private sealed record DefinitionLoaded(string Fingerprint, SweepDefinition? Definition, string? Error) : INoSerializationVerificationNeeded;

    private sealed record RunCompleted(JobLease Lease, FluidSim.Simulation.RunSummary Summary, double WallTimeSeconds, DateTime FinishedAtUtc)
        : INoSerializationVerificationNeeded;

    private sealed record RunFaulted(JobLease Lease, Exception Error) : INoSerializationVerificationNeeded;

    private sealed class Retry : INoSerializationVerificationNeeded
    {
        public static readonly Retry Instance = new();
    }
}
