using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>The tests that journal to a real PostgreSQL server share one throwaway server, started once for the collection.</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;

/// <summary>
/// A private, throwaway PostgreSQL server for the tests: Debian's server binaries (initdb, pg_ctl, postgres) initialise
/// a cluster in a fresh temporary folder (trust authentication, superuser fedtrust), start it listening only on
/// 127.0.0.1 on a free port (its unix socket inside that folder too), and stop it and delete the folder afterwards.
/// PostgreSQL refuses to run as root, so under root (CI) the binaries run as the <c>postgres</c> OS user the Debian
/// package creates, through <c>runuser</c>, in a folder owned by that user. Missing binaries fail the tests with a
/// message saying what to install: they are never skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Superuser = "fedtrust";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private string? _root;
    private string? _bin;
    private string? _runuser;
    private bool _started;
    private int _port;

    /// <summary>The folder holding the cluster (data/), its log (postgres.log) and its unix socket.</summary>
    public string Root => _root ?? throw new InvalidOperationException("the PostgreSQL server is not initialised");

    private string DataDir => Path.Combine(Root, "data");
    private string LogFile => Path.Combine(Root, "postgres.log");

    /// <summary>A connection string for <paramref name="database"/> on this server, as the superuser (trust authentication, no password).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port != 0 ? _port : throw new InvalidOperationException("the PostgreSQL server is not started"),
        Username = Superuser,
        Database = database,
    }.ToString();

    /// <summary>Creates an empty database with a unique name and returns that name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "fedtrust_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    public async Task InitializeAsync()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) were found neither on PATH nor in /usr/lib/postgresql/*/bin. " +
            "The PostgreSQL journal tests need them: install Debian's postgresql package (apt-get install -y postgresql); " +
            "no system-wide server has to run, the tests start their own.");
        _root = Directory.CreateTempSubdirectory("fedtrust-pg-").FullName;
        try
        {
            if (await RunningAsRootAsync())
            {
                _runuser = FindOnPath("runuser", "/usr/sbin", "/sbin")
                           ?? throw new InvalidOperationException("running as root, and runuser (util-linux) was not found to start PostgreSQL as the postgres user");
                var id = await RunAsync("id", ["-u", ServiceUser], asService: false);
                if (id.ExitCode != 0)
                    throw new InvalidOperationException(
                        $"running as root, and there is no '{ServiceUser}' OS user to run PostgreSQL as (PostgreSQL refuses root); install Debian's postgresql package, which creates it");
                await RequireAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", Root], asService: false);
            }
            await RequireAsync(Path.Combine(_bin, "initdb"),
                ["-D", DataDir, "-A", "trust", "-U", Superuser, "--no-sync", "-E", "UTF8", "--locale=C"], asService: true);
            await StartAsync();
            await WaitUntilReadyAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_started && _bin is not null)
        {
            var stop = await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-D", DataDir, "-m", "fast", "-w", "-t", "30"], asService: true);
            if (stop.ExitCode != 0) KillPostmaster();
            _started = false;
        }
        if (_root is not null && Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        _root = null;
    }

    /// <summary>Starts the server on a free port; a port taken between choosing and binding it is retried with another.</summary>
    private async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            _port = FreePort();
            var options = string.Join(' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {_port.ToString(CultureInfo.InvariantCulture)}",
                $"-c unix_socket_directories='{Root}'",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off");
            var start = await RunAsync(Path.Combine(_bin!, "pg_ctl"),
                ["start", "-w", "-t", "30", "-D", DataDir, "-l", LogFile, "-o", options], asService: true);
            if (start.ExitCode == 0)
            {
                _started = true;
                return;
            }
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid"))) _started = true; // half started: make sure dispose stops it
            if (attempt == 3)
                throw new InvalidOperationException($"pg_ctl start failed (exit {start.ExitCode}): {start.Output}\n{ReadLog()}");
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=5");
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                if (Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 1) return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
            {
                if (clock.Elapsed > ReadyTimeout)
                    throw new InvalidOperationException($"PostgreSQL on 127.0.0.1:{_port} did not accept connections within {ReadyTimeout.TotalSeconds} s: {e.Message}\n{ReadLog()}", e);
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The last resort when pg_ctl cannot stop the server: SIGKILL the postmaster named in postmaster.pid.</summary>
    private void KillPostmaster()
    {
        var pidFile = Path.Combine(DataDir, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        if (!int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) return;
        try
        {
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
            postmaster.WaitForExit(10_000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    private string ReadLog() => File.Exists(LogFile) ? "postgres.log:\n" + File.ReadAllText(LogFile) : "(no postgres.log)";

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// The folder with initdb, pg_ctl and postgres: on PATH (the folder the links there point to, when they are links
    /// into an installation), else the highest version under /usr/lib/postgresql.
    /// </summary>
    private static string? FindBinaries()
    {
        static bool Complete(string dir) => new[] { "initdb", "pg_ctl", "postgres" }.All(tool => Exists(Path.Combine(dir, tool)));

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(Complete);
        if (onPath is not null)
        {
            var installed = Path.GetDirectoryName(File.ResolveLinkTarget(Path.Combine(onPath, "initdb"), returnFinalTarget: true)?.FullName);
            return installed is not null && Complete(installed) ? installed : onPath;
        }
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: Version.TryParse(VersionText(Path.GetFileName(dir)), out var v) ? v : null))
            .Where(c => c.Version is not null && Complete(c.Dir))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Dir)
            .FirstOrDefault();
    }

    /// <summary>A file that exists; a link counts only when what it finally points to exists (a dangling link is not a binary).</summary>
    private static bool Exists(string path) =>
        File.Exists(path) && (File.ResolveLinkTarget(path, returnFinalTarget: true) is not { } target || target.Exists);

    private static string VersionText(string name) => name.Contains('.') ? name : name + ".0";

    private static string? FindOnPath(string tool, params string[] extra) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(extra)
        .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(Exists);

    private static async Task<bool> RunningAsRootAsync()
    {
        if (Environment.UserName == "root") return true;
        var id = await RunAsync("id", ["-u"], runuser: null);
        return id.ExitCode == 0 && id.Output.Trim() == "0";
    }

    private async Task RequireAsync(string file, IReadOnlyList<string> args, bool asService)
    {
        var result = await RunAsync(file, args, asService);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed (exit {result.ExitCode}): {result.Output}");
    }

    private Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args, bool asService) =>
        RunAsync(file, args, asService ? _runuser : null, _root);

    /// <summary>Runs a command to completion (as the postgres user through <paramref name="runuser"/> when given) and returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> args, string? runuser, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(runuser ?? file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user cannot enter root's folders: run everything from the server's own folder.
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (runuser is not null)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", file }) info.ArgumentList.Add(a);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await stdout + await stderr).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {CommandTimeout.TotalSeconds} s");
        }
    }
}
