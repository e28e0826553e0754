using System.Diagnostics;
using System.Text;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// One fedtrust.dll process of a cluster test (a server or a worker) with what it prints collected: <see cref="Output"/>
/// holds stdout and stderr as they came, <see cref="Error"/> stderr alone. Killed with its children when disposed.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    /// <summary>Completed (and replaced) whenever a line arrives or the output ends: what <see cref="WaitFor"/> waits on.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>How many of stdout and stderr have ended.</summary>
    private int _endedStreams;

    public NodeProcess(string name, string[] args, params (string Name, string Value)[] environment)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fedtrust.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (variable, value) in environment) start.Environment[variable] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) =>
        {
            lock (_output) _output.AppendLine(e.Data);
            Changed(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_output) _output.AppendLine(e.Data);
            lock (_error) _error.AppendLine(e.Data);
            Changed(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>stdout and stderr, in the order their lines came.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>stderr alone.</summary>
    public string Error
    {
        get { lock (_error) return _error.ToString(); }
    }

    /// <summary>Waits until the process has printed <paramref name="text"/>; fails at once if it exits first, or after the hang guard <paramref name="limit"/>.</summary>
    public async Task WaitFor(string text, TimeSpan limit)
    {
        using var guard = new CancellationTokenSource(limit);
        while (true)
        {
            // Taken before reading the output, so a line that arrives in between completes it.
            Task changed;
            lock (_output) changed = _changed.Task;
            if (Output.Contains(text)) return;
            // Both streams ended (the process exited and its last lines are read): nothing more will come.
            if (OutputEnded)
                throw new Xunit.Sdk.XunitException($"{Name} never printed '{text}':\n{Output}");
            try
            {
                await changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{Name} never printed '{text}' within {limit}:\n{Output}");
            }
        }
    }

    /// <summary>Whether both streams have ended (each delivers a last null line).</summary>
    private bool OutputEnded => Volatile.Read(ref _endedStreams) >= 2;

    /// <summary>A line (or, with null, the end of a stream) arrived: wakes <see cref="WaitFor"/>.</summary>
    private void Changed(string? line)
    {
        if (line is null) Interlocked.Increment(ref _endedStreams);
        TaskCompletionSource done;
        lock (_output)
        {
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    /// <summary>The exit code, once the process has ended and its last lines are read; fails after the hang guard <paramref name="limit"/>.</summary>
    public async Task<int> Exit(TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{Name} did not exit within {limit}:\n{Output}");
        }
        _process.WaitForExit(); // the output's last lines
        return _process.ExitCode;
    }

    public void Kill() => _process.Kill(); // SIGKILL

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
