using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// What must be equal for two runs to be the same experiment: the resolved <c>fedtrust</c> block without the keys
/// that say where things are (data, persistence), how a grid is laid out, how many threads share the work, or on which nodes the clients run.
/// A checkpoint is continued, and a grid cell's result.json reused, only under an equal fingerprint; when they
/// differ, <see cref="Differences(JsonElement, JsonElement)"/> names the keys.
/// </summary>
public static class ConfigFingerprint
{
    /// <summary>Top-level keys of the <c>fedtrust</c> block that do not change what a run computes.</summary>
    public static readonly IReadOnlyList<string> Ignored = ["data", "persistence", "grid", "training-dispatcher", "trainers", "mode", "cluster"];

    /// <summary>
    /// Keys (dotted below the top level, e.g. <c>attack.knowledge</c>) added after runs were first recorded, with (as JSON)
    /// the value under which a run computes what it computed before the key existed. At that value a key is left out, so
    /// earlier checkpoints and grid cells still match; any other value counts.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AddedWithNeutralValue = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["clients-per-round"] = "\"all\"",
        ["sampling"] = "\"fixed\"",
        ["data-shares"] = "\"auto\"",
        ["dataset"] = "\"mnist\"",
        ["attack.placement"] = "\"seeded\"",
        ["attack.knowledge"] = "\"colluding\"",
        ["attack.z"] = "\"auto\"",
        ["attack.perturbation"] = "\"std\"",
        ["attack.boost"] = "1",
        ["trust.rule"] = "\"paper\"",
        ["trust.cosine-tolerance"] = "3",
        ["partition.kind"] = "\"iid\"",
        ["partition.alpha"] = "0.5",
        ["partition.shards-per-client"] = "2",
        ["partition.sizes"] = "\"dirichlet\"",
        ["partition.sigma"] = "1",
        ["partition.min-samples"] = "10",
        ["dp.mode"] = "\"local\"",
        ["dp.target-epsilon"] = "\"inf\"",
        ["dp.noise-multiplier"] = "\"auto\"",
        ["dp.clip-at"] = "\"client\"",
        ["dp.max-epsilon"] = "\"inf\"",
        ["dp.adaptive-clip.enabled"] = "false",
        ["dp.adaptive-clip.target-quantile"] = "0.5",
        ["dp.adaptive-clip.learning-rate"] = "0.2",
        ["dp.adaptive-clip.count-noise"] = "\"auto\"",
        ["krum.short-rounds"] = "\"shrink-f\"",
    };

    /// <summary>The comparable part of a configuration as canonical JSON (the form checkpoints store).</summary>
    public static string Of(Config config) => Of(FedTrustConfig.ToJson(config));

    /// <summary>The comparable part of a <c>fedtrust</c> block given as JSON (e.g. result.json's <c>config</c>).</summary>
    public static string Of(JsonElement block) => JsonSerializer.Serialize(Comparable(block));

    /// <summary>A short hash of <see cref="Of(JsonElement)"/>, written to result.json as <c>configFingerprint</c>.</summary>
    public static string Hash(JsonElement block) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Flat(block)))).Substring(0, 16);

    /// <summary>The keys whose values differ, as <c>fedtrust.key: old → new</c>, in key order.</summary>
    public static IReadOnlyList<string> Differences(JsonElement before, JsonElement after)
    {
        var a = Leaves(Comparable(before), numbersAsNumbers: true);
        var b = Leaves(Comparable(after), numbersAsNumbers: true);
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"fedtrust.{k}: {a.GetValueOrDefault(k) ?? "(absent)"} → {b.GetValueOrDefault(k) ?? "(absent)"}")
            .ToList();
    }

    /// <summary>Differences between two stored fingerprints (<see cref="Of(Config)"/>); unreadable ones compare whole.</summary>
    public static IReadOnlyList<string> Differences(string before, string after)
    {
        try
        {
            using var a = JsonDocument.Parse(before);
            using var b = JsonDocument.Parse(after);
            return Differences(a.RootElement, b.RootElement);
        }
        catch (JsonException)
        {
            return before == after ? [] : ["(the stored configuration could not be read)"];
        }
    }

    /// <summary>One line listing at most <paramref name="max"/> differences.</summary>
    public static string Describe(IReadOnlyList<string> differences, int max = 4) =>
        string.Join("; ", differences.Take(max)) + (differences.Count > max ? $"; and {differences.Count - max} more" : "");

    /// <summary>The block's top-level values, by key in ordinal order, without the <see cref="Ignored"/> keys and the added keys at their neutral value.</summary>
    private static SortedDictionary<string, JsonElement> Comparable(JsonElement block)
    {
        var keys = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        if (block.ValueKind != JsonValueKind.Object) return keys;
        foreach (var property in block.EnumerateObject())
            if (property.Name == UserPresets)
            {
                if (UsedPreset(block, property.Value) is { } used) keys[property.Name] = used;
            }
            else if (!Ignored.Contains(property.Name) && !IsNeutral(property.Name, property.Value)
                && WithoutNeutralKeys(property.Name, property.Value) is var value && !IsEmptiedAddedBlock(property.Name, value))
                keys[property.Name] = value;
        return keys;
    }

    /// <summary>The block of the configuration's own presets (<c>fedtrust.defense-presets</c>).</summary>
    private const string UserPresets = "defense-presets";

    /// <summary>
    /// Of the configuration's own presets, the one <c>fedtrust.defense</c> names, as <c>{ name: "parts" }</c>, or null: the
    /// fingerprint covers the composition the run's preset stands for (a resumed run cannot change what it meant), and
    /// presets the run does not use (another cell's of a grid) leave it alone, as does a configuration that defines none.
    /// </summary>
    private static JsonElement? UsedPreset(JsonElement block, JsonElement presets)
    {
        if (presets.ValueKind != JsonValueKind.Object || !block.TryGetProperty("defense", out var defense) || defense.ValueKind != JsonValueKind.String
            || !presets.TryGetProperty(defense.GetString()!, out var composition))
            return null;
        return JsonSerializer.SerializeToElement(new OrderedObject([new(defense.GetString()!, composition)]));
    }

    /// <summary>A block that only added keys make up (e.g. <c>partition</c>), with all of them at their neutral value: as if absent.</summary>
    private static bool IsEmptiedAddedBlock(string path, JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()
        && AddedWithNeutralValue.Keys.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal));

    private static bool IsNeutral(string path, JsonElement value) =>
        AddedWithNeutralValue.TryGetValue(path, out var neutral)
        && (JsonSerializer.Serialize(value) == neutral || (value.ValueKind == JsonValueKind.Number && Canonical(value) == neutral));

    /// <summary>An object without its added keys that hold their neutral value (in its own key order); anything else as it is.</summary>
    private static JsonElement WithoutNeutralKeys(string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object || !AddedWithNeutralValue.Keys.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal)))
            return value;
        var kept = new List<KeyValuePair<string, JsonElement>>();
        foreach (var child in value.EnumerateObject())
        {
            var childPath = $"{path}.{child.Name}";
            if (IsNeutral(childPath, child.Value)) continue;
            var stripped = WithoutNeutralKeys(childPath, child.Value);
            // A nested block of added keys all at their neutral values (e.g. dp.adaptive-clip) is as if absent too.
            if (!IsEmptiedAddedBlock(childPath, stripped)) kept.Add(new(child.Name, stripped));
        }
        return JsonSerializer.SerializeToElement(new OrderedObject(kept));
    }

    /// <summary>Properties serialized in the given order (a dictionary does not promise one).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(OrderedObjectConverter))]
    private sealed record OrderedObject(IReadOnlyList<KeyValuePair<string, JsonElement>> Properties);

    private sealed class OrderedObjectConverter : System.Text.Json.Serialization.JsonConverter<OrderedObject>
    {
        public override OrderedObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, OrderedObject value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (name, element) in value.Properties)
            {
                writer.WritePropertyName(name);
                element.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
    }

    private static string Flat(JsonElement block) =>
        string.Join('\n', Leaves(Comparable(block)).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>
    /// Every leaf as dotted key → compact JSON text (arrays count as leaves); with <paramref name="numbersAsNumbers"/> each
    /// number in its shortest round-trip form, so that 1e-05, 1E-05 and 0.00001 (a result.json another tool rewrote) are one value.
    /// </summary>
    private static SortedDictionary<string, string> Leaves(SortedDictionary<string, JsonElement> top, bool numbersAsNumbers = false)
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in top) Collect(value, key, leaves, numbersAsNumbers);
        return leaves;
    }

    private static void Collect(JsonElement value, string path, SortedDictionary<string, string> leaves, bool numbersAsNumbers)
    {
        if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
        {
            foreach (var child in value.EnumerateObject()) Collect(child.Value, $"{path}.{child.Name}", leaves, numbersAsNumbers);
            return;
        }
        leaves[path] = numbersAsNumbers ? Canonical(value) : JsonSerializer.Serialize(value);
    }

    /// <summary>Compact JSON with every number as a double in its shortest round-trip form (a whole number without a fraction).</summary>
    private static string Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture)
            : value.GetDouble() is var d && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.Array => $"[{string.Join(',', value.EnumerateArray().Select(Canonical))}]",
        _ => JsonSerializer.Serialize(value),
    };
}
