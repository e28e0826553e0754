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
/// With --out DIR it also writes DIR/bench.json and the run's DIR/result.json; without, it writes nothing.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Also write DIR/bench.json (the figures printed) and DIR/result.json of the run (default: write nothing)" };
        var command = new Command("bench", "Measure rounds per second, samples per second and RSS over rounds (memory must stay flat); " +
            "a cluster's round time against one process's: scripts/cluster-bench.sh");
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the run recorded in --out DIR" };
        common.AddTo(command);
        command.Add(outDir);
        command.Add(overwrite);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            // bench measures the simulation, not a journal: its trust ledger journals in memory, and result.json says so.
            var config = FedTrustConfig.Parse("fedtrust.persistence.provider = memory", "bench").WithFallback(common.Compose(parse));
            var settings = SettingsReader.Read(config);
            ClusterOptions.RefuseCluster(settings, "fedtrust bench");
            if (settings.Rounds < 2)
                throw new ConfigurationException(
                    $"fedtrust.rounds = {settings.Rounds}: bench needs at least 2 rounds (its RSS ratio compares rounds from round 2 on)");
            var dir = OutputFolder.Checked(parse.GetValue(outDir));
            var console = Consoles.For(output);
            var (dataset, dataDir) = DataLoading.Load(settings.Data, console);
            using var folder = dir is null ? null : OutputFolder.Claim(dir, "fedtrust bench");
            folder?.PrepareForNewRun(settings.Persistence, parse.GetValue(overwrite), resumable: false);
            var rounds = new List<BenchRound>();
            var clock = Stopwatch.StartNew();
            var result = await SimulationHost.RunAsync(settings, config, dataset, round =>
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                rounds.Add(new BenchRound(round.Round, round.Seconds, ProcessMemory.CurrentRssBytes()));
            }, cancellation);
            if (result.Diverged is { } diverged)
                throw new SimulationException($"{diverged.Message}; it stopped there, so {settings.Rounds} rounds could not be measured");
            var report = BenchReport.Of(settings, result, rounds, clock.Elapsed.TotalSeconds);

            var table = new Table().Border(TableBorder.Simple).AddColumns("round", "seconds", "RSS after GC (MB)");
            foreach (var round in rounds)
                table.AddRow(round.Round.ToString(CultureInfo.InvariantCulture), round.Seconds.ToString("F2", CultureInfo.InvariantCulture), BenchReport.Mb(round.RssAfterGcBytes));
            console.Write(table);
            foreach (var line in report.Lines()) console.WriteLine(line);
            if (folder is not null)
            {
                console.MarkupLineInterpolated($"[green]wrote[/] {report.Write(folder.Path)}");
                console.MarkupLineInterpolated($"[green]wrote[/] {SimulationRunner.WriteResult(folder, config, settings, dataDir, result)}");
            }
            return 0;
        }));
        return command;
    }
}
