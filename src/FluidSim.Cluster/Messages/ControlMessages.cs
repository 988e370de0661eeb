namespace FluidSim.Cluster.Messages;

/// <summary>
/// Submits a sweep whose file and workload were uploaded first (<c>PUT /uploads/SHA256/NAME</c>): the control endpoint
/// lays the uploaded copies out as the client's files were, then hands the coordinator a <see cref="SubmitSweep"/>.
/// </summary>
/// <param name="SourceText">The sweep file's text, exactly as on the client (its fingerprint and job ids follow from it).</param>
/// <param name="SourcePath">The sweep file's absolute path on the client; a relative <c>workload.file</c> resolves against it.</param>
/// <param name="Files">The workload file(s) the sweep reads, by their absolute client path and content hash.</param>
/// <remarks>Idempotent: the same sweep submitted again (a retry, a resume) carries on the same sweep.</remarks>
public sealed record SubmitUploadedSweep(string SourceText, string SourcePath, IReadOnlyList<UploadedFile> Files) : IFluidSimMessage;

/// <summary>A file uploaded to the control endpoint: where it lives on the client, and the hex SHA-256 of its bytes.</summary>
public sealed record UploadedFile(string ClientPath, string Sha256) : IFluidSimMessage;

/// <summary>The answer to an upload: the file is stored whole under its hash (or was already).</summary>
public sealed record UploadStored(string Sha256, long Bytes, bool AlreadyPresent) : IFluidSimMessage;

/// <summary>The Parquet parts of one result folder of a sweep (<c>summary</c> or <c>failures</c>), by file name.</summary>
public sealed record SweepPartList(string Name, string Folder, IReadOnlyList<string> Files) : IFluidSimMessage;
