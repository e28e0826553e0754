using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// scripts/cluster-local.sh running as a child process, with the fedtrust.dll of this test build (FEDTRUST_DLL), so
/// it builds nothing and runs the same code as the in-process runs it is compared with. Its stdout and stderr are
/// collected while it runs.
/// </summary>
internal sealed partial class LocalClusterScript : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    private LocalClusterScript(string outDir, string[] args)
    {
        OutDir = outDir;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "cluster-local.sh"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["FEDTRUST_DLL"] = Path.Combine(AppContext.BaseDirectory, "fedtrust.dll");
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_err, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts <c>scripts/cluster-local.sh WORKERS OUT_DIR ARGS…</c>.</summary>
    public static LocalClusterScript Start(int workers, string outDir, params string[] args) => new(outDir, [$"{workers}", outDir, .. args]);

    public string OutDir { get; }

    public int Pid => _process.Id;

    public string Out { get { lock (_out) return _out.ToString(); } }

    public string Err { get { lock (_err) return _err.ToString(); } }

    /// <summary>Waits for the script to exit; returns its exit code, or null if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return _process.ExitCode;
    }

    /// <summary>Waits until the file below the output folder contains <paramref name="text"/> (false when the script ended first or time ran out).</summary>
    public async Task<bool> WaitForLogAsync(string file, string text, TimeSpan timeout)
    {
        var path = Path.Combine(OutDir, file);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (File.Exists(path) && File.ReadAllText(path).Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>The port the server bound, as it printed it to DIR/server.log.</summary>
    public int ServerPort()
    {
        var match = ServerAddress().Match(File.ReadAllText(Path.Combine(OutDir, "server.log")));
        Assert.True(match.Success, "no 'server node 127.0.0.1:PORT: waiting' line in server.log");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends SIGTERM to the script (not to the nodes it started).</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{Pid}"]))!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The processes (pid and command line, from <c>pgrep -af</c>) whose command line matches the pattern.</summary>
    public static IReadOnlyList<string> Processes(string pattern)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-a", "-f", pattern]) { RedirectStandardOutput = true })!;
        var lines = pgrep.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        pgrep.WaitForExit();
        Assert.True(pgrep.ExitCode is 0 or 1, $"pgrep -af {pattern} exited {pgrep.ExitCode}");
        return lines;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null) return;
        lock (builder) builder.AppendLine(line);
    }

    [GeneratedRegex(@"server node 127\.0\.0\.1:([0-9]+): waiting")]
    private static partial Regex ServerAddress();
}
