using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using FedTrust.Cli;

namespace FedTrust.Testing;

/// <summary>
/// How tests drive fedtrust: in-process, or as a child process when what it prints matters. Either way, every result.json
/// the command writes (new or rewritten below its --out folder, whatever its exit code) is checked against
/// result.schema.json (<see cref="ResultSchema"/>).
/// </summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var outDir = OutDir(args);
        var before = ResultSchema.Snapshot(outDir);
        var code = await FedTrustCli.RunAsync(args, output, error);
        ResultSchema.AssertWrittenValid(outDir, before);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The folder given to --out (or -o), if any.</summary>
    public static string? OutDir(IReadOnlyList<string> args)
    {
        for (var i = 0; i + 1 < args.Count; i++)
            if (args[i] is "--out" or "-o") return args[i + 1];
        return args.Select(a => a.StartsWith("--out=", StringComparison.Ordinal) ? a["--out=".Length..] : null).LastOrDefault(a => a is not null);
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
        var outDir = OutDir(args);
        var before = ResultSchema.Snapshot(outDir);
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
        var result = (child.ExitCode, await stdout, await stderr);
        ResultSchema.AssertWrittenValid(outDir, before);
        return result;
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
