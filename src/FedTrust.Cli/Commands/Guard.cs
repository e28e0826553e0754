using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Runs;
using FedTrust.Core.Data;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>Turns a verb's failure into one clear line on stderr and a non-zero exit code (the stack trace only with --verbose).</summary>
internal static class Guard
{
    public static async Task<int> RunAsync(TextWriter error, bool verbose, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e)
        {
            // Failures whose message already says what and where; anything else is unexpected and shows its type.
            var explained = e is DataFormatException or DataUnavailableException or SimulationException or JournalException or FolderInUseException;
            var (code, message) = e switch
            {
                ConfigurationException => (FedTrustCli.UsageError, e.Message),
                OperationCanceledException => (FedTrustCli.Failure, "cancelled"),
                _ when explained => (FedTrustCli.Failure, e.Message),
                _ => (FedTrustCli.Failure, $"{e.GetType().Name}: {e.Message}"),
            };
            await error.WriteLineAsync($"error: {message}");
            if (verbose) await error.WriteLineAsync(e.ToString());
            else if (code == FedTrustCli.Failure && !explained && e is not OperationCanceledException)
                await error.WriteLineAsync("(run again with --verbose for the stack trace)");
            return code;
        }
    }
}
