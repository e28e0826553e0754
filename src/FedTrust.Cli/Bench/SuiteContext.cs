using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Bench;

/// <summary>
/// What every stage of the bench suite works from: the configuration composed from the command line (defaults,
/// --config, --set, --model, --seed, --data-dir), its settings, the data set, the sizes, where to print, and the
/// command-line options a child run must be given to use the same configuration.
/// </summary>
internal sealed record SuiteContext(
    Config Config, ExperimentSettings Settings, MnistDataset Dataset, string DataDir, SuiteSizes Sizes, IAnsiConsole Console,
    IReadOnlyList<string> ForwardedOptions, CancellationToken Cancellation)
{
    /// <summary>The configuration with some keys set by the stage (HOCON, one key per line), and its settings, checked as a run checks them.</summary>
    public (Config Config, ExperimentSettings Settings) With(params string[] assignments)
    {
        var config = FedTrustConfig.Parse(string.Join('\n', assignments), "fedtrust bench suite").WithFallback(Config);
        return (config, HoconSettings.Read(config));
    }
}
