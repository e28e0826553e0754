using FedTrust.Cli.Reports;

namespace FedTrust.Cli.Tests.Reports;

public sealed class GridResultsTests : IDisposable
{
    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    [Fact]
    public void Loads_cells_at_one_and_two_levels_with_their_config_and_rounds()
    {
        _grid.Cell("krum-label-flip-0.1", "krum", "label-flip", 0.1, 7, 0.95, 0.94, 0.93, 0.92);
        _grid.Cell("hybrid-label-flip-0.2/seed-1", "Hybrid", "label-flip", 0.2, 1, 0.9, 0.8, 0.7, 0.75, trust: true);

        var cells = GridResults.Load(_grid.Root);

        Assert.Equal(2, cells.Count);
        var hybrid = Assert.Single(cells, c => c.Defense == "hybrid");
        Assert.Equal(("label-flip", 0.2, 1L), (hybrid.Attack, hybrid.Intensity, hybrid.Seed));
        Assert.Equal(_grid.Path("hybrid-label-flip-0.2/seed-1"), hybrid.Folder);
        Assert.Equal(new ResultMetrics(0.9, 0.8, 0.7, 0.75), hybrid.Result.Final);
        Assert.Equal(3, hybrid.Result.Rounds.Count);
        Assert.Equal(0.4, hybrid.Result.Rounds[1].Trust!["client-1"], 12);
        Assert.Equal(["client-1"], hybrid.Result.Rounds[2].Excluded!);
        Assert.Equal(4.5, hybrid.Result.Rounds[2].Epsilon);
        Assert.Equal(new ResultDetection(1.0, 0.0), hybrid.Result.Detection);
        Assert.True(hybrid.Result.Clients![1].Malicious);
        Assert.Null(hybrid.Result.Clients[1].TestAccuracy);

        var krum = Assert.Single(cells, c => c.Defense == "krum");
        Assert.Null(krum.Result.Rounds[0].Trust);
        Assert.Null(krum.Result.Detection);
    }

    [Fact]
    public void The_no_attack_reference_has_intensity_0()
    {
        _grid.Cell("fedavg-none", "fedavg", "none", 0.3, 1, 0.98, 0.98, 0.98, 0.98);

        var cell = Assert.Single(GridResults.Load(_grid.Root));

        Assert.Equal(("none", 0.0), (cell.Attack, cell.Intensity));
    }

    [Fact]
    public void Malformed_json_is_reported_with_the_file_name()
    {
        _grid.Cell("good", "krum", "label-flip", 0.1, 1, 0.9, 0.9, 0.9, 0.9);
        var bad = _grid.Raw("broken", """{ "schema": 1, "config": { "defense": "krum", """);

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.StartsWith(bad + ":", e.Message);
        Assert.Contains("not a valid result.json", e.Message);
    }

    [Fact]
    public void A_missing_final_block_is_reported_with_the_file_name()
    {
        var bad = _grid.Raw("no-final", """{ "schema": 1, "config": { "defense": "krum", "seed": 1, "attack": { "type": "none" } }, "rounds": [] }""");

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.StartsWith(bad + ":", e.Message);
        Assert.Contains("final", e.Message);
    }

    [Theory]
    [InlineData("""{ "schema": 1, "config": { "seed": 1, "attack": { "type": "none" } }, "rounds": [], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }""", "$.config: ", "defense")]
    [InlineData("""{ "schema": 1, "config": { "defense": "dp", "seed": 1 }, "rounds": [], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }""", "$.config: ", "attack")]
    [InlineData("""{ "schema": 1, "config": { "defense": "dp", "seed": 1, "attack": { "intensity": 0.1 } }, "rounds": [], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }""", "$.config.attack: ", "type")]
    [InlineData("""{ "schema": 2, "config": { "defense": "dp", "seed": 1, "attack": { "type": "none" } }, "rounds": [], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }""", "$.schema: ", "1")]
    [InlineData("""{ "schema": 1, "config": { "defense": "dp", "seed": 1, "attack": { "type": "none" } }, "rounds": [ { "round": 1, "accuracy": "0.9", "precision": 1, "recall": 1, "f1": 1 } ], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }""", "$.rounds[0].accuracy: ", "number")]
    public void A_file_that_departs_from_the_schema_is_refused_naming_the_file_and_the_json_path(string json, string path, string what)
    {
        var bad = _grid.Raw("cell", GridFixture.Conforming(json));

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.StartsWith($"{bad}: not a result.json of result.schema.json: {path}", e.Message);
        Assert.Contains(what, e.Message[(bad.Length + path.Length)..]);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_foreign_json_file_is_refused_naming_the_file()
    {
        var bad = _grid.Raw("cell", """{ "name": "left-over", "version": "1.0.0" }""");
        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));
        Assert.StartsWith($"{bad}: not a result.json of result.schema.json: $: ", e.Message);
    }

    [Fact]
    public void Two_files_for_the_same_cell_and_seed_are_rejected_naming_both()
    {
        var first = _grid.Cell("a", "krum", "label-flip", 0.1, 5, 0.9, 0.9, 0.9, 0.9);
        var second = _grid.Cell("b", "krum", "label-flip", 0.1, 5, 0.8, 0.8, 0.8, 0.8);

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.Contains(first, e.Message);
        Assert.Contains(second, e.Message);
    }

    [Fact]
    public void An_empty_or_missing_folder_is_an_error()
    {
        var empty = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));
        Assert.Contains("no result.json", empty.Message);

        Assert.Throws<DirectoryNotFoundException>(() => GridResults.Load(_grid.Path("nowhere")));
    }
}
