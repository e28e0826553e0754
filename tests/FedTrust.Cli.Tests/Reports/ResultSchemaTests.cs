using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FedTrust.Cli.Reports;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>
/// result.json's JSON Schema (src/FedTrust.Cli/Reports/result.schema.json): a real run's file conforms (every fedtrust
/// command the tests run has its result.json checked by <see cref="CliRunner"/>); a file missing a required key or with
/// a value of the wrong type fails, naming the key; and the grid's reader (<see cref="GridResults"/>) reads only keys
/// the schema has, with compatible types, so that renaming a key in the writer, the schema or the reader fails here.
/// </summary>
public sealed class ResultSchemaTests(ResultSchemaTests.OneRun run) : IClassFixture<ResultSchemaTests.OneRun>
{
    /// <summary>A real 1-round run of 4 clients (journal in memory: the file is what matters), made once for the class.</summary>
    public sealed class OneRun : IAsyncLifetime
    {
        private readonly TempFolder _folder = new("fedtrust-schema-");

        public string Json { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var dir = Path.Combine(_folder.Path, "run");
            var (code, _, err) = await Run("run", "--rounds", "1", "--clients", "4", "--set", "fedtrust.persistence.provider=memory", "--out", dir);
            Assert.True(code == 0, err);
            Json = await File.ReadAllTextAsync(Path.Combine(dir, "result.json"));
        }

        public Task DisposeAsync()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _folder.Dispose();
            return Task.CompletedTask;
        }
    }

    private JsonObject Document() => JsonNode.Parse(run.Json)!.AsObject();

    private static IReadOnlyList<string> Errors(JsonNode document) => ResultSchema.Errors(document.ToJsonString());

    [Fact]
    public void A_real_run_conforms()
    {
        Assert.Empty(ResultSchema.Errors(run.Json));
    }

    [Theory]
    [InlineData("peakRssMb")]
    [InlineData("configFingerprint")]
    [InlineData("diverged")]
    [InlineData("final")]
    public void A_file_missing_a_required_key_fails_naming_it(string key)
    {
        var document = Document();
        Assert.True(document.Remove(key));

        var errors = Errors(document);

        Assert.Contains(errors, e => e.Contains($"\"{key}\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_round_missing_its_loss_fails_naming_the_round_and_the_key()
    {
        var document = Document();
        document["rounds"]![0]!.AsObject().Remove("loss");

        Assert.Contains(Errors(document), e => e.StartsWith("/rounds/0:", StringComparison.Ordinal) && e.Contains("\"loss\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/peakRssMb", "\"695.8\"")]
    [InlineData("/rounds/0/seconds", "\"3\"")]
    [InlineData("/rounds/0/participants", "\"client-0\"")]
    [InlineData("/clients/0/malicious", "0")]
    [InlineData("/config/seed", "4.2")]
    [InlineData("/schema", "2")]
    public void A_value_of_the_wrong_type_fails_naming_its_key(string pointer, string value)
    {
        var document = Document();
        var parts = pointer.Trim('/').Split('/');
        JsonNode parent = document;
        foreach (var part in parts[..^1]) parent = int.TryParse(part, out var i) ? parent[i]! : parent[part]!;
        parent[parts[^1]] = JsonNode.Parse(value);

        Assert.Contains(Errors(document), e => e.StartsWith(pointer + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_the_schema_does_not_know_fails_naming_it()
    {
        var document = Document();
        document["peakRss"] = document["peakRssMb"]!.DeepClone();
        document.Remove("peakRssMb");

        var errors = Errors(document);

        Assert.Contains(errors, e => e.StartsWith("/peakRss:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"peakRssMb\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_ships_in_fedtrust_dll_as_the_file_beside_the_writer()
    {
        var source = Path.Combine(RepoPaths.Root, "src", "FedTrust.Cli", "Reports", "result.schema.json");
        Assert.Equal(File.ReadAllText(source), ResultSchema.Text);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)ResultSchema.Node["$schema"]);
    }

    [Fact]
    public void Every_key_the_grid_reads_is_in_the_schema_with_a_compatible_type()
    {
        Assert.Empty(ReaderMismatches(typeof(ResultFile)));
    }

    /// <summary>
    /// The keys fedtrust's other readers take from result.json by name: replay (Commands/RunRecords.cs), bench's child
    /// runs (Bench/ChildRun.cs), the output folder's owner (Commands/OutputFolder.cs) and the grid's reuse check
    /// (Commands/GridCommand.cs). "[]" steps into an array's items.
    /// </summary>
    [Theory]
    [InlineData("runId", "string")]
    [InlineData("config", "object")]
    [InlineData("config.trust.threshold", "number")]
    [InlineData("config.trust.initial", "number")]
    [InlineData("clients[].id", "string")]
    [InlineData("clients[].malicious", "boolean")]
    [InlineData("clients[].trainSamples", "integer")]
    [InlineData("rounds[].round", "integer")]
    [InlineData("rounds[].trust", "object")]
    [InlineData("rounds[].seconds", "number")]
    [InlineData("rounds[].participants", "array")]
    [InlineData("peakRssMb", "number")]
    public void Every_key_the_other_readers_take_by_name_is_in_the_schema(string path, string type)
    {
        var root = ResultSchema.Node;
        JsonObject node = root;
        foreach (var step in path.Split('.'))
        {
            var name = step.TrimEnd(']', '[');
            var shape = Resolve(node, root).FirstOrDefault(n => n["properties"]?[name] is not null);
            Assert.True(shape is not null, $"{path}: '{name}' is not in result.schema.json");
            node = shape!["properties"]![name]!.AsObject();
            if (step.EndsWith("[]", StringComparison.Ordinal))
                node = Resolve(node, root).First(n => n["items"] is not null)["items"]!.AsObject();
        }
        Assert.Contains(type, Types(node, root));
    }

    /// <summary>The check above is not vacuous: a reader record that reads a renamed key, or a key as the wrong type, is caught.</summary>
    [Fact]
    public void A_reader_of_a_renamed_key_or_of_a_wrong_type_is_caught()
    {
        var mismatches = ReaderMismatches(typeof(RenamedReader));

        Assert.Contains(mismatches, m => m.StartsWith("peakRss:", StringComparison.Ordinal));
        Assert.Contains(mismatches, m => m.StartsWith("rounds[].seconds:", StringComparison.Ordinal));
        Assert.Contains(mismatches, m => m.StartsWith("configFingerprint:", StringComparison.Ordinal)); // a string read as a number
        Assert.Equal(3, mismatches.Count);
    }

    private sealed record RenamedReader(int Schema, double PeakRss, double ConfigFingerprint, IReadOnlyList<RenamedRound> Rounds);

    private sealed record RenamedRound(int Round, int Seconds);

    // ---- the reader-to-schema check ----

    private static IReadOnlyList<string> ReaderMismatches(Type reader)
    {
        var schema = ResultSchema.Node;
        var problems = new List<string>();
        CheckObject(reader, schema, schema, "", problems);
        return problems;
    }

    /// <summary>Follows $ref (local, "#/$defs/…") and anyOf, giving every object schema the node may be.</summary>
    private static IEnumerable<JsonObject> Resolve(JsonObject node, JsonObject root)
    {
        if (node["$ref"] is JsonValue reference)
        {
            var path = ((string)reference!).TrimStart('#', '/').Split('/');
            JsonNode target = root;
            foreach (var part in path) target = target[part]!;
            foreach (var n in Resolve(target.AsObject(), root)) yield return n;
        }
        if (node["anyOf"] is JsonArray branches)
            foreach (var b in branches) foreach (var n in Resolve(b!.AsObject(), root)) yield return n;
        if (node["$ref"] is null && node["anyOf"] is null) yield return node;
    }

    /// <summary>The JSON types a schema node allows ("number" includes "integer").</summary>
    private static HashSet<string> Types(JsonObject node, JsonObject root)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in Resolve(node, root))
        {
            switch (n["type"])
            {
                case JsonValue one: types.Add((string)one!); break;
                case JsonArray many: foreach (var t in many) types.Add((string)t!); break;
            }
            if (n["const"] is JsonValue c) types.Add(c.GetValueKind() switch { JsonValueKind.Number => "integer", JsonValueKind.String => "string", var k => k.ToString().ToLowerInvariant() });
            if (n["enum"] is JsonArray e) foreach (var v in e) types.Add(v!.GetValueKind() == JsonValueKind.String ? "string" : "number");
        }
        return types;
    }

    private static void CheckObject(Type reader, JsonObject node, JsonObject root, string at, List<string> problems)
    {
        var shapes = Resolve(node, root).Where(n => (n["type"] as JsonValue)?.ToString() == "object").ToList();
        if (shapes.Count == 0) { problems.Add($"{(at.Length == 0 ? "/" : at)}: the reader reads an object ({reader.Name}), the schema has none here"); return; }
        var shape = shapes[0];
        var properties = shape["properties"]?.AsObject() ?? [];
        var required = (shape["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        var constructor = reader.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();

        foreach (var parameter in constructor.GetParameters())
        {
            var property = reader.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)!;
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var where = at.Length == 0 ? name : $"{at}.{name}";
            if (properties[name] is not JsonObject child)
            {
                problems.Add($"{where}: read by {reader.Name}.{property.Name}, not in result.schema.json");
                continue;
            }
            if (!parameter.HasDefaultValue && !required.Contains(name))
                problems.Add($"{where}: {reader.Name} cannot read a file without it, but the schema does not require it");
            CheckValue(property.PropertyType, child, root, where, problems);
        }
    }

    private static void CheckValue(Type type, JsonObject node, JsonObject root, string at, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(JsonElement)) return; // read by name, any shape
        var types = Types(node, root);
        string? wanted = null;
        if (type == typeof(int) || type == typeof(long)) wanted = types.Contains("integer") ? null : "integer";
        else if (type == typeof(double)) wanted = types.Contains("number") || types.Contains("integer") ? null : "number";
        else if (type == typeof(string)) wanted = types.Contains("string") ? null : "string";
        else if (type == typeof(bool)) wanted = types.Contains("boolean") ? null : "boolean";
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var array = Resolve(node, root).FirstOrDefault(n => (n["type"] as JsonValue)?.ToString() == "array");
            if (array?["items"] is JsonObject items) CheckValue(type.GetGenericArguments()[0], items, root, at + "[]", problems);
            else wanted = "array";
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            var map = Resolve(node, root).FirstOrDefault(n => n["additionalProperties"] is JsonObject);
            if (map is not null) CheckValue(type.GetGenericArguments()[1], map["additionalProperties"]!.AsObject(), root, at + "{}", problems);
            else wanted = "object with values";
        }
        else CheckObject(type, node, root, at, problems);
        if (wanted is not null) problems.Add($"{at}: the reader reads {type.Name} ({wanted}), the schema allows {string.Join("|", types.Order())}");
    }
}
