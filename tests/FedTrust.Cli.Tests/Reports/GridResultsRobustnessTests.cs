using FedTrust.Cli.Reports;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>Reading a robustness grid's result.json files: the malicious count f, participants, rejections and the backdoor's success rate.</summary>
public sealed class GridResultsRobustnessTests : IDisposable
{
    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private static FixtureRound[] Rounds(int f, double? asr = null)
    {
        var all = RobustnessFixture.Clients(10, f);
        return [new(all, [], [], asr), new(all[..^1], [all[0]], [all[^1]], asr is null ? null : asr + 0.1)];
    }

    [Fact]
    public void Cells_that_differ_only_by_f_are_different_cells()
    {
        var one = RobustnessFixture.Cell(_grid, "median", "alie", 1, 1, 10, 7, 0.9, Rounds(1));
        var two = RobustnessFixture.Cell(_grid, "median", "alie", 1, 2, 10, 7, 0.8, Rounds(2));

        var cells = GridResults.Load(_grid.Root);

        Assert.Equal([(1, 11, one), (2, 12, two)], cells.Select(c => (c.Malicious, c.Clients, Path.Combine(c.Folder, GridResults.FileName))));
    }

    [Fact]
    public void Two_files_with_the_same_f_and_clients_are_still_the_same_cell_naming_both()
    {
        var first = RobustnessFixture.Cell(_grid, "a/result", "median", "alie", 1, 2, 10, 7, 0.9, Rounds(2));
        var second = RobustnessFixture.Cell(_grid, "b/result", "median", "alie", 1, 2, 10, 7, 0.8, Rounds(2));

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.StartsWith($"{second}: same cell as {first}", e.Message);
        Assert.Contains("2 malicious of 12 clients, seed 7", e.Message);
    }

    [Fact]
    public void A_round_reads_its_participants_rejections_and_attack_success_rate_which_is_optional()
    {
        RobustnessFixture.Cell(_grid, "median", "backdoor", 0.5, 1, 10, 7, 0.9, Rounds(1, asr: 0.25));
        RobustnessFixture.Cell(_grid, "median", "alie", 1, 1, 10, 7, 0.9, Rounds(1));

        var cells = GridResults.Load(_grid.Root);

        var backdoor = Assert.Single(cells, c => c.Attack == "backdoor").Result.Rounds;
        Assert.Equal([0.25, 0.35], backdoor.Select(r => r.AttackSuccessRate!.Value), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(RobustnessFixture.Clients(10, 1)[..^1], backdoor[1].Participants!);
        Assert.Equal(["client-10"], backdoor[1].Rejected!);
        Assert.Equal(["client-0"], backdoor[1].Excluded!);
        Assert.All(Assert.Single(cells, c => c.Attack == "alie").Result.Rounds, r => Assert.Null(r.AttackSuccessRate));
    }

    [Fact]
    public void A_negative_malicious_count_is_reported_with_the_file_name()
    {
        var bad = _grid.Raw("cell", GridFixture.Conforming("""{ "schema": 1, "config": { "defense": "median", "seed": 1, "attack": { "type": "alie", "malicious": -1 } }, "rounds": [], "final": { "accuracy": 1, "precision": 1, "recall": 1, "f1": 1 } }"""));

        var e = Assert.Throws<InvalidDataException>(() => GridResults.Load(_grid.Root));

        Assert.StartsWith($"{bad}: not a result.json of result.schema.json: $.config.attack.malicious: ", e.Message);
    }
}
