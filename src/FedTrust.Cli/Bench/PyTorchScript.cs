using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace FedTrust.Cli.Bench;

/// <summary>
/// scripts/pytorch_fedavg.py, shipped inside fedtrust.dll and written out next to each plan, and the python3 that runs
/// it: the first of <see cref="Interpreters"/> whose <c>import torch</c> works (a pyenv or venv python3 on PATH often
/// lacks Debian's python3-torch, which lives under /usr/bin/python3).
/// </summary>
internal sealed class PyTorchScript
{
    public const string ResourceName = "FedTrust.Cli.pytorch_fedavg.py";
    public const string FileName = "pytorch_fedavg.py";

    /// <summary>How to get a fair reference on Debian: torch, and OpenBLAS for it (without it torch uses the reference BLAS).</summary>
    public const string Install = "apt-get install python3-torch libopenblas0-openmp";

    /// <summary>The interpreters tried, in order: FEDTRUST_PYTHON if set, python3 from PATH, Debian's /usr/bin/python3.</summary>
    public static IReadOnlyList<string> Interpreters =>
        [.. new[] { Environment.GetEnvironmentVariable("FEDTRUST_PYTHON"), "python3", "/usr/bin/python3" }.OfType<string>().Where(s => s.Length > 0).Distinct()];

    private PyTorchScript(string python, string torch, string blas, string blasLibrary)
    {
        Python = python;
        Torch = torch;
        Blas = blas;
        BlasLibrary = blasLibrary;
    }

    public string Python { get; }
    public string Torch { get; }

    /// <summary>openblas, mkl, blis, reference or unknown; and the library's path as mapped in the process.</summary>
    public string Blas { get; }
    public string BlasLibrary { get; }

    /// <summary>The script's text, as shipped in this fedtrust.dll.</summary>
    public static string Text()
    {
        using var stream = typeof(PyTorchScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Writes the script into <paramref name="folder"/>; returns its path.</summary>
    public static string WriteTo(string folder)
    {
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, Text());
        return path;
    }

    /// <summary>
    /// The first interpreter with torch, and the BLAS torch loaded there; or null and why not (one line, with how to
    /// install what is missing). A reference BLAS is refused unless <paramref name="anyBlas"/> (what a check of the
    /// arithmetic may use): it is no fair peer for timing (about 12× slower on the mlp).
    /// </summary>
    public static async Task<(PyTorchScript? Script, string? Reason)> FindAsync(CancellationToken cancellation, bool anyBlas = false)
    {
        var folder = Directory.CreateTempSubdirectory("fedtrust-bench-pytorch-").FullName;
        try
        {
            var script = WriteTo(folder);
            var reasons = new List<string>();
            foreach (var python in Interpreters)
            {
                ChildOutput result;
                try
                {
                    result = await ChildProcess.RunAsync(python, [script, "--check"], cancellation);
                }
                catch (Win32Exception)
                {
                    reasons.Add($"{python}: not found");
                    continue;
                }
                var line = result.Lines.LastOrDefault(l => l.StartsWith('{'));
                if (result.ExitCode != 0 || line is null)
                {
                    reasons.Add(result.Error.Contains("No module named 'torch'", StringComparison.Ordinal)
                        ? $"{python}: no torch module"
                        : $"{python}: exit {result.ExitCode}: {FirstLine(result.Error)}");
                    continue;
                }
                using var check = JsonDocument.Parse(line);
                var root = check.RootElement;
                var found = new PyTorchScript(python, root.GetProperty("torch").GetString()!, root.GetProperty("blas").GetString()!,
                    root.GetProperty("blasLibrary").GetString()!);
                if (!anyBlas && found.Blas is ("reference" or "unknown"))
                {
                    return (null, $"{python}'s torch {found.Torch} uses the {found.Blas} BLAS ({found.BlasLibrary}), about 12× slower than OpenBLAS on the mlp: " +
                                  $"no fair peer; install OpenBLAS for it ({Install})");
                }
                return (found, null);
            }
            return (null, $"no python3 with torch ({string.Join("; ", reasons)}); to compare with a plain PyTorch loop: {Install}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the script on a plan in mode PxT; returns its rounds (seconds, accuracy) in order.</summary>
    public async Task<IReadOnlyList<PyTorchRound>> RunAsync(string script, string plan, string mode, CancellationToken cancellation, string? weightsOut = null)
    {
        var arguments = new List<string> { script, plan, "--mode", mode };
        if (weightsOut is not null) arguments.AddRange(["--weights-out", weightsOut]);
        var result = await ChildProcess.RunAsync(Python, arguments, cancellation);
        if (result.ExitCode != 0)
            throw new ChildRunException($"{Python} {FileName} --mode {mode} exited {result.ExitCode}: {FirstLine(result.Error)}");
        var rounds = new List<PyTorchRound>();
        foreach (var line in result.Lines.Where(l => l.StartsWith('{')))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("kind").GetString() != "round") continue;
            rounds.Add(new PyTorchRound(root.GetProperty("round").GetInt32(), root.GetProperty("seconds").GetDouble(), root.GetProperty("accuracy").GetDouble()));
        }
        return rounds;
    }

    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.LastOrDefault(l => l.StartsWith("error", StringComparison.OrdinalIgnoreCase) || l.Contains("Error", StringComparison.Ordinal))
               ?? lines.LastOrDefault() ?? "(no output)";
    }
}

/// <summary>One round of the PyTorch loop: its seconds (sending the round to the end of its evaluation) and the global model's test accuracy.</summary>
internal sealed record PyTorchRound(int Round, double Seconds, double Accuracy);
