using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using Spectre.Console;

namespace FedTrust.Cli.Commands;

/// <summary>
/// The data sets a grid's cells run on (one, or each of <c>fedtrust.grid.datasets</c>). Every one is made available and
/// checked before the first cell runs, so a missing data set stops the grid before any cell; each is read into memory
/// when a cell first needs it, and only the one in use is kept (the cells run data set by data set).
/// </summary>
internal sealed class GridDatasets
{
    private readonly IReadOnlyDictionary<string, string> _dirs;
    private (string Name, MnistDataset Data)? _loaded;

    private GridDatasets(IReadOnlyDictionary<string, string> dirs) => _dirs = dirs;

    /// <summary>Makes every data set of <paramref name="cells"/> available, in the order the cells first use them.</summary>
    public static GridDatasets Prepare(IEnumerable<ExperimentSettings> cells, IAnsiConsole console)
    {
        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var data in cells.Select(c => c.Data).DistinctBy(d => d.Dataset.Name))
            dirs[data.Dataset.Name] = DataLoading.Ensure(data, console);
        return new GridDatasets(dirs);
    }

    /// <summary>The folder holding the cell's data set (what its result.json records as <c>data.dir</c>).</summary>
    public string DirOf(ExperimentSettings cell) => _dirs[cell.Data.Dataset.Name];

    /// <summary>The cell's data set, read now unless it is the one in use.</summary>
    public MnistDataset For(ExperimentSettings cell)
    {
        var name = cell.Data.Dataset.Name;
        if (_loaded?.Name != name) _loaded = (name, DataLoading.Read(cell.Data, _dirs[name]));
        return _loaded!.Value.Data;
    }
}
