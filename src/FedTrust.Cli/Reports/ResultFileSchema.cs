using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace FedTrust.Cli.Reports;

/// <summary>
/// result.json's JSON Schema (result.schema.json beside this file, embedded in fedtrust.dll): what the grid checks a
/// result.json against before it reads it (<see cref="GridResults.Read"/>, and a finished cell it would reuse), so that a
/// malformed or foreign file is refused in one line naming the file and the JSON path that fails, rather than surfacing
/// as a deserializer's exception or a value silently missing from a report.
/// </summary>
internal static class ResultFileSchema
{
    /// <summary>The schema's name inside fedtrust.dll.</summary>
    public const string ResourceName = "FedTrust.Cli.result.schema.json";

    /// <summary>What a reader of result.json accepts beyond strict JSON (as <see cref="GridResults"/> reads it).</summary>
    public static readonly JsonDocumentOptions Reading = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(ResultFileSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"fedtrust.dll carries no resource {ResourceName}");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    /// <summary>
    /// The first way <paramref name="document"/> departs from the schema, as "JSON path: what is wrong"
    /// (<c>$.rounds[2]: Required properties ["loss"] are not present</c>), or null when it conforms.
    /// </summary>
    public static string? Problem(JsonNode? document)
    {
        var results = Schema.Value.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        return results.IsValid ? null : FirstError(results) ?? "$: does not conform to result.schema.json";
    }

    /// <summary>
    /// <paramref name="file"/>'s content parsed and checked against the schema.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON, or departs from the schema; one line, starting with its path.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static JsonNode Checked(string file)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(file), documentOptions: Reading);
        }
        catch (JsonException e)
        {
            // JsonException's message repeats the path and a 0-based line number at its end; say them once, 1-based.
            var detail = e.Message;
            var cut = detail.IndexOf(" LineNumber: ", StringComparison.Ordinal);
            if (cut < 0) cut = detail.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut >= 0) detail = detail[..cut].TrimEnd(' ', '|');
            var where = e.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new InvalidDataException($"{file}: not a valid {GridResults.FileName}{where}: {detail}", e);
        }
        if (Problem(document) is { } problem)
            throw new InvalidDataException($"{file}: not a {GridResults.FileName} of result.schema.json: {problem}");
        return document!;
    }

    /// <summary>
    /// The first error of a failing node, its own before its children's (a foreign file's missing keys before its unknown
    /// ones); a branch that fails inside an anyOf that holds is valid and has none.
    /// </summary>
    private static string? FirstError(EvaluationResults node)
    {
        if (node.IsValid) return null;
        if (node.Errors is { Count: > 0 } errors) return $"{JsonPath(node.InstanceLocation.ToString())}: {errors.First().Value}";
        if (node.HasDetails)
            foreach (var detail in node.Details)
                if (FirstError(detail) is { } deeper) return deeper;
        return null;
    }

    /// <summary>A JSON Pointer ("/rounds/2/loss") as a JSON path ("$.rounds[2].loss"; a key with other characters as ['key']).</summary>
    internal static string JsonPath(string pointer)
    {
        var path = new StringBuilder("$");
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (segment.All(char.IsAsciiDigit)) path.Append('[').Append(segment).Append(']');
            else if (segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) path.Append('.').Append(segment);
            else path.Append("['").Append(segment.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
        }
        return path.ToString();
    }
}
