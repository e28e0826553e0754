using System.Globalization;
using System.Text.Json.Nodes;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>A temporary grid output folder filled with handcrafted result.json files; deleted on dispose.</summary>
internal sealed class GridFixture : IDisposable
{
    public GridFixture() => Root = Directory.CreateTempSubdirectory("fedtrust-grid-").FullName;

    public string Root { get; }

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>
    /// Writes <paramref name="relative"/>/result.json for one run with the given final metrics. With
    /// <paramref name="trust"/>, three rounds carry trust scores for four clients of which client-1 is malicious.
    /// Extra properties the reader does not know are included on purpose.
    /// </summary>
    public string Cell(
        string relative, string defense, string attack, double intensity, long seed,
        double accuracy, double precision, double recall, double f1, bool trust = false)
    {
        var rounds = string.Join(",\n", Enumerable.Range(1, 3).Select(r => Round(r, accuracy, precision, recall, f1, trust)));
        var json = $$"""
            { "schema": 1,
              "config": { "defense": "{{defense}}", "seed": {{seed}}, "rounds": 3, "clients": 4, "model": "mlp", "learning-rate": 0.05,
                          "attack": { "type": "{{attack}}", "intensity": {{N(intensity)}}, "malicious": 1, "mapping": "shift" } },
              "rounds": [
            {{rounds}}
              ],
              "final": { "accuracy": {{N(accuracy)}}, "precision": {{N(precision)}}, "recall": {{N(recall)}}, "f1": {{N(f1)}} },
              "clients": [ { "id": "client-0", "malicious": false, "trainSamples": 15000, "testAccuracy": 0.97 },
                           { "id": "client-1", "malicious": true, "trainSamples": 15000, "testAccuracy": null },
                           { "id": "client-2", "malicious": false, "trainSamples": 15000, "testAccuracy": 0.96 },
                           { "id": "client-10", "malicious": false, "trainSamples": 15000, "testAccuracy": 0.95 } ],
              "peakRssMb": 512.0
              {{(trust ? ", \"detection\": { \"tpr\": 1.0, \"fpr\": 0.0 }" : "")}} }
            """;
        return Raw(relative, Conforming(json));
    }

    /// <summary>
    /// <paramref name="json"/> with every key result.schema.json requires that it leaves out added at the value a reader
    /// assumes for an absent key (the grid reads only conforming files): no participants means every client took part,
    /// attack intensity and malicious 0, the mnist data set and an iid partition, no rejections, no divergence.
    /// </summary>
    public static string Conforming(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var clients = root["clients"] as JsonArray ?? [];
        foreach (var client in clients.OfType<JsonObject>())
        {
            Default(client, "malicious", false);
            Default(client, "trainSamples", 0);
            Default(client, "testAccuracy", null);
        }
        var rounds = root["rounds"] as JsonArray ?? [];
        var config = root["config"]!.AsObject();
        Default(config, "rounds", rounds.Count);
        Default(config, "clients", clients.Count);
        Default(config, "clients-per-round", "all");
        Default(config, "dataset", "mnist");
        Default(config, "partition", new JsonObject { ["kind"] = "iid" });
        Default(config, "dp", new JsonObject());
        Default(config, "trust", new JsonObject());
        if (config["attack"] is JsonObject attack)
        {
            Default(attack, "intensity", 0);
            Default(attack, "malicious", 0);
        }
        foreach (var round in rounds.OfType<JsonObject>())
        {
            Default(round, "loss", null);
            Default(round, "seconds", 0.5);
            Default(round, "participants", new JsonArray([.. clients.Select(c => (JsonNode?)JsonValue.Create(c!["id"]!.GetValue<string>()))]));
            foreach (var list in (string[])["missing", "excluded", "rejected"]) Default(round, list, new JsonArray());
            Default(round, "rejections", new JsonObject());
            Default(round, "rssMb", 100.0);
        }
        Default(root, "configFingerprint", "0123456789abcdef");
        Default(root, "diverged", null);
        Default(root, "clients", clients);
        Default(root, "peakRssMb", 100.0);
        return root.ToJsonString();
    }

    private static void Default(JsonObject node, string key, JsonNode? value)
    {
        if (!node.ContainsKey(key)) node[key] = value;
    }

    /// <summary>Writes <paramref name="text"/> as <paramref name="relative"/>/result.json and returns the file's path.</summary>
    public string Raw(string relative, string text)
    {
        var folder = Path(relative);
        Directory.CreateDirectory(folder);
        var file = System.IO.Path.Combine(folder, "result.json");
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Leave it for the OS temp cleaner rather than fail a test on cleanup.
        }
    }

    private static string Round(int r, double accuracy, double precision, double recall, double f1, bool trust)
    {
        var scale = r / 3.0;
        var trustJson = trust
            ? $$""", "trust": { "client-0": 1.0, "client-1": {{N(1.0 - 0.3 * r)}}, "client-2": 0.95, "client-10": 0.9 }, "excluded": {{(r == 3 ? "[\"client-1\"]" : "[]")}}, "epsilon": {{N(r * 1.5)}}"""
            : "";
        return $$"""    { "round": {{r}}, "accuracy": {{N(accuracy * scale)}}, "precision": {{N(precision * scale)}}, "recall": {{N(recall * scale)}}, "f1": {{N(f1 * scale)}}, "loss": 0.2, "seconds": 0.5, "participants": ["client-0"]{{trustJson}} }""";
    }

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
