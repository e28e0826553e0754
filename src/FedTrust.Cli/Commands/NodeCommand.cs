using System.CommandLine;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Cli.Reports;
using Spectre.Console;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// <c>fedtrust node --role worker</c>: a worker node of a cluster run. It joins the cluster through the seed nodes (the
/// server's address), waits for <c>fedtrust run --cluster</c> to send the run's settings, reads the data set from its
/// own disk, hosts the clients sharding places on it, and exits 0 when the server ends the run (1 when the server
/// goes away first or the node cannot join).
/// </summary>
internal static class NodeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var cluster = new ClusterOptions();
        var role = new Option<string>("--role")
        {
            Description = "The node's role: worker (the server is `fedtrust run --cluster`)",
            Required = true,
        };
        var command = new Command("node", "Start a worker node of a cluster run: join the server, host clients, exit when the run ends");
        command.Add(role);
        cluster.AddTo(command);
        common.AddNodeOptionsTo(command);
        command.SetAction((parse, cancellation) => Guard.RunAsync(error, parse.GetValue(common.Verbose), async () =>
        {
            if (parse.GetValue(role) is { } named && named != ClientSharding.WorkerRole)
                throw new ConfigurationException($"--role {named}: `fedtrust node` starts worker nodes (--role worker); the server node is `fedtrust run --cluster`");
            var config = common.Compose(parse, ["fedtrust.mode=cluster", .. cluster.Assignments(parse)]);
            var settings = HoconSettings.Read(config);
            var console = Consoles.For(output);
            var outcome = await ClusterHost.RunWorkerAsync(settings, config, run =>
            {
                var (dataset, _) = DataLoading.Load(run.Data, console);
                return SimulationHost.WorkerRuntime(run, dataset);
            }, line => console.MarkupLineInterpolated($"[grey]node:[/] {line}"), cancellation);
            if (!outcome.Completed) throw new SimulationException(outcome.Message);
            console.MarkupLineInterpolated($"[green]done:[/] {outcome.Message}; left the cluster");
            return 0;
        }));
        return command;
    }
}
