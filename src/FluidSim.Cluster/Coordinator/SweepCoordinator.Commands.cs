using Akka.Actor;
using Akka.Event;
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
            Sender.Tell(_sweeps.TryGetValue(m.Name, out var record) ? record.Report() : new SweepNotFound(m.Name)));
        Command<ListSweeps>(_ => Sender.Tell(new SweepList([.. _order.Select(r => r.Report())])));
        Command<GetSweepFailures>(OnGetFailures);
        Command<CompactSweep>(m =>
        {
            if (!_sweeps.TryGetValue(m.Name, out var record))
            {
                Sender.Tell(new SweepNotFound(m.Name));
                return;
            }
            record.CompactionRequesters.Add(Sender);
            MaybeStartCompaction(record);
        });
        Command<FlushResults>(_ =>
        {
            _flushWaiters.Add(Sender);
            foreach (var record in _order) MaybeWritePart(record);
            CheckFlushWaiters();
        });
        Command<StopSweepCoordinator>(_ => BeginStop());
    }

    private void OnSubmit(SubmitSweep submit)
    {
        SweepDefinition definition;
        try
        {
            definition = SweepDefinitionCache.Shared.GetOrParse(submit.SourceText, submit.SourcePath);
        }
        catch (InputException e)
        {
            Sender.Tell(new SweepRefused("", e.Message, []));
            return;
        }

        if (_sweeps.TryGetValue(definition.Name, out var existing))
        {
            if (existing.Fingerprint != definition.Fingerprint)
            {
                existing.EnsureLoaded();
                IReadOnlyList<string> changes = existing.Definition is { } submitted
                    ? definition.DescribeChanges(submitted)
                    : [$"the submitted version cannot be re-read: {existing.Problem}"];
                Sender.Tell(new SweepRefused(
                    definition.Name,
                    $"sweep '{definition.Name}' changed since it was submitted on {existing.SubmittedAtUtc:yyyy-MM-dd HH:mm:ss} UTC; "
                    + "a resume must use the same file (give the changed sweep a new name to run it separately)",
                    changes));
                return;
            }
            if (existing.Definition is null) existing.Attach(definition);
            Reopen(existing);
            return;
        }

        var submitter = Sender;
        Persist(new SweepSubmitted(definition.Name, definition.Description, submit.SourceText, submit.SourcePath, definition.Fingerprint, definition.Jobs.Count, DateTime.UtcNow), e =>
        {
            Apply(e);
            var record = _sweeps[definition.Name];
            record.Attach(definition);
            WriteProvenanceCopy(record);
            _log.Info("sweep {0} submitted: {1} jobs from {2}", record.Name, record.JobCount, record.SourcePath);
            submitter.Tell(new SweepAccepted(record.Name, record.JobCount, 0, 0, NewlySubmitted: true));
            MaybeSnapshot();

            // Parts may exist from a journal that was deleted: they count, so reconcile before leasing.
            StartReconcile(record);
        });
    }

    private void OnResume(ResumeSweep resume)
    {
        if (!_sweeps.TryGetValue(resume.Name, out var record))
        {
            Sender.Tell(new SweepNotFound(resume.Name));
            return;
        }
        record.EnsureLoaded();
        if (record.Problem is not null && !record.IsComplete)
        {
            Sender.Tell(new SweepRefused(record.Name, record.Problem, []));
            return;
        }
        Reopen(record);
    }

    /// <summary>Answers an accepted resume, reopening the sweep first when it was cancelled.</summary>
    private void Reopen(SweepRecord record)
    {
        var requester = Sender;
        void Accept()
        {
            requester.Tell(new SweepAccepted(record.Name, record.JobCount, record.Succeeded.Count, record.Failed.Count, NewlySubmitted: false));
            if (record.IsComplete && record.Reconciled && !record.WriteInFlight)
            {
                // A finished sweep run again: check its parts are all still there (a deleted part's jobs run again).
                record.EnsureLoaded();
                StartReconcile(record);
            }
            else if (record.Reconciled)
            {
                record.RebuildPending();
                DispatchToWaiting();
            }
        }

        if (!record.Cancelled)
        {
            Accept();
            return;
        }
        Persist(new SweepReopened(record.Name), e =>
        {
            Apply(e);
            MaybeSnapshot();
            _log.Info("sweep {0} reopened", record.Name);
            Accept();
        });
    }

    private void OnCancel(CancelSweep cancel)
    {
        if (!_sweeps.TryGetValue(cancel.Name, out var record))
        {
            Sender.Tell(new SweepNotFound(cancel.Name));
            return;
        }
        if (record.Cancelled || record.IsComplete)
        {
            Sender.Tell(record.Report());
            return;
        }
        var requester = Sender;
        Persist(new SweepCancelled(record.Name), e =>
        {
            Apply(e);
            MaybeSnapshot();
            foreach (var lease in record.Leases.Values.ToList())
            {
                lease.Worker.Actor.Tell(new CancelJob(record.Name, lease.Job.JobId, lease.Attempt));
                DropLease(lease);
            }
            record.Pending.Clear();
            _log.Info("sweep {0} cancelled", record.Name);
            requester.Tell(record.Report());
        });
    }

    private void OnGetFailures(GetSweepFailures request)
    {
        if (!_sweeps.TryGetValue(request.Name, out var record))
        {
            Sender.Tell(new SweepNotFound(request.Name));
            return;
        }
        record.EnsureLoaded();
        var failedIds = record.Failed.Concat(record.UncommittedFailed).ToHashSet(StringComparer.Ordinal);
        var reports = new List<JobFailureReport>();
        if (record.Definition is { } definition)
        {
            foreach (var job in definition.Jobs)
            {
                if (reports.Count >= request.Max) break;
                if (!failedIds.Contains(job.JobId)) continue;
                var history = record.Attempts.GetValueOrDefault(job.JobId);
                reports.Add(new JobFailureReport(job.JobId, job.Axes, history?.Count ?? 0, history?.LastError ?? ""));
            }
        }
        else
        {
            foreach (var id in failedIds.Order(StringComparer.Ordinal).Take(request.Max))
            {
                var history = record.Attempts.GetValueOrDefault(id);
                reports.Add(new JobFailureReport(id, new Dictionary<string, string>(), history?.Count ?? 0, history?.LastError ?? ""));
            }
        }
        Sender.Tell(new SweepFailureList(record.Name, failedIds.Count, reports));
    }

    /// <summary>Writes <c>NAME/sweep.yaml</c>, the text as submitted, for provenance (whole file, then rename).</summary>
    private void WriteProvenanceCopy(SweepRecord record)
    {
        try
        {
            var directory = SweepDirectory(record.Name);
            Directory.CreateDirectory(directory);
            AtomicFile.WriteAllText(Path.Combine(directory, "sweep.yaml"), record.SourceText);
        }
        catch (IOException e)
        {
            _log.Error(e, "sweep {0}: could not write sweep.yaml", record.Name);
        }
    }
}
