using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluidSim.Cluster.Messages;

namespace FluidSim.Cluster.Serialization;

/// <summary>
/// The wire and journal format of every <see cref="IFluidSimMessage"/>: System.Text.Json, one short stable manifest per type.
/// </summary>
/// <remarks>
/// Manifests are part of the stored journal: never change or reuse one. A new message type needs a new entry,
/// and <c>FluidSimSerializerTests</c> fails when a message type has none.
/// </remarks>
public static class FluidSimJson
{
    private static readonly (Type Type, string Manifest)[] Registry =
    [
        // Client commands and answers.
        (typeof(SubmitSweep), "sweep-submit"),
        (typeof(ResumeSweep), "sweep-resume"),
        (typeof(SweepAccepted), "sweep-accepted"),
        (typeof(SweepRefused), "sweep-refused"),
        (typeof(SweepNotFound), "sweep-not-found"),
        (typeof(GetSweepStatus), "sweep-status-get"),
        (typeof(SweepStatusReport), "sweep-status"),
        (typeof(ListSweeps), "sweep-list-get"),
        (typeof(SweepList), "sweep-list"),
        (typeof(CancelSweep), "sweep-cancel"),
        (typeof(GetSweepFailures), "sweep-failures-get"),
        (typeof(SweepFailureList), "sweep-failures"),
        (typeof(JobFailureReport), "job-failure"),
        (typeof(CompactSweep), "sweep-compact"),
        (typeof(SweepCompacted), "sweep-compacted"),
        (typeof(CommandFailed), "command-failed"),
        (typeof(FlushResults), "results-flush"),
        (typeof(ResultsFlushed), "results-flushed"),
        (typeof(StopSweepCoordinator), "coordinator-stop"),

        // The HTTP control endpoint's bodies (uploads, uploaded submissions, result parts).
        (typeof(SubmitUploadedSweep), "sweep-submit-uploaded"),
        (typeof(UploadedFile), "upload-file"),
        (typeof(UploadStored), "upload-stored"),
        (typeof(SweepPartList), "sweep-parts"),

        // Work distribution.
        (typeof(RequestWork), "work-request"),
        (typeof(JobLease), "job-lease"),
        (typeof(GetSweepSource), "sweep-source-get"),
        (typeof(SweepSource), "sweep-source"),
        (typeof(SweepSourceUnknown), "sweep-source-unknown"),
        (typeof(JobSucceeded), "job-succeeded"),
        (typeof(JobFailed), "job-failed"),
        (typeof(ReturnLease), "lease-return"),
        (typeof(JobReportAccepted), "job-report-accepted"),
        (typeof(CancelJob), "job-cancel"),
        (typeof(ReturnLeases), "leases-return"),
        (typeof(LeasesReturned), "leases-returned"),

        // Journal events and snapshots.
        (typeof(SweepSubmitted), "ev-sweep-submitted"),
        (typeof(SweepCancelled), "ev-sweep-cancelled"),
        (typeof(SweepReopened), "ev-sweep-reopened"),
        (typeof(JobAttemptFailed), "ev-attempt-failed"),
        (typeof(ResultsCommitted), "ev-results-committed"),
        (typeof(ResultsMissing), "ev-results-missing"),
        (typeof(CoordinatorSnapshot), "snap-coordinator"),
        (typeof(SweepSnapshot), "snap-sweep"),
        (typeof(AttemptHistory), "snap-attempts"),
    ];

    private static readonly FrozenDictionary<Type, string> ManifestByType = Registry.ToFrozenDictionary(e => e.Type, e => e.Manifest);
    private static readonly FrozenDictionary<string, Type> TypeByManifest = Registry.ToFrozenDictionary(e => e.Manifest, e => e.Type);

    /// <summary>Options shared by every message: enums as their names, so a reordered enum never changes stored data.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Every registered message type.</summary>
    public static IEnumerable<Type> MessageTypes => Registry.Select(e => e.Type);

    /// <summary>The manifest of <paramref name="message"/>'s type; throws for an unregistered type.</summary>
    public static string Manifest(object message) =>
        ManifestByType.TryGetValue(message.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{message.GetType().FullName} has no FluidSim manifest; add it to {nameof(FluidSimJson)}.");

    public static byte[] ToBytes(object message)
    {
        _ = Manifest(message);
        return JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Options);
    }

    public static object FromBytes(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!TypeByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown FluidSim manifest '{manifest}'");
        }
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"FluidSim message '{manifest}' deserialized to null");
    }
}
