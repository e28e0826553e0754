using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using FedTrust.Cli;

namespace FedTrust.Testing;

/// <summary>How tests drive fedtrust: in-process, or as a child process when what it prints matters.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs fedtrust.dll in its own process (through <c>bash -c</c> when <paramref name="shellPrefix"/> is given, e.g. a ulimit).</summary>
    public static async Task<(int Code, string Out, string Err)> RunProcess(string[] args, string? shellPrefix = null, TimeSpan? timeout = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fedtrust.dll");
        var start = shellPrefix is null ? new ProcessStartInfo("dotnet") : new ProcessStartInfo("bash");
        if (shellPrefix is null)
        {
            start.ArgumentList.Add(dll);
            foreach (var a in args) start.ArgumentList.Add(a);
        }
        else
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{shellPrefix}; exec dotnet \"$0\" \"$@\"");
            start.ArgumentList.Add(dll);
            foreach (var a in args) start.ArgumentList.Add(a);
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await child.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }
        return (child.ExitCode, await stdout, await stderr);
    }

    public static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    public static string RunIdOf(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.GetProperty("runId").GetString()!;
    }

    /// <summary>The error output is one `error: …` line (plus at most one-line Akka notes), with no stack trace.</summary>
    public static void AssertOneLineError(string err, string expected)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line, got:\n{err}");
        Assert.Contains(expected, errors[0]);
        Assert.All(lines, l => Assert.True(l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("akka: ", StringComparison.Ordinal), $"unexpected line: {l}"));
    }
}
