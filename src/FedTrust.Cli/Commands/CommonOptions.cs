using System.CommandLine;
using Akka.Configuration;
using FedTrust.Actors.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>The configuration options every verb that runs a simulation shares, and how they layer.</summary>
internal sealed class CommonOptions
{
    public Option<FileInfo[]> Config { get; } = new("--config", "-c")
    {
        Description = "HOCON file layered over the built-in defaults (hocon/fedtrust.conf); may be repeated, later files win",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Set { get; } = new("--set", "-s")
    {
        Description = "Override one key, e.g. --set fedtrust.model=cnn; may be repeated",
    };

    public Option<string?> Rounds { get; } = new("--rounds") { Description = "fedtrust.rounds" };
    public Option<string?> Clients { get; } = new("--clients") { Description = "fedtrust.clients" };
    public Option<string?> Model { get; } = new("--model") { Description = "fedtrust.model (mlp, cnn or cnn-large)" };
    public Option<string?> Seed { get; } = new("--seed") { Description = "fedtrust.seed" };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "fedtrust.data.dir: folder with (or for) the data set's IDX files (default ~/.cache/fedtrust/<fedtrust.dataset>)" };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Show stack traces and Akka's warnings" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Set, Rounds, Clients, Model, Seed, DataDir, Verbose }) command.Add(option);
    }

    /// <summary>
    /// What a worker node takes: its configuration and data folder, but none of the experiment's flags (rounds,
    /// clients, model, seed): the server sends the experiment.
    /// </summary>
    public void AddNodeOptionsTo(Command command)
    {
        foreach (var option in new Option[] { Config, Set, DataDir, Verbose }) command.Add(option);
    }

    /// <summary>
    /// The options that choose the experiment (--config, --set, --model, --seed), as given, for a child fedtrust run
    /// that must compose the same configuration; --rounds, --clients and --data-dir are left to the caller.
    /// </summary>
    public List<string> ExperimentOptions(ParseResult parse)
    {
        var options = new List<string>();
        foreach (var file in parse.GetValue(Config) ?? []) options.AddRange([Config.Name, file.FullName]);
        foreach (var assignment in parse.GetValue(Set) ?? []) options.AddRange([Set.Name, assignment]);
        foreach (var option in new[] { Model, Seed })
            if (parse.GetValue(option) is { } value) options.AddRange([option.Name, value]);
        return options;
    }

    /// <summary>Defaults ← each --config file ← each --set ← the flags (then <paramref name="flags"/>, key=value each).</summary>
    public Config Compose(ParseResult parse, IEnumerable<string>? flags = null)
    {
        var layers = new List<(Config, string)>();
        foreach (var file in parse.GetValue(Config) ?? [])
            layers.Add((FedTrustConfig.ParseFile(file.FullName), file.FullName));
        foreach (var assignment in parse.GetValue(Set) ?? [])
            layers.Add((FedTrustConfig.ParseAssignment(assignment), $"--set {assignment}"));

        void Flag<T>(Option<T> option, string key)
        {
            var value = parse.GetValue(option);
            if (value is not null) layers.Add((FedTrustConfig.ParseAssignment($"{key}={value}"), option.Name));
        }
        Flag(Rounds, "fedtrust.rounds");
        Flag(Clients, "fedtrust.clients");
        Flag(Model, "fedtrust.model");
        Flag(Seed, "fedtrust.seed");
        Flag(DataDir, "fedtrust.data.dir");
        foreach (var flag in flags ?? []) layers.Add((FedTrustConfig.ParseAssignment(flag), flag));
        // Without --verbose: Akka's errors only, one line each, printed once (see OneLineLogger).
        if (!parse.GetValue(Verbose))
            layers.Add((ConfigurationFactory.ParseString("akka.loglevel = ERROR\n" + Actors.Hosting.OneLineLogger.Configuration), "quiet"));
        return FedTrustConfig.Compose(layers);
    }
}
