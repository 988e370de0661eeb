using System.Security.Cryptography;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Experiments;

/// <summary>The requests of one experiment and where they came from (recorded in <c>experiment_meta.yaml</c>).</summary>
/// <param name="Requests">The requests, before <c>L_filter</c> (the engine applies it).</param>
/// <param name="Source">The request file as the user named it, or a description of a generated workload.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes, or null when the requests were not read from a file.</param>
public sealed record RequestInput(IReadOnlyList<Request> Requests, string Source, string? Sha256)
{
    /// <summary>Reads and validates a request CSV and fingerprints its bytes.</summary>
    /// <exception cref="InputException">The file is missing or a row is bad (the message names file, line and column).</exception>
    public static RequestInput ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var requests = RequestFile.Read(path);
        using var stream = File.OpenRead(path);
        return new RequestInput(requests, path, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
