using System.ComponentModel;
using System.Diagnostics;

namespace FedTrust.Cli.Bench;

/// <summary>
/// A program the bench runs to its end with its output captured: a <c>fedtrust run</c> in a process of its own
/// (<see cref="ChildRun"/>) or the PyTorch reference (<see cref="PyTorchScript"/>). Cancelling (Ctrl+C, or SIGTERM,
/// which System.CommandLine turns into the same cancellation) kills it with its whole process tree, so a stopped
/// bench leaves nothing running.
/// </summary>
internal static class ChildProcess
{
    /// <exception cref="Win32Exception"><paramref name="file"/> could not be started (e.g. it is not installed).</exception>
    public static async Task<ChildOutput> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new Win32Exception($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ChildOutput(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>How a child process ended: its exit code and everything it wrote.</summary>
internal sealed record ChildOutput(int ExitCode, string Output, string Error)
{
    /// <summary>The standard output's non-empty lines.</summary>
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
