using System.CommandLine;
using FedTrust.Cli.Commands;

namespace FedTrust.Cli;

/// <summary>The <c>fedtrust</c> command line: one verb per file under Commands/.</summary>
public static class FedTrustCli
{
    /// <summary>Exit code of a run that failed for a reason the message explains (bad input, missing data, a failed round).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a configuration or usage error.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Parses and runs one command line. A usage error (unknown option or command, missing or malformed value) is
    /// one line on <paramref name="error"/> and exit code <see cref="UsageError"/>; --help and --version exit 0.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        var root = new RootCommand("FedTrust.Actors: federated learning under poisoning attacks, on Akka.NET actors and TorchSharp.")
        {
            RunCommand.Create(output, error),
            GridCommand.Create(output, error),
            BenchCommand.Create(output, error),
            ReplayCommand.Create(output, error),
            NodeCommand.Create(output, error),
        };
        var parse = root.Parse(args);
        if (UsageErrors.Describe(parse) is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}");
            return UsageError;
        }
        Interruption.Watch(); // before System.CommandLine's own signal handlers, so `run` knows which signal stopped it
        var config = new InvocationConfiguration { Output = output, Error = error };
        return await parse.InvokeAsync(config, cancellation);
    }
}
