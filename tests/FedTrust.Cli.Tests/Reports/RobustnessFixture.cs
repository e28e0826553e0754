using System.Globalization;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>One handcrafted round of a robustness cell: who took part, who was excluded or rejected, and the backdoor's success rate.</summary>
internal sealed record FixtureRound(string[] Participants, string[] Excluded, string[] Rejected, double? Asr = null);

/// <summary>
/// Writes result.json files of a robustness grid into a <see cref="GridFixture"/>: <c>honest</c> honest clients
/// (client-0 …) then f malicious ones, <c>config.clients</c> = honest + f and <c>config.attack.malicious</c> = f, in the
/// grid's folder layout.
/// </summary>
internal static class RobustnessFixture
{
    /// <summary>The ids of a cell's clients: client-0 … client-(honest + f − 1), the last f malicious.</summary>
    public static string[] Clients(int honest, int f) => [.. Enumerable.Range(0, honest + f).Select(i => $"client-{i}")];

    /// <summary>Writes one cell at <c>defense/attack-intensity/f-f/seed-seed</c> (or <c>defense/none/seed-seed</c>) and returns its file.</summary>
    public static string Cell(
        GridFixture grid, string defense, string attack, double intensity, int f, int honest, long seed, double accuracy,
        IReadOnlyList<FixtureRound> rounds)
    {
        var folder = attack == "none"
            ? $"{defense}/none/seed-{seed}"
            : $"{defense}/{attack}-{N(intensity)}/f-{f}/seed-{seed}";
        return Cell(grid, folder, defense, attack, intensity, f, honest, seed, accuracy, rounds);
    }

    /// <summary>
    /// Writes one cell into <paramref name="folder"/> and returns its file; <paramref name="config"/>, when given, are
    /// further properties of its <c>config</c> block (JSON, e.g. <c>"dataset": "mnist"</c>).
    /// </summary>
    public static string Cell(
        GridFixture grid, string folder, string defense, string attack, double intensity, int f, int honest, long seed,
        double accuracy, IReadOnlyList<FixtureRound> rounds, string? config = null)
    {
        var roundJson = string.Join(",\n", rounds.Select((r, i) =>
        {
            var asr = r.Asr is double rate ? $", \"attackSuccessRate\": {N(rate)}" : "";
            return $$"""    { "round": {{i + 1}}, "accuracy": {{N(accuracy)}}, "precision": {{N(accuracy)}}, "recall": {{N(accuracy)}}, "f1": {{N(accuracy)}}, "loss": 0.3, "seconds": 0.1, "participants": {{Ids(r.Participants)}}, "missing": [], "excluded": {{Ids(r.Excluded)}}, "rejected": {{Ids(r.Rejected)}}, "rejections": {}, "trust": {}, "rssMb": 100.0{{asr}} }""";
        }));
        var clients = string.Join(", ", Clients(honest, f).Select((id, i) =>
            $$"""{ "id": "{{id}}", "malicious": {{(i >= honest ? "true" : "false")}}, "trainSamples": 100, "testAccuracy": 0.9 }"""));
        var json = $$"""
            { "schema": 1,
              "config": { {{(config is null ? "" : config + ",")}} "defense": "{{defense}}", "seed": {{seed}}, "rounds": {{rounds.Count}}, "clients": {{honest + f}},
                          "attack": { "type": "{{attack}}", "intensity": {{N(intensity)}}, "malicious": {{f}} } },
              "rounds": [
            {{roundJson}}
              ],
              "final": { "accuracy": {{N(accuracy)}}, "precision": {{N(accuracy)}}, "recall": {{N(accuracy)}}, "f1": {{N(accuracy)}} },
              "diverged": null,
              "clients": [ {{clients}} ],
              "detection": { "tpr": 0.0, "fpr": 0.0 },
              "peakRssMb": 100.0 }
            """;
        return grid.Raw(folder, GridFixture.Conforming(json));
    }

    private static string Ids(string[] ids) => "[" + string.Join(", ", ids.Select(id => $"\"{id}\"")) + "]";

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
