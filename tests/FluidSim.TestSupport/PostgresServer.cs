using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Npgsql;

namespace FluidSim.TestSupport;

/// <summary>
/// A throw-away PostgreSQL server of the machine's own installation (Debian's <c>postgresql</c>, which <c>.ci/run</c>
/// installs): <c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free port listening on 127.0.0.1 only (no Unix
/// socket), password authentication; stopped by the postmaster's pid on dispose and at process exit.
/// </summary>
/// <remarks>
/// Use it as a class fixture (<c>IClassFixture&lt;PostgresServer&gt;</c>) and give each test its own database with
/// <see cref="CreateDatabase"/>. PostgreSQL refuses to run as root, so under root the server runs as the
/// <c>postgres</c> user (through <c>runuser</c>). Mark the tests <see cref="PostgresFactAttribute"/>: skipped where no
/// PostgreSQL is installed, except under CI, where a missing server fails them.
/// </remarks>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The database superuser the server is created with.</summary>
    public const string User = "fluidsim";

    private readonly TempDirectory _dir = new();
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly object _stopLock = new();
    private int _postmasterPid;
    private int _databases;
    private bool _started;

    /// <summary>Starts the server on first use, so a class whose tests are all skipped never needs one.</summary>
    private void EnsureStarted()
    {
        lock (_stopLock)
        {
            if (_started) return;
            _started = true;
            Start();
        }
    }

    private void Start()
    {
        var bin = PostgresInstallation.BinDirectory ?? throw new Xunit.Sdk.XunitException(PostgresInstallation.Missing);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            var data = Path.Combine(_dir.Path, "data");
            var passwordFile = _dir.Write("pwfile", _password + "\n");
            if (PostgresInstallation.RunningAsRoot)
            {
                // The temp folder is root's and 0700: hand it to the postgres user, who runs every server command.
                Run("chown", ["-R", "postgres:", _dir.Path], asPostgres: false);
            }
            Run(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", User, "--pwfile", passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
                asPostgres: true);
            File.Delete(passwordFile);

            // A free port can be taken between the probe and the start: try a few.
            for (var attempt = 1; ; attempt++)
            {
                Port = FreePort();
                var options = $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories= -c fsync=off -c max_connections=200";
                var (exit, output) = TryRun(Path.Combine(bin, "pg_ctl"),
                    ["-D", data, "-l", Path.Combine(_dir.Path, "server.log"), "-o", options, "-w", "-t", "60", "start"], asPostgres: true);
                if (exit == 0) break;
                if (attempt == 3) throw new InvalidOperationException($"pg_ctl start failed ({exit}): {output}\n{ServerLog}");
            }
            _postmasterPid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First());
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>The TCP port on 127.0.0.1 the server listens on (once started).</summary>
    public int Port { get; private set; }

    /// <summary>The server's log so far (shown in failure messages).</summary>
    public string ServerLog
    {
        get
        {
            var path = Path.Combine(_dir.Path, "server.log");
            try
            {
                return File.Exists(path) ? File.ReadAllText(path) : "";
            }
            catch (IOException)
            {
                return "";
            }
        }
    }

    /// <summary>The password of <see cref="User"/> (random per server), to check that it never shows up in a log.</summary>
    public string Password => _password;

    /// <summary>A connection string for <paramref name="database"/> (the maintenance database <c>postgres</c> by default).</summary>
    public string ConnectionString(string database = "postgres")
    {
        EnsureStarted();
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = User,
            Password = _password,
            Database = database,
            Pooling = false,
        }.ConnectionString;
    }

    /// <summary>Creates a new, empty database and returns its connection string: one per test.</summary>
    public string CreateDatabase()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Environment.ProcessId}";
        using var connection = new NpgsqlConnection(ConnectionString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Runs one SQL query on <paramref name="connectionString"/>'s database and returns its first column's value.</summary>
    public static object? QueryScalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
        _dir.Dispose();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    /// <summary>Fast shutdown (SIGINT) of the postmaster by its pid; SIGKILL if it is still there after 10 s.</summary>
    private void Stop()
    {
        lock (_stopLock)
        {
            if (_postmasterPid == 0) return;
            var pid = _postmasterPid;
            _postmasterPid = 0;
            Process? postmaster;
            try
            {
                postmaster = Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return; // already gone
            }
            using (postmaster)
            {
                _ = Kill(pid, SigInt);
                if (!postmaster.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    postmaster.Kill(entireProcessTree: true);
                    postmaster.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
        }
    }

    private const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var (exit, output) = TryRun(file, arguments, asPostgres);
        if (exit != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({exit}): {output}");
    }

    private static (int ExitCode, string Output) TryRun(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && PostgresInstallation.RunningAsRoot)
        {
            info.FileName = "runuser";
            foreach (var argument in new[] { "-u", "postgres", "--", file }) info.ArgumentList.Add(argument);
        }
        else
        {
            info.FileName = file;
        }
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        // pg_ctl leaves the server holding its own log file, not these pipes, so reading to the end returns.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>Where the machine's PostgreSQL server programs are, if anywhere.</summary>
public static class PostgresInstallation
{
    /// <summary>Why a PostgreSQL test cannot run.</summary>
    public const string Missing = "no PostgreSQL server programs (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH; .ci/run installs Debian's postgresql";

    /// <summary>
    /// The folder holding <c>initdb</c> and <c>pg_ctl</c>: Debian's newest <c>/usr/lib/postgresql/N/bin</c>, else the
    /// first folder on PATH with both; null when there is none.
    /// </summary>
    public static string? BinDirectory { get; } = Find();

    /// <summary>True when the tests run as root (then the server runs as the <c>postgres</c> user).</summary>
    public static bool RunningAsRoot { get; } = Environment.UserName == "root";

    /// <summary>True under CI (the CI variable set), where a missing PostgreSQL fails the tests instead of skipping them.</summary>
    public static bool UnderCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } value
        && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";

    private static string? Find()
    {
        static bool HasServer(string directory) =>
            File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var debian = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Directory: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => d.Version >= 0 && HasServer(d.Directory))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Directory)
                .FirstOrDefault();
            if (debian is not null) return debian;
        }
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.FirstOrDefault(HasServer);
    }

    /// <summary>The skip reason for a PostgreSQL test here, or null when it runs (always under CI).</summary>
    public static string? SkipReason =>
        !UnderCi && BinDirectory is null ? Missing + " (outside CI this test is skipped; under CI it fails)" : null;
}

/// <summary>
/// A fact that needs a PostgreSQL server (<see cref="PostgresServer"/>): skipped, with the reason, only where none is
/// installed outside CI; under CI a missing server fails it. xunit 2 decides skips at discovery.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresInstallation.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs a PostgreSQL server; skipped like <see cref="PostgresFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresInstallation.SkipReason is { } reason) Skip = reason;
    }
}
