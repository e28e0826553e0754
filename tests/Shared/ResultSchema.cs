using System.Text.Json.Nodes;
using Json.Schema;

namespace FedTrust.Testing;

/// <summary>
/// result.json's JSON Schema (src/FedTrust.Cli/Reports/result.schema.json, embedded in fedtrust.dll) and a check of a
/// file against it. <see cref="CliRunner"/> checks every result.json a fedtrust command writes below its --out folder.
/// </summary>
internal static class ResultSchema
{
    /// <summary>The schema's name inside fedtrust.dll.</summary>
    public const string ResourceName = "FedTrust.Cli.result.schema.json";

    /// <summary>The schema's text, as fedtrust.dll carries it.</summary>
    public static string Text { get; } = ReadText();

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(ReadText()));

    /// <summary>The schema as a JSON tree (for tests that read its properties).</summary>
    public static JsonObject Node => JsonNode.Parse(Text)!.AsObject();

    private static string ReadText()
    {
        using var stream = typeof(FedTrust.Cli.FedTrustCli).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"fedtrust.dll carries no resource {ResourceName}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Each way <paramref name="json"/> departs from the schema, as "location: message" (empty when it conforms).</summary>
    public static IReadOnlyList<string> Errors(string json)
    {
        var results = Schema.Value.Evaluate(JsonNode.Parse(json), new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        var errors = new List<string>();
        Collect(results, errors);
        return results.IsValid ? [] : errors.Count > 0 ? errors.Distinct().ToList() : ["/: does not conform to result.schema.json"];
    }

    /// <summary>The errors of the failing nodes only: a branch that fails inside an anyOf that holds is no error.</summary>
    private static void Collect(EvaluationResults node, List<string> errors)
    {
        if (node.IsValid) return;
        var at = node.InstanceLocation.ToString() is { Length: > 0 } location ? location : "/";
        if (node.Errors is { Count: > 0 }) errors.AddRange(node.Errors.Select(e => $"{at}: {e.Value}"));
        if (node.HasDetails) foreach (var detail in node.Details) Collect(detail, errors);
    }

    /// <summary>Fails, naming the file and each departure, unless <paramref name="file"/> conforms to the schema.</summary>
    public static void AssertValid(string file)
    {
        var errors = Errors(File.ReadAllText(file));
        Assert.True(errors.Count == 0, $"{file} does not conform to result.schema.json:\n  {string.Join("\n  ", errors)}");
    }

    /// <summary>The result.json files below <paramref name="dir"/> (any depth) with their last write times.</summary>
    public static Dictionary<string, DateTime> Snapshot(string? dir) =>
        dir is null || !Directory.Exists(dir)
            ? []
            : Directory.EnumerateFiles(dir, "result.json", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

    /// <summary>Checks every result.json below <paramref name="dir"/> that is new or rewritten since <paramref name="before"/>; returns how many.</summary>
    public static int AssertWrittenValid(string? dir, Dictionary<string, DateTime> before)
    {
        var written = Snapshot(dir).Where(f => !before.TryGetValue(f.Key, out var then) || then != f.Value).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        foreach (var file in written) AssertValid(file);
        return written.Count;
    }
}
