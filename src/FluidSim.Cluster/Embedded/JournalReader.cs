using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using Microsoft.Data.Sqlite;

namespace FluidSim.Cluster.Embedded;

/// <summary>
/// Reads the coordinator's state straight from the SQLite journal of a results folder that no process runs: the latest
/// snapshot, then the events after it, folded with <see cref="CoordinatorState.Apply"/> (the state is pure), so
/// <c>sweep status</c> and <c>sweep list</c> answer without starting an actor system.
/// </summary>
/// <remarks>
/// The caller holds the state folder's lock, so no process writes the journal meanwhile. Only what the journal holds is
/// known: nothing is running, and the parts on disk are not re-checked (a run does that when it resumes).
/// </remarks>
public static class JournalReader
{
    /// <summary>The state at the journal's end; <see cref="CoordinatorState.Empty"/> for a journal with no tables yet.</summary>
    public static CoordinatorState Read(SweepStateFolder folder)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = folder.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        if (!HasTable(connection, "journal")) return CoordinatorState.Empty;

        var state = CoordinatorState.Empty;
        long fromSequence = 0;
        if (HasTable(connection, "snapshot"))
        {
            using var snapshot = connection.CreateCommand();
            snapshot.CommandText = "SELECT sequence_number, snapshot, manifest FROM snapshot WHERE persistence_id = $id ORDER BY sequence_number DESC LIMIT 1";
            snapshot.Parameters.AddWithValue("$id", SweepCoordinator.JournalId);
            using var reader = snapshot.ExecuteReader();
            if (reader.Read())
            {
                fromSequence = reader.GetInt64(0);
                state = CoordinatorState.FromSnapshot((CoordinatorSnapshot)FluidSimJson.FromBytes((byte[])reader.GetValue(1), reader.GetString(2)));
            }
        }

        using var events = connection.CreateCommand();
        events.CommandText = "SELECT message, manifest FROM journal WHERE persistence_id = $id AND sequence_number > $from AND deleted = 0 ORDER BY sequence_number";
        events.Parameters.AddWithValue("$id", SweepCoordinator.JournalId);
        events.Parameters.AddWithValue("$from", fromSequence);
        using (var reader = events.ExecuteReader())
        {
            while (reader.Read()) state = state.Apply((ICoordinatorEvent)FluidSimJson.FromBytes((byte[])reader.GetValue(0), reader.GetString(1)));
        }
        return state;
    }

    /// <summary>A sweep's status as the journal has it: nothing running, nothing waiting to be committed.</summary>
    public static SweepStatusReport Report(SweepState sweep) => new(
        sweep.Name,
        sweep.Description,
        sweep.IsComplete ? SweepStates.Finished : sweep.Cancelled ? SweepStates.Cancelled : SweepStates.Active,
        sweep.JobCount,
        sweep.Succeeded.Count,
        sweep.Failed.Count,
        SucceededUncommitted: 0,
        FailedUncommitted: 0,
        Running: 0,
        Pending: Math.Max(0, sweep.JobCount - sweep.CommittedCount),
        CompleteAtSessionStart: sweep.CommittedCount,
        JobsStartedThisSession: 0,
        sweep.SourcePath,
        sweep.Fingerprint,
        sweep.SubmittedAtUtc,
        Problem: null,
        Reconciling: false);

    /// <summary>The answer to <see cref="ListSweeps"/> or <see cref="GetSweepStatus"/> from the journal; null for any other message.</summary>
    public static IFluidSimMessage? Answer(SweepStateFolder folder, IFluidSimMessage query) => query switch
    {
        ListSweeps => new SweepList([.. Read(folder).Sweeps.Select(Report)]),
        GetSweepStatus q => Read(folder).Find(q.Name) is { } sweep ? Report(sweep) : new SweepNotFound(q.Name),
        _ => null,
    };

    private static bool HasTable(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is not null;
    }
}
