using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Tests.Architecture;

/// <summary>
/// No namespace of FedTrust.Core, FedTrust.Actors or fedtrust (FedTrust.Cli) may depend on itself through others
/// (issue 22), read from the compiled assemblies (<see cref="NamespaceGraph"/>). The 23 cycles that existed when this
/// test was written were listed here as debt and are all gone; the lists stay, empty, so that a cycle accepted on
/// purpose would have to be written down (and a listed one that no longer exists fails too).
/// </summary>
public class NamespaceCycleTests
{
    /// <summary>
    /// Per assembly, the uses between namespaces that lie on a cycle today (prefix FedTrust. left out): "A &lt;-&gt; B" when
    /// each uses the other, "A -&gt; B" for a use that closes a longer cycle.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownCycles = new()
    {
        ["FedTrust.Core"] = [],
        ["FedTrust.Actors"] = [],
        ["fedtrust"] = [],
    };

    public static TheoryData<string> Assemblies => ["FedTrust.Core", "FedTrust.Actors", "fedtrust"];

    private static NamespaceGraph Graph(string assembly) => NamespaceGraph.Read(assembly switch
    {
        "FedTrust.Core" => typeof(FedTrust.Core.Results.ClusterReport).Assembly.Location,
        "FedTrust.Actors" => typeof(FedTrust.Actors.Cluster.ClusterNotices).Assembly.Location,
        "fedtrust" => typeof(FedTrust.Cli.FedTrustCli).Assembly.Location,
        _ => throw new ArgumentException($"unknown assembly {assembly}", nameof(assembly)),
    });

    /// <summary>The edges a listed line stands for: "A <-> B" both ways, "A -> B" one way.</summary>
    private static IEnumerable<(string From, string To)> Edges(string listed)
    {
        var mutual = listed.Split(" <-> ");
        if (mutual.Length == 2) return [("FedTrust." + mutual[0], "FedTrust." + mutual[1]), ("FedTrust." + mutual[1], "FedTrust." + mutual[0])];
        var oneWay = listed.Split(" -> ");
        if (oneWay.Length == 2) return [("FedTrust." + oneWay[0], "FedTrust." + oneWay[1])];
        throw new ArgumentException($"known cycle '{listed}' is neither 'A <-> B' nor 'A -> B'");
    }

    /// <summary>Every use of one namespace by another that lies on a cycle (both ends in one strongly connected component).</summary>
    private static List<(string From, string To)> EdgesOnCycles(NamespaceGraph graph) =>
        [.. graph.Cycles().SelectMany(component => component.SelectMany(a =>
            (graph.Edges.TryGetValue(a, out var t) ? t.Keys : Enumerable.Empty<string>()).Where(component.Contains).Select(b => (a, b))))];

    private static string Short(string ns) => ns["FedTrust.".Length..];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Every_namespace_cycle_is_known_debt(string assembly)
    {
        var graph = Graph(assembly);
        var known = KnownCycles[assembly].SelectMany(Edges).ToHashSet();
        var failures = EdgesOnCycles(graph)
            .Where(e => !known.Contains(e))
            .Select(e => $"{assembly}: new namespace cycle {string.Join(" -> ", graph.Path(e.To, e.From)!.Prepend(e.From).Select(Short))}: {graph.Edges[e.From][e.To]}")
            .ToList();

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Every_listed_cycle_still_exists(string assembly)
    {
        var onCycles = EdgesOnCycles(Graph(assembly)).ToHashSet();
        var gone = KnownCycles[assembly]
            .Where(listed => !Edges(listed).All(onCycles.Contains))
            .Select(listed => $"{assembly}: {listed} is no longer (all) on a namespace cycle; update {nameof(NamespaceCycleTests)}.{nameof(KnownCycles)}")
            .ToList();

        Assert.True(gone.Count == 0, string.Join("\n", gone));
    }

    /// <summary>The list names each use once, so that deleting one line removes a use from it.</summary>
    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_known_list_is_written_once_per_pair(string assembly)
    {
        var lines = KnownCycles[assembly];
        Assert.Equal(lines.Length, lines.Distinct().Count());
        var edges = lines.SelectMany(Edges).ToList();
        Assert.True(edges.Count == edges.Distinct().Count(), $"{assembly}: a use is listed twice (as 'A <-> B' and 'A -> B')");
    }

    /// <summary>
    /// Core.Settings is the bottom layer (issue 22): every settings type is plain data, the domain (defenses, trust,
    /// privacy, attacks, learning, data) reads it, and it uses no other namespace of Core but the root.
    /// </summary>
    [Fact]
    public void Core_settings_use_no_other_namespace_of_core()
    {
        var graph = Graph("FedTrust.Core");
        Assert.True(graph.Uses("FedTrust.Core.Defenses", "FedTrust.Core.Settings")); // the graph sees Settings: the domain reads it
        var uses = graph.Edges.TryGetValue("FedTrust.Core.Settings", out var targets)
            ? targets.Where(t => t.Key.StartsWith("FedTrust.Core.", StringComparison.Ordinal)).Select(t => $"{Short(t.Key)}: {t.Value}").ToList()
            : [];
        Assert.True(uses.Count == 0, "Core.Settings uses " + string.Join("; ", uses));
    }

    [Fact]
    public void The_graph_sees_a_namespace_use_the_compiler_puts_in_a_method_body()
    {
        // fedtrust's Program.Main calls FedTrustCli.RunAsync: FedTrust.Cli's entry uses FedTrust.Cli.Commands only inside method bodies.
        var graph = Graph("fedtrust");
        Assert.True(graph.Uses("FedTrust.Cli", "FedTrust.Cli.Commands"), string.Join(", ", graph.Edges.TryGetValue("FedTrust.Cli", out var uses) ? uses.Keys : Enumerable.Empty<string>()));
    }
}
