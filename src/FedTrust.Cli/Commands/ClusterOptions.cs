using System.CommandLine;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>The options that place a node in a cluster (shared by <c>run --cluster</c> and <c>node</c>); each sets a <c>fedtrust.cluster</c> key.</summary>
internal sealed class ClusterOptions
{
    public Option<string?> Port { get; } = new("--port") { Description = "fedtrust.cluster.port: this node's TCP port (0 = any free port)" };
    public Option<string?> Hostname { get; } = new("--hostname") { Description = "fedtrust.cluster.hostname: the host name or IP the other nodes reach this node at" };
    public Option<string?> SeedNodes { get; } = new("--seed-nodes")
    {
        Description = "fedtrust.cluster.seed-nodes: nodes to join through, host:port,host:port (a worker gives the server's address)",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Port, Hostname, SeedNodes }) command.Add(option);
    }

    /// <summary>Verbs that run in one process refuse <c>fedtrust.mode = cluster</c> instead of quietly running locally.</summary>
    public static void RefuseCluster(FedTrust.Core.Settings.ExperimentSettings settings, string verb)
    {
        if (settings.Cluster.Enabled)
            throw new FedTrust.Core.Configuration.ConfigurationException(
                $"fedtrust.mode = cluster: `{verb}` runs in one process; a run spread over a cluster is `fedtrust run --cluster` (see scripts/README.md, \"Running on a cluster\")");
    }

    /// <summary>The flags given, as key=value assignments layered over --config and --set.</summary>
    public IEnumerable<string> Assignments(ParseResult parse)
    {
        if (parse.GetValue(Port) is { } port) yield return $"fedtrust.cluster.port={port}";
        if (parse.GetValue(Hostname) is { } host) yield return $"fedtrust.cluster.hostname=\"{host}\"";
        if (parse.GetValue(SeedNodes) is { } seeds)
            yield return "fedtrust.cluster.seed-nodes=[" +
                         string.Join(", ", seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => $"\"{s}\"")) + "]";
    }
}
