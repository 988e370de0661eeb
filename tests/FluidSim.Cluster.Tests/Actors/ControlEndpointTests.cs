using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using FluidSim.Cluster.Tests.Infrastructure;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>The HTTP control endpoint and its client over a real Kestrel server on 127.0.0.1; uploads; the journal read without Akka.</summary>
public sealed class ControlEndpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ActorSystem _system = ActorSystem.Create("control-tests");

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _dir.Dispose();
    }

    /// <summary>Stands in for the coordinator proxy: answers every query with a fixed status, and counts what it got.</summary>
    private sealed class FixedCoordinator : ReceiveActor
    {
        public FixedCoordinator(List<IFluidSimMessage> received, bool silent)
        {
            ReceiveAny(m =>
            {
                lock (received) received.Add((IFluidSimMessage)m);
                if (silent) return;
                Sender.Tell(m switch
                {
                    GetSweepStatus q => Status(q.Name),
                    SubmitSweep s => new SweepAccepted("s", 3, 0, 0, NewlySubmitted: true),
                    _ => new CommandFailed("not here"),
                });
            });
        }
    }

    private static SweepStatusReport Status(string name) =>
        new(name, "", SweepStates.Active, 3, 1, 0, 0, 0, 1, 1, 0, 2, "/x", "f", DateTime.UnixEpoch, null, false);

    [Fact]
    public async Task Queries_are_forwarded_and_answered_with_the_coordinators_message()
    {
        var received = new List<IFluidSimMessage>();
        var coordinator = _system.ActorOf(Props.Create(() => new FixedCoordinator(received, false)));
        await using var server = await ControlServer.StartAsync("127.0.0.1", 0, coordinator, _dir.Results, CancellationToken.None);
        using var client = new ControlClient([server.Address.Authority], TimeSpan.FromSeconds(5));

        var answer = await client.StatusAsync("quick", CancellationToken.None);
        Assert.Equal(Status("quick"), answer);
        Assert.Equal([new GetSweepStatus("quick")], received);
    }

    [Fact]
    public async Task No_coordinator_answer_is_503_and_the_client_gives_up_after_its_budget()
    {
        var coordinator = _system.ActorOf(Props.Create(() => new FixedCoordinator(new List<IFluidSimMessage>(), true)));
        await using var server = await ControlServer.StartAsync("127.0.0.1", 0, coordinator, _dir.Results, CancellationToken.None);
        using var http = new HttpClient();
        var started = DateTime.UtcNow;
        var response = await http.GetAsync(new Uri(server.Address, "sweeps/x"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("command-failed", response.Headers.GetValues(ControlServer.ManifestHeader).Single());
        Assert.True(DateTime.UtcNow - started >= ControlServer.QueryTimeout - TimeSpan.FromSeconds(1));

        // A refused connection is retried across every address until the budget is spent, then one clear error.
        using var client = new ControlClient(["127.0.0.1:1", "127.0.0.1:2"], TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<ClusterUnreachableException>(() => client.ListAsync(CancellationToken.None));
        Assert.StartsWith("cannot reach a coordinator at 127.0.0.1:1, 127.0.0.1:2 after 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_is_stored_whole_under_its_hash_once_and_a_submission_is_laid_out_at_the_clients_paths()
    {
        var received = new List<IFluidSimMessage>();
        var coordinator = _system.ActorOf(Props.Create(() => new FixedCoordinator(received, false)));
        await using var server = await ControlServer.StartAsync("127.0.0.1", 0, coordinator, _dir.Results, CancellationToken.None);
        using var client = new ControlClient([server.Address.Authority], TimeSpan.FromSeconds(5));
        var content = "req_id,arrival_time,prefill_length,decode_length,priority\n0,0.0,10,5,0\n";
        var file = _dir.Write("client/data/requests.csv", content);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

        Assert.Equal(sha, await client.UploadAsync(file, CancellationToken.None));
        Assert.Equal(sha, await client.UploadAsync(file, CancellationToken.None));
        var stored = Path.Combine(_dir.Results, ".fluidsim", "uploads", sha, "requests.csv");
        Assert.Equal(content, File.ReadAllText(stored));
        Assert.Equal(["requests.csv"], TempDirectory.Names(Path.GetDirectoryName(stored)!));

        // Bytes that do not hash to the name are refused and leave nothing behind.
        var wrong = new string('0', 64);
        var store = new UploadStore(_dir.Results);
        await Assert.ThrowsAsync<InvalidDataException>(() => store.SaveAsync(wrong, "x.csv", new MemoryStream([1, 2, 3]), CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_dir.Results, ".fluidsim", "uploads", wrong)) && Directory.EnumerateFileSystemEntries(Path.Combine(_dir.Results, ".fluidsim", "uploads", wrong)).Any());

        var sweepPath = _dir.File("client/sweeps/s.yaml");
        var answer = await client.SubmitAsync(new SubmitUploadedSweep("name: s\nworkload: {file: ../data/requests.csv}\n", sweepPath, [new UploadedFile(file, sha)]), CancellationToken.None);
        Assert.IsType<SweepAccepted>(answer);
        var submit = Assert.IsType<SubmitSweep>(Assert.Single(received));
        Assert.StartsWith(Path.Combine(_dir.Results, ".fluidsim", "submissions"), submit.SourcePath, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("client", "sweeps", "s.yaml"), submit.SourcePath, StringComparison.Ordinal);
        Assert.Equal(submit.SourceText, File.ReadAllText(submit.SourcePath));
        // The relative path of the sweep file reaches the uploaded copy.
        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(submit.SourcePath)!, "../data/requests.csv"));
        Assert.Equal(content, File.ReadAllText(resolved));

        // A workload that was not uploaded is refused before the coordinator sees anything.
        var missing = await client.SubmitAsync(new SubmitUploadedSweep("name: t\n", sweepPath, [new UploadedFile(file, new string('c', 64))]), CancellationToken.None);
        Assert.IsType<CommandFailed>(missing);
        Assert.Single(received);
    }

    [Fact]
    public void The_journal_read_without_Akka_folds_the_snapshot_and_the_events_after_it()
    {
        var folder = new SweepStateFolder(_dir.Results);
        Directory.CreateDirectory(folder.FolderPath);
        var submitted = new SweepSubmitted("s", "d", "name: s", "/x/s.yaml", "f", 3, DateTime.UnixEpoch);
        var snapshot = CoordinatorState.Empty.Apply(submitted).ToSnapshot();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={folder.DatabasePath}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText =
                """
                CREATE TABLE journal (ordering INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, deleted BIT NOT NULL, persistence_id TEXT NOT NULL,
                    sequence_number INTEGER NOT NULL, message BLOB NOT NULL, manifest TEXT, identifier INTEGER, writer_uuid TEXT);
                CREATE TABLE snapshot (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, snapshot BLOB,
                    manifest TEXT, serializer_id INTEGER);
                """;
            create.ExecuteNonQuery();
            void Insert(string table, long sequence, IFluidSimMessage message)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = table == "journal"
                    ? "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier) VALUES (0, 0, $id, $seq, $bytes, $manifest, 4711)"
                    : "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES ($id, $seq, 0, $bytes, $manifest, 4711)";
                insert.Parameters.AddWithValue("$id", Coordinator.SweepCoordinator.JournalId);
                insert.Parameters.AddWithValue("$seq", sequence);
                insert.Parameters.AddWithValue("$bytes", FluidSimJson.ToBytes(message));
                insert.Parameters.AddWithValue("$manifest", FluidSimJson.Manifest(message));
                insert.ExecuteNonQuery();
            }
            Insert("journal", 1, submitted);
            Insert("snapshot", 1, snapshot);
            Insert("journal", 2, new ResultsCommitted("s", ["a", "b"], [], FoundOnDisk: false));
            Insert("journal", 3, new SweepCancelled("s"));
        }

        var report = Assert.IsType<SweepStatusReport>(JournalReader.Answer(folder, new GetSweepStatus("s")));
        Assert.Equal((SweepStates.Cancelled, 3, 2, 0, 1), (report.State, report.TotalJobs, report.Succeeded, report.Running, report.Pending));
        Assert.IsType<SweepNotFound>(JournalReader.Answer(folder, new GetSweepStatus("other")));
        Assert.Equal(["s"], Assert.IsType<SweepList>(JournalReader.Answer(folder, new ListSweeps())).Sweeps.Select(s => s.Name));
        Assert.Null(JournalReader.Answer(folder, new CancelSweep("s")));
    }
}
