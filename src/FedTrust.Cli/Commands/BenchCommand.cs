using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Cli.Bench;
using FedTrust.Cli.Reports;
using FedTrust.Core.Diagnostics;
using Spectre.Console;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust bench</c>: measures a real run's speed and whether its memory stays flat over rounds. After each round
/// it forces a full garbage collection and reads the resident set, so what is compared is memory the run still
/// holds, not garbage the GC has not collected yet; it prints the ratio of the last rounds' RSS to the early rounds'.
/// With --out DIR it also writes DIR/bench.json and the run's DIR/result.json; without, it writes nothing.
/// With --quick, --suite or --json FILE it runs the stage suite instead (<see cref="BenchSuite"/>): every stage of a
/// round timed against a reference in the same process run, as ratios; --pytorch runs its stage 5 alone (FedTrust against
/// a plain PyTorch FedAvg loop, <see cref="PyTorchStage"/>).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Also write DIR/bench.json (the figures printed) and DIR/result.json of the run (default: write nothing)" };
        var command = new Command("bench", "Measure rounds per second, samples per second and RSS over rounds (memory must stay flat); " +
            "with --quick, --suite or --json, the stage suite: local training, whole rounds, aggregation and scale, each timed against bare libtorch " +
            "(or the formula called directly) in the same run, as time ratios ours / reference (1.0 = as fast, target ≤ 1.05); " +
            "a cluster's round time against one process's: scripts/cluster-bench.sh");
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the run recorded in --out DIR, or the file --json FILE" };
        var quick = new Option<bool>("--quick") { Description = "Run the stage suite at small sizes (a few minutes on 2 cores; stage 5, the PyTorch reference, adds about 4 when torch is installed); ratios are time ours / reference, 1.0 = as fast" };
        var suite = new Option<bool>("--suite") { Description = "Run the full stage suite (all 60,000 images, every aggregation size, 10 to 10,000 clients)" };
        var json = new Option<FileInfo?>("--json")
        {
            Description = "Run the stage suite (full unless --quick) and also write its figures to FILE as JSON (ratios: ours / reference time)",
            HelpName = "FILE",
        };
        var pytorch = new Option<bool>("--pytorch")
        {
            Description = "Run only stage 5: FedTrust against a plain PyTorch FedAvg loop doing the same experiment (needs python3 with torch: " +
                          PyTorchScript.Install + "); quick sizes unless --suite",
        };
        var pytorchRuns = new Option<int?>("--pytorch-runs")
        {
            Description = "Runs of each side per experiment in stage 5 (default: 2 with --quick or --pytorch, 5 with --suite)",
            HelpName = "N",
        };
        var pytorchModes = new Option<string?>("--pytorch-modes")
        {
            Description = "The PyTorch loop's modes in stage 5, PxT comma-separated (default 2x1,1x2: 2 processes × 1 thread, 1 process × 2 threads)",
            HelpName = "LIST",
        };
        var tiny = new Option<bool>("--tiny") { Description = "The stage suite at the tests' sizes", Hidden = true };
        common.AddTo(command);
        command.Add(outDir);
        command.Add(overwrite);
        command.Add(quick);
        command.Add(suite);
        command.Add(json);
        command.Add(pytorch);
        command.Add(pytorchRuns);
        command.Add(pytorchModes);
        command.Add(tiny);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            var pytorchOnly = parse.GetValue(pytorch);
            var sizes = parse.GetValue(tiny) ? SuiteSizes.Tiny
                : parse.GetValue(quick) ? SuiteSizes.Quick
                : parse.GetValue(suite) ? SuiteSizes.Full
                : pytorchOnly ? SuiteSizes.Quick
                : parse.GetValue(json) is not null ? SuiteSizes.Full
                : null;
            if (parse.GetValue(pytorchRuns) is { } runs)
            {
                if (sizes is null)
                    throw new ConfigurationException("--pytorch-runs sets stage 5 of the stage suite; add --pytorch (stage 5 alone), --quick or --suite");
                if (runs < 1) throw new ConfigurationException($"--pytorch-runs {runs}: expected a whole number of at least 1");
                sizes = sizes with { PyTorchRuns = runs };
            }
            if (parse.GetValue(pytorchModes) is { } modes)
            {
                if (sizes is null)
                    throw new ConfigurationException("--pytorch-modes sets stage 5 of the stage suite; add --pytorch (stage 5 alone), --quick or --suite");
                try
                {
                    sizes = sizes with { PyTorchModes = PyTorchStage.ParseModes(modes) };
                }
                catch (ArgumentException e)
                {
                    throw new ConfigurationException(e.Message);
                }
            }
            if (sizes is not null)
            {
                RefuseWithSuite(parse, common, outDir, quick, suite);
                var jsonFile = CheckedJsonFile(parse.GetValue(json), parse.GetValue(overwrite));
                return await RunSuiteAsync(output, parse, common, sizes, jsonFile, pytorchOnly, cancellation);
            }
            // bench measures the simulation, not a journal: its trust ledger journals in memory, and result.json says so.
            var config = FedTrustConfig.Parse("fedtrust.persistence.provider = memory", "bench").WithFallback(common.Compose(parse));
            var settings = HoconSettings.Read(config);
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

    /// <summary>What the stage suite cannot take: both sizes at once, and the options of the plain bench's own run.</summary>
    private static void RefuseWithSuite(ParseResult parse, CommonOptions common, Option<DirectoryInfo?> outDir, Option<bool> quick, Option<bool> suite)
    {
        const string theSuite = "the stage suite (--quick, --suite, --json)";
        if (parse.GetValue(quick) && parse.GetValue(suite))
            throw new ConfigurationException("--quick and --suite are two sizes of the stage suite; give one of them");
        if (parse.GetValue(outDir) is not null)
            throw new ConfigurationException($"--out writes the plain bench's bench.json and result.json; {theSuite} writes its figures with --json FILE");
        foreach (var option in new[] { common.Rounds, common.Clients })
        {
            if (parse.GetValue(option) is not null)
                throw new ConfigurationException($"{option.Name} sets the plain bench's run; {theSuite} chooses the rounds and clients of each stage");
        }
    }

    /// <summary>
    /// The --json file's full path, checked before any work: not a folder, not below a file, and not an existing
    /// file unless --overwrite (a report of earlier figures is not replaced by accident).
    /// </summary>
    private static string? CheckedJsonFile(FileInfo? option, bool overwrite)
    {
        if (option is null) return null;
        var path = option.FullName;
        if (Directory.Exists(path)) throw new ConfigurationException($"--json {path}: is a folder, not a file");
        if (File.Exists(path) && !overwrite)
            throw new ConfigurationException($"--json {path}: the file exists; choose another FILE, or add --overwrite to replace it");
        for (var parent = Path.GetDirectoryName(path); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent)) throw new ConfigurationException($"--json {path}: {parent} is a file, not a folder");
            if (Directory.Exists(parent)) break;
        }
        return path;
    }

    private static async Task<int> RunSuiteAsync(TextWriter output, ParseResult parse, CommonOptions common, SuiteSizes sizes, string? jsonFile,
        bool pytorchOnly, CancellationToken cancellation)
    {
        // As the plain bench: the trust ledger of every run journals in memory.
        var config = FedTrustConfig.Parse("fedtrust.persistence.provider = memory", "bench").WithFallback(common.Compose(parse));
        var settings = HoconSettings.Read(config);
        ClusterOptions.RefuseCluster(settings, "fedtrust bench");
        var console = Consoles.For(output);
        var (dataset, dataDir) = DataLoading.Load(settings.Data, console);
        var context = new SuiteContext(config, settings, dataset, dataDir, sizes, console, common.ExperimentOptions(parse), cancellation);
        SuiteReport report;
        if (pytorchOnly)
        {
            report = await BenchSuite.RunPyTorchOnlyAsync(context);
            console.Write(report.SummaryTable());
            console.WriteLine(report.Line());
        }
        else
        {
            report = await BenchSuite.RunAsync(context);
        }
        if (jsonFile is not null) console.MarkupLineInterpolated($"[green]wrote[/] {report.Write(jsonFile)}");
        return 0;
    }
}
