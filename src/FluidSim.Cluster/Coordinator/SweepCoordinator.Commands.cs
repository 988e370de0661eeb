using Akka.Actor;
using Akka.Event;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Results;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

/// <summary>Client commands: submit, resume, cancel, status, list, failures, compact, flush, stop.</summary>
public sealed partial class SweepCoordinator
{
    private void ReceiveClientCommands()
    {
        Command<SubmitSweep>(OnSubmit);
        Command<ResumeSweep>(OnResume);
        Command<CancelSweep>(OnCancel);
        Command<GetSweepStatus>(m =>
            Sender.Tell(_state.TryGet(m.Name, out var sweep) ? Session(sweep.Name).Report(sweep) : new SweepNotFound(m.Name)));
        Command<ListSweeps>(_ => Sender.Tell(new SweepList([.. SweepsInOrder().Select(s => s.Session.Report(s.Sweep))])));
        Command<GetSweepFailures>(OnGetFailures);
        Command<CompactSweep>(m =>
        {
            if (!_state.TryGet(m.Name, out var sweep))
            {
                Sender.Tell(new SweepNotFound(m.Name));
                return;
            }
            var session = Session(sweep.Name);
            session.CompactionRequesters.Add(Sender);
            MaybeStartCompaction(session);
        });
        Command<FlushResults>(_ =>
        {
            _flushWaiters.Add(Sender);
            foreach (var (_, session) in SweepsInOrder()) MaybeWritePart(session);
            CheckFlushWaiters();
        });
        Command<StopSweepCoordinator>(_ => BeginStop());
    }

    /// <summary>Parses a sweep's text: the one place the coordinator does (submissions and stored texts alike).</summary>
    /// <exception cref="InputException">The text is not a valid sweep.</exception>
    private static SweepDefinition ParseDefinition(string sourceText, string sourcePath) =>
        SweepDefinitionCache.Shared.GetOrParse(sourceText, sourcePath);

    /// <summary>Parses the stored text once; a text that no longer parses, or parses to another fingerprint, leaves the sweep unreadable.</summary>
    private static void EnsureLoaded(SweepState sweep, SweepSession session)
    {
        if (session.Loaded) return;
        try
        {
            session.Attach(ParseDefinition(sweep.SourceText, sweep.SourcePath), sweep.Fingerprint);
        }
        catch (Exception e)
        {
            session.MarkUnreadable($"the stored sweep text no longer loads: {e.Message}");
        }
    }

    private void OnSubmit(SubmitSweep submit)
    {
        SweepDefinition definition;
        try
        {
            definition = ParseDefinition(submit.SourceText, submit.SourcePath);
        }
        catch (InputException e)
        {
            Sender.Tell(new SweepRefused("", e.Message, []));
            return;
        }

        switch (_state.ClassifySubmission(definition.Name, definition.Fingerprint))
        {
            case SubmissionKind.Changed:
                {
                    var existing = _state.Find(definition.Name)!;
                    var session = Session(existing.Name);
                    EnsureLoaded(existing, session);
                    IReadOnlyList<string> changes = session.Definition is { } submitted
                        ? definition.DescribeChanges(submitted)
                        : [$"the submitted version cannot be re-read: {session.Problem}"];
                    Sender.Tell(new SweepRefused(
                        definition.Name,
                        $"sweep '{definition.Name}' changed since it was submitted on {existing.SubmittedAtUtc:yyyy-MM-dd HH:mm:ss} UTC; "
                        + "a resume must use the same file (give the changed sweep a new name to run it separately)",
                        changes));
                    return;
                }
            case SubmissionKind.Resume:
                {
                    var existing = _state.Find(definition.Name)!;
                    var session = Session(existing.Name);
                    if (session.Definition is null) session.Attach(definition, existing.Fingerprint);
                    Reopen(session);
                    return;
                }
        }

        var submitter = Sender;
        PersistEvent(new SweepSubmitted(definition.Name, definition.Description, submit.SourceText, submit.SourcePath, definition.Fingerprint, definition.Jobs.Count, DateTime.UtcNow), e =>
        {
            var sweep = _state.Find(e.Name)!;
            var session = Session(sweep.Name);
            session.Attach(definition, sweep.Fingerprint);
            WriteProvenanceCopy(sweep);
            _log.Info("sweep {0} submitted: {1} jobs from {2}", sweep.Name, sweep.JobCount, sweep.SourcePath);
            submitter.Tell(new SweepAccepted(sweep.Name, sweep.JobCount, 0, 0, NewlySubmitted: true));

            // Parts may exist from a journal that was deleted: they count, so reconcile before leasing.
            StartReconcile(session);
        });
    }

    private void OnResume(ResumeSweep resume)
    {
        if (!_state.TryGet(resume.Name, out var sweep))
        {
            Sender.Tell(new SweepNotFound(resume.Name));
            return;
        }
        var session = Session(sweep.Name);
        EnsureLoaded(sweep, session);
        if (session.Problem is not null && !sweep.IsComplete)
        {
            Sender.Tell(new SweepRefused(sweep.Name, session.Problem, []));
            return;
        }
        Reopen(session);
    }

    /// <summary>Answers an accepted resume, reopening the sweep first when it was cancelled.</summary>
    private void Reopen(SweepSession session)
    {
        var requester = Sender;
        void Accept()
        {
            var sweep = StateOf(session);
            requester.Tell(new SweepAccepted(sweep.Name, sweep.JobCount, sweep.Succeeded.Count, sweep.Failed.Count, NewlySubmitted: false));
            if (sweep.IsComplete && session.Reconciled && !session.WriteInFlight)
            {
                // A finished sweep run again: check its parts are all still there (a deleted part's jobs run again).
                EnsureLoaded(sweep, session);
                StartReconcile(session);
            }
            else if (session.Reconciled)
            {
                session.RebuildPending(sweep);
                DispatchToWaiting();
            }
        }

        if (!StateOf(session).Cancelled)
        {
            Accept();
            return;
        }
        PersistEvent(new SweepReopened(session.Name), _ =>
        {
            _log.Info("sweep {0} reopened", session.Name);
            Accept();
        });
    }

    private void OnCancel(CancelSweep cancel)
    {
        if (!_state.TryGet(cancel.Name, out var sweep))
        {
            Sender.Tell(new SweepNotFound(cancel.Name));
            return;
        }
        var session = Session(sweep.Name);
        if (!sweep.CanCancel)
        {
            Sender.Tell(session.Report(sweep));
            return;
        }
        var requester = Sender;
        PersistEvent(new SweepCancelled(sweep.Name), _ =>
        {
            foreach (var lease in session.Leases.Values.ToList())
            {
                lease.Worker.Actor.Tell(new CancelJob(session.Name, lease.Job.JobId, lease.Attempt));
                DropLease(lease);
            }
            session.Pending.Clear();
            _log.Info("sweep {0} cancelled", session.Name);
            requester.Tell(session.Report(StateOf(session)));
        });
    }

    private void OnGetFailures(GetSweepFailures request)
    {
        if (!_state.TryGet(request.Name, out var sweep))
        {
            Sender.Tell(new SweepNotFound(request.Name));
            return;
        }
        var session = Session(sweep.Name);
        EnsureLoaded(sweep, session);
        var failedIds = sweep.Failed.Concat(session.UncommittedFailed).ToHashSet(StringComparer.Ordinal);
        var reports = new List<JobFailureReport>();
        if (session.Definition is { } definition)
        {
            foreach (var job in definition.Jobs)
            {
                if (reports.Count >= request.Max) break;
                if (!failedIds.Contains(job.JobId)) continue;
                var history = sweep.Attempts.GetValueOrDefault(job.JobId);
                reports.Add(new JobFailureReport(job.JobId, job.Axes, history?.Count ?? 0, history?.LastError ?? ""));
            }
        }
        else
        {
            foreach (var id in failedIds.Order(StringComparer.Ordinal).Take(request.Max))
            {
                var history = sweep.Attempts.GetValueOrDefault(id);
                reports.Add(new JobFailureReport(id, new Dictionary<string, string>(), history?.Count ?? 0, history?.LastError ?? ""));
            }
        }
        Sender.Tell(new SweepFailureList(sweep.Name, failedIds.Count, reports));
    }

    /// <summary>Writes <c>NAME/sweep.yaml</c>, the text as submitted, for provenance (whole file, then rename).</summary>
    private void WriteProvenanceCopy(SweepState sweep)
    {
        try
        {
            var directory = SweepDirectory(sweep.Name);
            Directory.CreateDirectory(directory);
            AtomicFile.WriteAllText(Path.Combine(directory, "sweep.yaml"), sweep.SourceText);
        }
        catch (IOException e)
        {
            _log.Error(e, "sweep {0}: could not write sweep.yaml", sweep.Name);
        }
    }
}
