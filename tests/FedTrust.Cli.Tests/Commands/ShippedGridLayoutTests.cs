using System.Security.Cryptography;
using System.Text;
using FedTrust.Actors.Configuration;
using FedTrust.Cli.Grid;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The grids shipped before the population axis, the sweep's attacks and central DP keep every cell: the same cells in
/// the same order, each with the same folder and the same overrides. The expected values are the SHA-256 of those
/// cells (folder with '/', then overrides, one after the other) as the planner of commit aa50478 laid them out; the last
/// case adds a local ε sweep on a malicious and a partition axis (the sweep's cells take the honest count, at the first partition).
/// Defenses added to a grid since (SignGuard and DnC in the robustness grid) add cells; the cells planned before stay as
/// they were, and the added ones are counted.
/// </summary>
public class ShippedGridLayoutTests
{
    [Theory]
    [InlineData("fedtrust.conf", null, "", 28, "1ca7e14c0056fc322e2bfbb99563eaad426099ecc25baaae089107dff4eab103")]
    [InlineData("paper-grid.conf", null, "", 28, "1ca7e14c0056fc322e2bfbb99563eaad426099ecc25baaae089107dff4eab103")]
    [InlineData("stress-grid.conf", 2, "", 60, "ebbb850b110efbd272e1e4fbef3dc74308b6d13131e39cdc48e47eda5d33b0dc")]
    [InlineData("robustness-grid.conf", null, "", 4335, "d4e90b4519b2fc8509130ddbcca4d75835bd90c4bae2a73259aec7b3f1099202", "signguard,dnc", 222)]
    [InlineData("heterogeneity-grid.conf", null, "", 550, "6df9192aef61c8dde98ef54fbffd8f40cc7486be6a035e9484b2b24e6c0651cc")]
    [InlineData("fedtrust.conf", 2, "fedtrust.grid.defenses=[dp, hybrid, krum];fedtrust.grid.malicious=[1, 2];fedtrust.grid.honest=6;fedtrust.grid.epsilons=[1, inf];fedtrust.grid.partitions=[iid, \"dirichlet@0.5\"]", 164,
        "4df4bfc427101061be611c61bd8bb17fb0894fec2c06c2da01400585eb912bc3")]
    public void A_shipped_grid_plans_the_cells_it_planned_before(string file, int? seeds, string sets, int count, string sha256, string added = "", int addedCells = 0)
    {
        var layers = file == "fedtrust.conf"
            ? new List<(Akka.Configuration.Config, string)>()
            : [(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", file)), file)];
        layers.AddRange(sets.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => (FedTrustConfig.ParseAssignment(s), s)));
        var all = GridPlan.Cells(FedTrustConfig.Compose(layers), seeds);
        var newDefenses = added.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        bool IsNew(GridCell cell) => newDefenses.Contains(cell.Defense);
        Assert.Equal(addedCells, all.Count(IsNew));
        var cells = all.Where(c => !IsNew(c)).ToList();
        var text = string.Concat(cells.Select(c => c.Folder.Replace('\\', '/') + "\n" + c.Overrides() + "\n"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        Assert.Equal((count, sha256), (cells.Count, hash));
    }
}
