using System.CommandLine;
using System.Globalization;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Runs;
using FedTrust.Cli.Reports;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Results;
using Spectre.Console;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary><c>fedtrust run</c>: one simulation, with a live progress display, a summary table and DIR/result.json.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for result.json, journal.db and checkpoint.json (default: runs/<timestamp>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run recorded in --out DIR from its last completed round" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the run recorded in --out DIR (its result.json, checkpoint.json and journal.db) with a new one" };
        var cluster = new Option<bool>("--cluster")
        {
            Description = "Run on an Akka.Cluster (fedtrust.mode = cluster): this node is the server (aggregator, trust ledger); the clients live on worker nodes started with `fedtrust node --role worker`",
        };
        var workers = new Option<string?>("--workers") { Description = "fedtrust.cluster.workers: worker nodes to wait for before round 1" };
        var clusterOptions = new ClusterOptions();
        var command = new Command("run", "Run one federated simulation on MNIST or Fashion-MNIST (fedtrust.dataset) and write DIR/result.json");
        common.AddTo(command);
        command.Add(outDir);
        command.Add(resume);
        command.Add(overwrite);
        command.Add(cluster);
        command.Add(workers);
        clusterOptions.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var verbose = parse.GetValue(common.Verbose);
            return Guard.RunAsync(error, verbose, async () =>
            {
                var flags = clusterOptions.Assignments(parse).ToList();
                if (parse.GetValue(cluster)) flags.Insert(0, "fedtrust.mode=cluster");
                if (parse.GetValue(workers) is { } count) flags.Add($"fedtrust.cluster.workers={count}");
                var config = common.Compose(parse, flags);
                var resuming = parse.GetValue(resume);
                if (resuming && parse.GetValue(outDir) is null)
                    throw new ConfigurationException("--resume needs --out DIR: the folder of the run to continue");
                // A changed key is named before the new value is judged (a target ε the budget cannot pay is still a change).
                if (resuming) SimulationRunner.RefuseChangedConfiguration(parse.GetValue(outDir)!.FullName, config);
                var settings = HoconSettings.Read(config);
                if (parse.GetValue(workers) is { } given && !settings.Cluster.Enabled)
                    throw new ConfigurationException($"--workers {given}: the number of worker nodes of a cluster run; add --cluster (or leave out --workers to run here)");
                if (settings.Cluster.Enabled && settings.Cluster.Workers > settings.Clients)
                    throw new ConfigurationException(
                        $"fedtrust.cluster.workers = {settings.Cluster.Workers}: more worker nodes than fedtrust.clients ({settings.Clients}), so some would host " +
                        $"no client; use at most {settings.Clients}");
                // A second server on a port in use is refused before anything is written (Akka would bind beside the first).
                if (settings.Cluster.Enabled) PortProbe.EnsureFree(settings.Cluster.Hostname, settings.Cluster.Port);
                if (resuming && parse.GetValue(overwrite))
                    throw new ConfigurationException("--resume and --overwrite contradict each other: --resume continues the run in --out DIR, --overwrite replaces it");
                var chosen = OutputFolder.Checked(parse.GetValue(outDir));
                var console = Consoles.For(output);
                var (dataset, dataDir) = DataLoading.Load(settings.Data, console);
                ClientRoster.Check(settings, dataset); // before the folder: a split the data cannot give writes nothing
                var dir = chosen
                          ?? Path.GetFullPath(Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));

                using var folder = OutputFolder.Claim(dir, "fedtrust run");
                if (!resuming && folder.PrepareForNewRun(settings.Persistence, parse.GetValue(overwrite)) is { } replaced)
                    console.MarkupLineInterpolated($"[yellow]note:[/] replacing {replaced} in {dir} (--overwrite)");
                console.MarkupLineInterpolated(
                    $"[bold]fedtrust run[/]{(settings.Cluster.Enabled ? $" --cluster ({settings.Cluster.Workers} worker node(s))" : "")}: {settings.Data.Dataset.Name}, {settings.Clients} clients, {settings.Rounds} rounds, model {settings.Model}, defense {settings.Defense.Name}, attack {AttackKinds.Name(settings.Attack.Kind)}, seed {settings.Seed}, {settings.Trainers} trainer(s) x {settings.TorchThreads} torch thread(s)");
                SimulationResult result;
                using (Interruption.Announce(error, signal => Interruption.RunLine(signal, dir, File.Exists(folder.Checkpoints.Path), Interruption.Tokens(parse))))
                {
                    try
                    {
                        // On SIGINT/SIGTERM, return at once (System.CommandLine waits 2 s): the checkpoint is written atomically after each round.
                        result = await SimulationRunner.RunAsync(console, settings, config, dataset, folder, resuming, showRounds: true, cancellation)
                            .WaitAsync(cancellation);
                    }
                    catch (OperationCanceledException) when (Interruption.Signal is { } signal)
                    {
                        return Interruption.ExitCode(signal); // its line is printed (Interruption.Announce)
                    }
                }
                var file = SimulationRunner.WriteResult(folder, config, settings, dataDir, result);
                SummaryReport.Write(console, settings, result);
                console.MarkupLineInterpolated($"[green]wrote[/] {file} (run {result.RunId}; trust journal: {JournalSetup.Describe(settings.Persistence, dir)})");
                // A skewed split is worth seeing; an IID one is an even grid.
                if (settings.Partition.Kind != PartitionKind.Iid
                    && ClassesFigure.Write(Path.Combine(dir, ClassesFigure.FileName), settings.Partition.Describe(), result.Clients) is { } figure)
                    console.MarkupLineInterpolated($"[green]wrote[/] {figure}");
                if (result.Diverged is { } diverged)
                    throw new SimulationException($"{diverged.Message}; it stopped there and wrote {file}");
                if (result.Failed is { } failed)
                    throw new SimulationException($"{failed.Reason}; wrote {file}");
                // Spending the budget is the run's planned end, not a failure: its result is valid up to that round.
                if (result.Stopped is { } stopped)
                    console.MarkupLineInterpolated($"[yellow]stopped:[/] {stopped.Reason}");
                return 0;
            });
        });
        return command;
    }
}
