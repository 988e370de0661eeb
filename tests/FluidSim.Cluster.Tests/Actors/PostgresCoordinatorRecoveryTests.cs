using FluidSim.Cluster.Hosting;
using FluidSim.Cluster.Tests.Infrastructure;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>
/// The recovery scenarios on a real PostgreSQL server (<see cref="FluidSimHostingExtensions.WithPostgresJobStore"/>),
/// one fresh database per test: submit, results committed, restart and recovery from snapshots or the whole journal,
/// reconciliation with the disk.
/// </summary>
public sealed class PostgresCoordinatorRecoveryTests : CoordinatorRecoveryScenarios, IClassFixture<PostgresServer>
{
    private readonly PostgresServer _server;
    private readonly Lazy<string> _database;

    public PostgresCoordinatorRecoveryTests(PostgresServer server)
    {
        _server = server;
        _database = new Lazy<string>(server.CreateDatabase);
    }

    protected override Task<TestNode> StartNodeAsync() => TestNode.StartOnPostgresAsync(_database.Value);

    [PostgresTheory]
    [InlineData(1)] // a snapshot after every event: recovery starts from the latest snapshot
    [InlineData(1000)] // no snapshot: recovery replays every event
    public async Task After_a_restart_committed_jobs_and_failed_attempts_are_remembered_and_only_the_rest_is_leased(int snapshotEvery)
    {
        await RestartRemembersCommittedJobsAndFailedAttempts(snapshotEvery);

        // The state really lives in PostgreSQL (not in a silent local fallback): the coordinator's events are rows there.
        var events = PostgresServer.QueryScalar(_database.Value, "SELECT count(*) FROM journal WHERE persistence_id = 'fluidsim-sweep-coordinator'");
        Assert.True(Convert.ToInt64(events) >= 4, $"{events} journal rows");
        long Snapshots() => Convert.ToInt64(PostgresServer.QueryScalar(_database.Value, "SELECT count(*) FROM snapshot"));
        if (snapshotEvery == 1)
        {
            // Snapshot writes are asynchronous: wait (bounded) for the row rather than race the write. Once, under CI's
            // load, a query right after the nodes stopped saw none.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Snapshots() == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.True(Snapshots() > 0, "no snapshot row");
        }
        else
        {
            Assert.Equal(0, Snapshots());
        }
        Assert.False(Directory.Exists(Path.GetDirectoryName(Dir.Database)), "a SQLite journal was created");
    }

    [PostgresFact]
    public Task Rows_renamed_into_place_before_the_journal_heard_of_them_count_as_complete_and_are_never_rewritten() =>
        RowsRenamedBeforeTheirEventCountAsComplete();

    [PostgresFact]
    public Task Committed_jobs_whose_parts_were_deleted_run_again() => CommittedJobsWhosePartsWereDeletedRunAgain();

    [Theory]
    [InlineData("Host=db;Username=fluidsim;Password=s3cret-Pw;Database=fluidsim")]
    [InlineData("host=db;pwd=s3cret-Pw;database=fluidsim")]
    [InlineData("Host=db;PASSWORD='s3cret-Pw';Database=fluidsim")]
    public void A_connection_string_for_a_log_line_has_its_password_replaced(string connectionString)
    {
        var redacted = FluidSimHostingExtensions.RedactPassword(connectionString);
        Assert.DoesNotContain("s3cret-Pw", redacted);
        Assert.Contains("***", redacted);
        Assert.Contains("fluidsim", redacted);
    }
}
