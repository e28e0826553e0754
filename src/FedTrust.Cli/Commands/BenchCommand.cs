using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Cli.Reports;
using FedTrust.Core.Diagnostics;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust bench</c>: measures a real run's speed and whether its memory stays flat over rounds. After each round
/// it forces a full garbage collection and reads the resident set, so what is compared is memory the run still
/// holds, not garbage the GC has not collected yet; it prints the ratio of the last rounds' RSS to the early rounds'.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var command = new Command("bench", "Measure rounds per second, samples per second and RSS over rounds (memory must stay flat)");
        common.AddTo(command);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            var config = common.Compose(parse);
            var settings = SettingsReader.Read(config);
            var console = Consoles.For(output);
            var (dataset, _) = DataLoading.Load(settings.Data, console);
            var rss = new List<(int Round, double Seconds, long Bytes)>();
            var clock = Stopwatch.StartNew();
            var result = await SimulationHost.RunAsync(settings, config, dataset, round =>
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                rss.Add((round.Round, round.Seconds, ProcessMemory.CurrentRssBytes()));
            }, cancellation);
            var wall = clock.Elapsed.TotalSeconds;
            if (result.Diverged is { } diverged)
                throw new SimulationException($"{diverged.Message}; it stopped there, so {settings.Rounds} rounds could not be measured");

            var samples = (double)result.Clients.Sum(c => c.TrainSamples) * settings.LocalEpochs * settings.Rounds;
            var early = rss.Skip(1).Take(Math.Max(1, rss.Count / 4)).Average(r => (double)r.Bytes);
            var late = rss.Skip(rss.Count - Math.Max(1, rss.Count / 4)).Average(r => (double)r.Bytes);
            var table = new Table().Border(TableBorder.Simple).AddColumns("round", "seconds", "RSS after GC (MB)");
            foreach (var (round, seconds, bytes) in rss)
                table.AddRow(round.ToString(CultureInfo.InvariantCulture), seconds.ToString("F2", CultureInfo.InvariantCulture), Mb(bytes));
            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {settings.Model}, {settings.Clients} clients, defense {settings.Defense.Name}, {settings.Rounds} rounds in {wall:F1} s: {settings.Rounds / wall:F2} rounds/s, {samples / wall:F0} training samples/s (evaluation included)"));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory: RSS after GC, mean of the first quarter of rounds (from round 2) {Mb((long)early)} MB, of the last quarter {Mb((long)late)} MB; ratio last/first {late / early:F3}; peak RSS {Mb(result.PeakRssBytes)} MB"));
            return 0;
        }));
        return command;
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);
}
