using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Akka.Configuration;
using ConfigurationException = FedTrust.Core.Configuration.ConfigurationException;
using Akka.Configuration.Hocon;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// Builds a run's configuration: the built-in defaults (hocon/fedtrust.conf), then a --config file, then
/// --set assignments, each layer checked for syntax (file and line), includes and substitutions, and for keys
/// the defaults do not know. Each layer is parsed on its own, so its substitutions refer to its own keys.
/// </summary>
public static class FedTrustConfig
{
    private const string ResourceName = "FedTrust.Actors.fedtrust.conf";
    private const string ClusterResourceName = "FedTrust.Actors.cluster.conf";
    private static readonly Lazy<string> DefaultsTextLazy = new(() => ReadResource(ResourceName));
    private static readonly Lazy<string> ClusterDefaultsTextLazy = new(() => ReadResource(ClusterResourceName));

    /// <summary>The text of hocon/fedtrust.conf as built into this assembly.</summary>
    public static string DefaultsText => DefaultsTextLazy.Value;

    /// <summary>The defaults alone.</summary>
    public static Config Defaults => Parse(DefaultsText, "fedtrust.conf (built-in defaults)");

    /// <summary>
    /// hocon/cluster.conf as built into this assembly: the Akka settings of a cluster run (provider, frame size,
    /// split-brain resolver, sharding), to be layered over <see cref="Defaults"/>.
    /// </summary>
    public static Config ClusterDefaults => Parse(ClusterDefaultsTextLazy.Value, "cluster.conf (built-in cluster defaults)");

    /// <summary>
    /// Parses HOCON text after a strict syntax check, reading what it includes relative to the current folder;
    /// errors name <paramref name="source"/> (or the included file) and the line.
    /// </summary>
    public static Config Parse(string text, string source) =>
        Parse(HoconIncludes.ReadText(text, source, Directory.GetCurrentDirectory()), out _);

    /// <summary>
    /// Reads a HOCON file and the files it includes (relative to its folder); a missing or unreadable file, a
    /// syntax error, an include or substitution that cannot be resolved names the file and the line.
    /// </summary>
    public static Config ParseFile(string path)
    {
        var config = Parse(HoconIncludes.ReadFile(path), out var origins);
        return KeyOrigins.Attach(config, origins);
    }

    /// <summary>
    /// Akka's parser sees the document only once its includes are spliced in and its substitutions are known to
    /// resolve without a cycle (a cycle would overflow Akka's stack and kill the process).
    /// </summary>
    private static Config Parse(HoconTree.Document document, out KeyOrigins origins)
    {
        var resolution = HoconSubstitutions.Resolve(document);
        origins = resolution.Origins;
        try
        {
            return ConfigurationFactory.ParseString(HoconIncludes.Expand(document, resolution.Rewrites));
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{document.Source}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Turns <c>path=value</c> into a one-key configuration. Numbers, booleans, lists and objects are taken as
    /// HOCON; anything else as a string, so <c>fedtrust.data.dir=/tmp/x</c> needs no quoting.
    /// </summary>
    public static Config ParseAssignment(string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new ConfigurationException($"--set '{assignment}': expected key=value, e.g. --set fedtrust.model=cnn");
        var key = assignment[..eq].Trim();
        var value = assignment[(eq + 1)..].Trim();
        if (key.Length == 0 || key.Any(c => !(char.IsLetterOrDigit(c) || c is '.' or '-' or '_')))
            throw new ConfigurationException($"--set '{assignment}': '{key}' is not a configuration key (letters, digits, '-', '_' and '.')");
        var literal = LooksLikeHoconLiteral(value) ? value : JsonSerializer.Serialize(value);
        return Parse($"{key} = {literal}", $"--set {assignment}");
    }

    private static bool LooksLikeHoconLiteral(string value) =>
        value is "true" or "false" or "null"
        || value.StartsWith('[') || value.StartsWith('{') || value.StartsWith('"')
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private const string DefenseObjectPrefix = "fedtrust.defense.";

    /// <summary>
    /// Layers user configurations over the defaults, highest priority last. Every key under <c>fedtrust</c>
    /// in a layer must exist in the defaults (or, under <c>fedtrust.defense</c>, be a key of a defense object); an
    /// unknown key names its source (for a file, the file and line that set it, which may be an included file) and the closest known key.
    /// </summary>
    public static Config Compose(IEnumerable<(Config Layer, string Source)> layers)
    {
        var defaults = Defaults;
        var result = defaults;
        foreach (var (layer, source) in layers)
        {
            foreach (var path in LeafPaths(layer.Root, "").Where(p => p == "fedtrust" || p.StartsWith("fedtrust.", StringComparison.Ordinal)))
            {
                var where = KeyOrigins.Find(layer, path)?.ToString() ?? source;
                if (path == SettingsReader.UserPresetsKey || path.StartsWith(SettingsReader.UserPresetsKey + ".", StringComparison.Ordinal))
                {
                    // A preset of the configuration's own: checked as the shipped ones, and named with the line that set it.
                    var value = layer.GetValue(path);
                    if (value.IsObject() && path == SettingsReader.UserPresetsKey) continue; // an empty block
                    if (SettingsReader.UserPresetProblem(path, value.IsString() ? value.GetString() : null) is { } problem)
                        throw new ConfigurationException($"{where}: {problem}");
                    continue;
                }
                if (path.StartsWith(DefenseObjectPrefix, StringComparison.Ordinal))
                {
                    // The defense is a preset's name by default, or an object of its own keys (DefenseSettings.ObjectKeys).
                    var key = path[DefenseObjectPrefix.Length..];
                    if (!DefenseSettings.ObjectKeys.Contains(key))
                        throw new ConfigurationException($"{where}: unknown key '{path}'; a defense object takes {string.Join(", ", DefenseSettings.ObjectKeys)}");
                    continue;
                }
                if (defaults.HasPath(path))
                {
                    CheckShape(defaults, layer, path, where);
                    continue;
                }
                var known = LeafPaths(defaults.Root, "").Where(p => p.StartsWith("fedtrust.", StringComparison.Ordinal)).ToList();
                // Fewest edits (a swap of two neighbours is one typo); among equals, a key as long as the one typed.
                var closest = known.OrderBy(k => EditDistance(k, path)).ThenBy(k => Math.Abs(k.Length - path.Length)).FirstOrDefault();
                throw new ConfigurationException($"{where}: unknown key '{path}'" + (closest is null ? "" : $"; did you mean '{closest}'?"));
            }
            result = LayerOver(layer, result);
        }
        return result;
    }

    private const string DefenseKey = "fedtrust.defense";

    /// <summary>The defense's parts that a name leaves at the object form's defaults: the structure of a defense object.</summary>
    private static readonly string[] DefenseParts = ["pre", "rule", "trust", "dp"];

    /// <summary>
    /// <paramref name="layer"/> over <paramref name="under"/>, where a defense given by name (a preset or pipeline) and a
    /// defense object of parts and parameters combine instead of one silently replacing the other: an object over a
    /// name takes the name's parts and then the object's keys (<c>defense = fltrust</c> then <c>defense.root-samples = 50</c>
    /// is fltrust with 50 root samples), and a name over an object with parameters takes the name's parts and keeps the
    /// parameters (<c>defense.root-samples = 50</c> then <c>defense = fltrust</c>, the same). Anything else merges as HOCON does.
    /// </summary>
    /// <exception cref="ConfigurationException">A name that is neither a preset nor a pipeline, with a defense object beside it.</exception>
    public static Config LayerOver(Config layer, Config under)
    {
        var over = layer.GetValue(DefenseKey);
        var below = under.HasPath(DefenseKey) ? under.GetValue(DefenseKey) : null;
        if (over is null || below is null || over.IsObject() == below.IsObject()) return layer.WithFallback(under);
        if (over.IsObject())
        {
            // The name's parts first, then the object over them.
            var parts = PartsOf(below.GetString(), HoconSettings.UserPresets(layer.WithFallback(under)));
            return layer.WithFallback(parts.Count == 0 ? under : ParseString(DefenseObject(parts)).WithFallback(under));
        }
        // A name over an object: the name's parts replace the object's, its parameters stay.
        var parameters = below.GetObject().Items.Where(kv => !DefenseParts.Contains(kv.Key) && !kv.Value.IsObject() && !kv.Value.IsArray())
            .Select(kv => (kv.Key, Value: JsonSerializer.Serialize(kv.Value.GetString()))).ToList();
        var merged = layer.WithFallback(under);
        if (parameters.Count == 0) return merged;
        return ParseString(DefenseObject([.. PartsOf(over.GetString(), HoconSettings.UserPresets(merged)), .. parameters])).WithFallback(merged);
    }

    /// <summary>A defense name's parts that differ from the object form's defaults (none for fedavg), as HOCON values.</summary>
    private static List<(string Key, string Value)> PartsOf(string name, IReadOnlyList<(string Name, string Composition)> userPresets)
    {
        if (!DefenseSettings.TryParse(name, out var defense, out var problem, userPresets))
            throw new ConfigurationException($"{DefenseKey} = '{name}': {problem}; expected {DefenseSettings.Allowed}");
        var parts = new List<(string, string)>();
        if (defense.Pre.Count > 0) parts.Add(("pre", $"[{string.Join(", ", defense.Pre.Select(FedTrust.Core.Defenses.PreAggregators.Name))}]"));
        if (defense.Rule != FedTrust.Core.Defenses.AggregationRule.Mean) parts.Add(("rule", JsonSerializer.Serialize(defense.Rule.Name)));
        if (defense.Trust) parts.Add(("trust", "on"));
        if (defense.ClientPrivacy) parts.Add(("dp", "on"));
        return parts;
    }

    private static string DefenseObject(IEnumerable<(string Key, string Value)> keys) =>
        $"{DefenseKey} {{\n{string.Concat(keys.Select(k => $" {k.Key} = {k.Value}\n"))}}}";

    private static Config ParseString(string text) => ConfigurationFactory.ParseString(text);

    /// <summary>
    /// A group of settings (such as <c>fedtrust.data</c>) cannot be replaced by one value, nor a setting by an
    /// object: either would otherwise surface later as an unrelated key reported "(missing)".
    /// </summary>
    private static void CheckShape(Config defaults, Config layer, string path, string where)
    {
        var expected = defaults.GetValue(path);
        if (expected.IsObject() == layer.GetValue(path).IsObject()) return;
        if (!expected.IsObject())
            throw new ConfigurationException($"{where}: '{path}' takes a single value, not an object");
        var keys = expected.GetObject().Items.Keys.ToList();
        throw new ConfigurationException(
            $"{where}: '{path}' is a group of settings ({string.Join(", ", keys.Take(3))}{(keys.Count > 3 ? ", …" : "")}), not a single value; " +
            $"set its keys, e.g. {path}.{keys[0]} = …");
    }

    /// <summary>
    /// The configuration with every "auto" or empty default replaced by what the run actually used
    /// (trainer and thread counts, the data folder), as recorded in result.json.
    /// The connection string is recorded without its password (it is a secret; result.json is not), and so is the cluster's TLS password.
    /// </summary>
    public static Config WithResolvedValues(Config config, FedTrust.Core.Settings.ExperimentSettings settings, string dataDir) =>
        ConfigurationFactory.ParseString(string.Create(CultureInfo.InvariantCulture,
                $"fedtrust {{\n trainers = {settings.Trainers}\n torch-threads = {settings.TorchThreads}\n data.dir = {JsonSerializer.Serialize(dataDir)}\n" +
                $" persistence.connection-string = {JsonSerializer.Serialize(Persistence.ConnectionStrings.Redact(settings.Persistence.ConnectionString))}\n}}"))
            .WithFallback(WithoutTlsPassword(config));

    /// <summary>The cluster's TLS password is a secret too: a set one is recorded as "(redacted)", an empty one as it is.</summary>
    private static Config WithoutTlsPassword(Config config) =>
        config.GetString("fedtrust.cluster.tls.password") is { Length: > 0 }
            ? ConfigurationFactory.ParseString($"fedtrust.cluster.tls.password = {JsonSerializer.Serialize(FedTrust.Core.Settings.ClusterTlsSettings.RedactedPassword)}").WithFallback(config)
            : config;

    /// <summary>The resolved <c>fedtrust</c> block as JSON (kebab-case keys, numbers and booleans typed), for result.json.</summary>
    public static JsonElement ToJson(Config config, string path = "fedtrust")
    {
        var node = ToJsonNode(config.GetValue(path));
        if (node is Dictionary<string, object?> block) block.Remove("training-dispatcher"); // derived from trainers
        return JsonSerializer.SerializeToElement(node);
    }

    private static object? ToJsonNode(HoconValue? value)
    {
        if (value is null) return null;
        if (value.IsObject())
            return value.GetObject().Items.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => ToJsonNode(kv.Value));
        if (value.IsArray()) return value.GetArray().Select(ToJsonNode).ToList();
        var s = value.GetString();
        if (s is null) return null;
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        if (s is "true" or "false" or "on" or "off" or "yes" or "no") return s is "true" or "on" or "yes";
        return s;
    }

    internal static IEnumerable<string> LeafPaths(HoconValue? value, string prefix)
    {
        if (value is null || !value.IsObject())
        {
            if (prefix.Length > 0) yield return prefix;
            yield break;
        }
        var items = value.GetObject().Items;
        if (items.Count == 0 && prefix.Length > 0) yield return prefix;
        foreach (var (key, child) in items)
        {
            var name = key.Contains('.') ? $"\"{key}\"" : key;
            foreach (var p in LeafPaths(child, prefix.Length == 0 ? name : $"{prefix}.{name}")) yield return p;
        }
    }

    /// <summary>Edits (insert, delete, replace, swap of neighbours) from a to b: the optimal string alignment distance (Damerau 1964).</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from {Assembly.GetExecutingAssembly().Location}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
