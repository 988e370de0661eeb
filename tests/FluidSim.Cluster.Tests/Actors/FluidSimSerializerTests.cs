using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using FluidSim.Simulation;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>The wire and journal format: every message type has a manifest and survives a round trip.</summary>
public sealed class FluidSimSerializerTests
{
    [Fact]
    public void Every_message_type_in_the_assembly_has_a_unique_manifest()
    {
        var messageTypes = typeof(IFluidSimMessage).Assembly.GetTypes()
            .Where(t => typeof(IFluidSimMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToHashSet();
        Assert.Equal(messageTypes.OrderBy(t => t.Name), FluidSimJson.MessageTypes.OrderBy(t => t.Name));
        var manifests = FluidSimJson.MessageTypes.Select(t => FluidSimJson.Manifest(RuntimeHelpers(t))).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct().Count());
    }

    [Fact]
    public void Messages_events_and_snapshots_round_trip()
    {
        var summary = new RunSummary
        {
            Outcome = "completed",
            NumRequests = 10,
            Completed = 9,
            Makespan = 12.5,
            ThroughputRps = null,
            TotalDelay = new Distribution(1, 2, 3, 4, 5, 6),
        };
        IFluidSimMessage[] samples =
        [
            new JobSucceeded("s", "abc", 2, "host:1/w1", summary, 0.25, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
            new ResultsCommitted("s", ["a", "b"], ["c"], FoundOnDisk: true),
            new CoordinatorSnapshot([new SweepSnapshot("s", "a description", "name: s", "/x/s.yaml", "f", 3, DateTime.UnixEpoch, false, ["a"], [], [new AttemptHistory("b", 1, "boom", "w")])]),
            new SweepFailureList("s", 1, [new JobFailureReport("a", new Dictionary<string, string> { ["M_total"] = "5000" }, 3, "boom")]),
            new ListSweeps(),
            // The HTTP control endpoint's bodies.
            new SubmitUploadedSweep("name: s", "/home/me/s.yaml", [new UploadedFile("/home/me/requests.csv", new string('a', 64))]),
            new UploadStored(new string('b', 64), 31_000_000, AlreadyPresent: true),
            new SweepPartList("s", "summary", ["part-1.parquet", "part-2.parquet"]),
            new SweepStatusReport("s", "d", SweepStates.Active, 3, 1, 0, 1, 0, 1, 0, 0, 2, "/x", "f", DateTime.UnixEpoch, null, false),
            new CommandFailed("no coordinator"),
        ];
        foreach (var message in samples)
        {
            var back = FluidSimJson.FromBytes(FluidSimJson.ToBytes(message), FluidSimJson.Manifest(message));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType(), FluidSimJson.Options),
                System.Text.Json.JsonSerializer.Serialize(back, back.GetType(), FluidSimJson.Options));
        }
        var job = (JobSucceeded)FluidSimJson.FromBytes(FluidSimJson.ToBytes(samples[0]), "job-succeeded");
        Assert.Equal(summary.Metrics(), job.Summary.Metrics());
    }

    [Fact]
    public void A_job_result_stays_far_below_the_remoting_frame_limit()
    {
        var summary = new RunSummary { Outcome = "completed", TotalDelay = new Distribution(1, 2, 3, 4, 5, 6), Ttft = new Distribution(1, 2, 3, 4, 5, 6) };
        var bytes = FluidSimJson.ToBytes(new JobSucceeded("a-sweep-name", "0123456789abcdef", 1, "host:123/sweep-worker-1", summary, 1, DateTime.UtcNow));
        Assert.InRange(bytes.Length, 1, 4_000);
    }

    /// <summary>An uninitialised instance, enough to ask for a manifest.</summary>
    private static object RuntimeHelpers(Type t) => System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(t);
}
