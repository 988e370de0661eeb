namespace FluidSim.Cli;

/// <summary>The process exit codes of <c>fluidsim</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected error (a bug or an environment failure); details are on stderr.</summary>
    public const int UnexpectedError = 1;

    /// <summary>Bad input: a bad option, config, request file or output folder, reported in one line on stderr.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// A sweep ran every job without a failure, but some jobs stalled (requests left unfinished): their results describe
    /// only the requests that finished, so the sweep is not a plain success. Failed jobs take precedence (exit 1).
    /// </summary>
    public const int SweepStalled = 3;

    /// <summary>
    /// <c>--cluster</c>: no coordinator node's control endpoint answered (connection refused, timeouts, 503 "no
    /// coordinator yet") within the client's retry budget (60 s; <c>FLUIDSIM_CLUSTER_RETRY_SECONDS</c>).
    /// </summary>
    public const int ClusterUnreachable = 4;

    /// <summary>Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, the shell convention); nothing half-written is left.</summary>
    public const int Cancelled = 130;
}
