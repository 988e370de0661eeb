namespace FluidSim.Cluster.Coordinator;

/// <summary>How the coordinator batches results, snapshots its state and watches leases.</summary>
/// <remarks>The defaults suit both the embedded host and a cluster; tests shorten the intervals.</remarks>
public sealed record SweepCoordinatorSettings
{
    /// <summary>The results root: sweep NAME writes to <c>ResultsRoot/NAME/</c>.</summary>
    public required string ResultsRoot { get; init; }

    /// <summary>
    /// A part is written once this many rows wait (or <see cref="PartInterval"/> has passed): large enough that a fast
    /// sweep writes few files, small enough that a part stays well inside memory.
    /// </summary>
    public int PartRows { get; init; } = 2000;

    /// <summary>Longest time a completed row waits in memory before its part is written (the work lost to a crash).</summary>
    public TimeSpan PartInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A snapshot is saved after this many events, bounding replay on recovery.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>
    /// Added to <c>job_timeout_s</c> before a silent lease expires: the worker's own timeout fires first and reports
    /// the failure; expiry only catches workers that vanished without death-watch noticing.
    /// </summary>
    public TimeSpan LeaseGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often lease deadlines and part timers are checked.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait for the last part writes when the coordinator is told to stop.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest error message kept per failed attempt (journal events stay small).</summary>
    public int MaxErrorLength { get; init; } = 2000;
}
