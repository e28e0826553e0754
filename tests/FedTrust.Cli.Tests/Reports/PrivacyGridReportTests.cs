using System.Globalization;
using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;
using FedTrust.Cli.Reports;
using FedTrust.Core.Settings;
using SkiaSharp;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>
/// The privacy report of an ε sweep, on handmade result.json files: a central-DP sweep (hybrid, no attack and sign-flip,
/// 100 and 1,000 clients, ε 1 and ∞) whose files carry the <c>privacy</c> object and, for one run, <c>stopped</c>; and a
/// local-DP sweep as the stress grid runs it, whose ε is the last round's. Every expected number is worked out in the comments.
/// </summary>
public sealed class PrivacyGridReportTests : IDisposable
{
    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private static ExperimentSettings Settings => HoconSettings.Read(FedTrustConfig.Defaults);

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// A sweep cell's result.json: <paramref name="rounds"/> rounds (the last at <paramref name="accuracy"/>), 4 listed
    /// clients of which client-3 is malicious under an attack; each round excludes <paramref name="excluded"/>. With
    /// <paramref name="privacy"/>, that JSON object as <c>privacy</c>; else each round's ε is 0.5 × its number.
    /// </summary>
    private string Cell(string folder, string defense, string attack, double intensity, int clients, int perRound, long seed, double accuracy,
        string? privacy, int rounds = 3, string excluded = "[]", string? stopped = null)
    {
        var roundJson = string.Join(",\n", Enumerable.Range(1, rounds).Select(r =>
            $$"""{ "round": {{r}}, "accuracy": {{N(r == rounds ? accuracy : 0.5)}}, "precision": 0.5, "recall": 0.5, "f1": 0.5, "participants": ["client-0", "client-1", "client-2", "client-3"], "excluded": {{excluded}}{{(privacy is null ? $", \"epsilon\": {N(0.5 * r)}" : "")}} }"""));
        var json = $$"""
            { "schema": 1,
              "config": { "defense": "{{defense}}", "seed": {{seed}}, "rounds": {{rounds}}, "clients": {{clients}}, "clients-per-round": {{perRound}},
                          "dp": { "mode": "{{(privacy is null ? "local" : "central")}}", "delta": 1e-5, "epsilon": "inf" },
                          "attack": { "type": "{{attack}}", "intensity": {{N(intensity)}}, "malicious": {{(attack == "none" ? 0 : 1)}} } },
              "rounds": [ {{roundJson}} ],
              "final": { "accuracy": {{N(accuracy)}}, "precision": 0.5, "recall": 0.5, "f1": 0.5 },
              "clients": [ { "id": "client-0" }, { "id": "client-1" }, { "id": "client-2" }, { "id": "client-3", "malicious": {{(attack == "none" ? "false" : "true")}} } ]
              {{(privacy is null ? "" : $", \"privacy\": {privacy}")}}
              {{(stopped is null ? "" : $", \"stopped\": {stopped}")}} }
            """;
        return _grid.Raw(folder, GridFixture.Conforming(json));
    }

    private static string Privacy(double? epsilon, double noise) =>
        $$"""{ "mode": "central", "noiseMultiplier": {{N(noise)}}, "updateNoiseMultiplier": 0.1, "samplingRate": 0.1, "denominator": 10, "sensitivityMultiplier": 1, "delta": 1e-5, {{(epsilon is { } e ? $"\"epsilon\": {N(e)}, " : "")}}"rounds": 3, "accountant": "rdp", "clipNorm": 1.0 }""";

    /// <summary>The central sweep: per (attack, clients, ε) its accuracy, ε spent and σ; 1,000 clients at ε 1 without attack has two seeds.</summary>
    private void WriteCentralSweep()
    {
        var sweep = GridPlan.EpsilonSweepFolder;
        Cell(Path.Combine(sweep, "hybrid", "clients-100", "eps-1", "seed-42"), "hybrid", "none", 0, 100, 10, 42, 0.80, Privacy(0.99, 2.5));
        Cell(Path.Combine(sweep, "hybrid", "clients-100", "eps-inf", "seed-42"), "hybrid", "none", 0, 100, 10, 42, 0.95, Privacy(null, 0));
        // Two seeds: accuracy 0.90 and 0.94 (mean 0.92, std 0.0283), ε 0.98 and 1.0 (mean 0.99); the second stopped at its budget after 2 rounds.
        Cell(Path.Combine(sweep, "hybrid", "clients-1000", "eps-1", "seed-42"), "hybrid", "none", 0, 1000, 100, 42, 0.90, Privacy(0.98, 1.5));
        Cell(Path.Combine(sweep, "hybrid", "clients-1000", "eps-1", "seed-43"), "hybrid", "none", 0, 1000, 100, 43, 0.94, Privacy(1.0, 1.5),
            rounds: 2, stopped: """{ "round": 2, "reason": "the next round would exceed dp.max-epsilon" }""");
        Cell(Path.Combine(sweep, "hybrid", "clients-1000", "eps-inf", "seed-42"), "hybrid", "none", 0, 1000, 100, 42, 0.97, Privacy(null, 0));
        // Under sign-flip the hybrid excludes client-3 (malicious) and client-0 (honest) every round: TPR 1, FPR 1/3.
        Cell(Path.Combine(sweep, "hybrid", "sign-flip-1", "clients-100", "eps-1", "seed-42"), "hybrid", "sign-flip", 1, 100, 10, 42, 0.70, Privacy(0.97, 2.5),
            excluded: """["client-3", "client-0"]""");
        Cell(Path.Combine(sweep, "hybrid", "sign-flip-1", "clients-100", "eps-inf", "seed-42"), "hybrid", "sign-flip", 1, 100, 10, 42, 0.93, Privacy(null, 0),
            excluded: """["client-3", "client-0"]""");
    }

    [Fact]
    public void A_central_sweep_gets_one_row_per_defense_attack_clients_and_epsilon_and_a_figure_per_attack()
    {
        WriteCentralSweep();

        var written = GridReport.Write(_grid.Root, Settings);

        Assert.Equal([_grid.Path("privacy.csv"), _grid.Path("privacy.md"), _grid.Path("privacy-accuracy-hybrid.png"), _grid.Path("privacy-accuracy-hybrid-sign-flip-1.png")], written);
        // The ε sweep's per-round table is for local DP: a central sweep has none.
        Assert.False(File.Exists(_grid.Path("epsilon-sweep.csv")));
        Assert.Equal(
            [
                PrivacyGridReport.Header,
                "hybrid,none,0,100,10,total,1,0.8000,0.0000,0.9900,1E-05,2.5000,3,0,,,1",
                "hybrid,none,0,100,10,total,inf,0.9500,0.0000,inf,1E-05,0.0000,3,0,,,1",
                "hybrid,none,0,1000,100,total,1,0.9200,0.0283,0.9900,1E-05,1.5000,2.5,1,,,2",
                "hybrid,none,0,1000,100,total,inf,0.9700,0.0000,inf,1E-05,0.0000,3,0,,,1",
                "hybrid,sign-flip,1,100,10,total,1,0.7000,0.0000,0.9700,1E-05,2.5000,3,0,1.0000,0.3333,1",
                "hybrid,sign-flip,1,100,10,total,inf,0.9300,0.0000,inf,1E-05,0.0000,3,0,1.0000,0.3333,1",
            ],
            File.ReadAllLines(_grid.Path("privacy.csv")));
        var md = File.ReadAllText(_grid.Path("privacy.md"));
        Assert.Contains("*ε target*: the total ε over the planned rounds", md);
        Assert.Contains("| hybrid | none | 1000 | 100 | 1 | 0.920 ± 0.028 | 0.99 | 1.5 | 2.5 (1 stopped) | — | — | 2 |", md);
        Assert.Contains("| hybrid | sign-flip 1 | 100 | 10 | ∞ | 0.930 ± 0.000 | ∞ | 0 | 3 | 1.000 | 0.333 | 1 |", md);
        foreach (var figure in new[] { "privacy-accuracy-hybrid.png", "privacy-accuracy-hybrid-sign-flip-1.png" })
        {
            Assert.True(new FileInfo(_grid.Path(figure)).Length > 0, figure);
            using var image = SKBitmap.Decode(_grid.Path(figure));
            Assert.Equal((Figures.Width, Figures.Height), (image.Width, image.Height));
        }
    }

    [Fact]
    public void A_local_sweep_keeps_its_epsilon_sweep_table_and_its_privacy_rows_take_the_last_rounds_epsilon()
    {
        var sweep = GridPlan.EpsilonSweepFolder;
        // No privacy object: each round's ε is 0.5 × its number, so 1.5 after 3 rounds; at ε = ∞ the same file shape.
        Cell(Path.Combine(sweep, "dp", "eps-1", "seed-42"), "dp", "none", 0, 10, 10, 42, 0.60, privacy: null);
        Cell(Path.Combine(sweep, "dp", "eps-1000", "seed-42"), "dp", "none", 0, 10, 10, 42, 0.90, privacy: null);

        var written = GridReport.Write(_grid.Root, Settings);

        Assert.Equal([_grid.Path("epsilon-sweep.csv"), _grid.Path("privacy.csv"), _grid.Path("privacy.md"), _grid.Path("privacy-accuracy-dp.png")], written);
        Assert.Equal(
            ["defense,epsilon_per_round,accuracy,precision,recall,f1,epsilon_total,seeds", "dp,1,0.6000,0.5000,0.5000,0.5000,1.50,1", "dp,1000,0.9000,0.5000,0.5000,0.5000,1.50,1"],
            File.ReadAllLines(_grid.Path("epsilon-sweep.csv")));
        Assert.Equal(
            [PrivacyGridReport.Header, "dp,none,0,10,10,per-round,1,0.6000,0.0000,1.5000,1E-05,,3,0,,,1", "dp,none,0,10,10,per-round,1000,0.9000,0.0000,1.5000,1E-05,,3,0,,,1"],
            File.ReadAllLines(_grid.Path("privacy.csv")));
        Assert.Contains("*ε target*: the per-round ε of each client's noise (local DP", File.ReadAllText(_grid.Path("privacy.md")));
    }

    [Fact]
    public void A_local_sweep_under_an_attack_or_at_several_client_counts_has_no_epsilon_sweep_table()
    {
        var sweep = GridPlan.EpsilonSweepFolder;
        Cell(Path.Combine(sweep, "dp", "eps-1", "seed-42"), "dp", "none", 0, 10, 10, 42, 0.60, privacy: null);
        Cell(Path.Combine(sweep, "dp", "sign-flip-1", "eps-1", "seed-42"), "dp", "sign-flip", 1, 10, 10, 42, 0.40, privacy: null);

        var written = GridReport.Write(_grid.Root, Settings);

        // epsilon-sweep.csv groups by defense and ε alone: it would average the attacked cell with the clean one.
        Assert.DoesNotContain(_grid.Path("epsilon-sweep.csv"), written);
        Assert.False(File.Exists(_grid.Path("epsilon-sweep.csv")));
        Assert.Equal(3, File.ReadAllLines(_grid.Path("privacy.csv")).Length);
        Assert.True(new FileInfo(_grid.Path("privacy-accuracy-dp-sign-flip-1.png")).Length > 0);
    }

    [Fact]
    public void Run_privacy_reads_values_by_name_and_tolerates_their_absence_and_odd_shapes()
    {
        // The grid refuses such a file (GridResults.Read checks it against result.schema.json first); RunPrivacy itself still
        // reads what it can of a ResultFile read without that check.
        var oddFile = Cell("odd", "dp", "none", 0, 10, 10, 42, 0.5,
            """{ "mode": "central", "noiseMultiplier": "1.25", "epsilon": "inf", "accountant": { "kind": "rdp" }, "delta": 1e-6 }""",
            stopped: """{ "round": 3, "reason": "budget" }""");
        Assert.StartsWith($"{oddFile}: not a result.json of result.schema.json: $.privacy", Assert.Throws<InvalidDataException>(() => GridResults.Read(oddFile)).Message);
        Assert.Equal(new RunPrivacy(true, double.PositiveInfinity, 1.25, 1e-6, 3), RunPrivacy.Of(Unchecked(oddFile)));

        var old = GridResults.Read(Cell("old", "dp", "none", 0, 10, 10, 42, 0.5, privacy: null, rounds: 4));
        // No privacy object and config.dp.mode local: the last round's ε (0.5 × 4), config.dp.delta, no σ, not stopped.
        Assert.Equal(new RunPrivacy(false, 2.0, null, 1e-5, null), RunPrivacy.Of(old.Result));

        var bare = Unchecked(_grid.Raw("bare", """
            { "schema": 1, "config": { "defense": "fedavg", "seed": 1, "attack": { "type": "none" } },
              "rounds": [ { "round": 1, "accuracy": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5 } ],
              "final": { "accuracy": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5 }, "privacy": null, "stopped": null }
            """));
        Assert.Equal(new RunPrivacy(false, double.PositiveInfinity, null, null, null), RunPrivacy.Of(bare));
        Assert.Equal(0, bare.Config.PerRound);
    }

    /// <summary>A result.json read as <see cref="ResultFile"/> without the schema's check.</summary>
    private static ResultFile Unchecked(string file) =>
        System.Text.Json.JsonSerializer.Deserialize<ResultFile>(File.ReadAllText(file), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
}
