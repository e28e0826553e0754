using FedTrust.Cli.Reports;

namespace FedTrust.Cli.Tests.Reports;

public sealed class Table1Tests : IDisposable
{
    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private IReadOnlyList<CellResult> Grid()
    {
        // Written in scrambled order; the table must come out in report order.
        _grid.Cell("median-lf-0.2", "median", "label-flip", 0.2, 1, 0.5, 0.5, 0.5, 0.5);
        _grid.Cell("hybrid-lf-0.2/seed-1", "hybrid", "label-flip", 0.2, 1, 0.90, 0.80, 0.70, 0.75, trust: true);
        _grid.Cell("hybrid-lf-0.2/seed-2", "hybrid", "label-flip", 0.2, 2, 0.94, 0.86, 0.70, 0.76, trust: true);
        _grid.Cell("fedavg-sf-0.3", "fedavg", "sign-flip", 0.3, 1, 0.1, 0.2, 0.3, 0.4);
        _grid.Cell("fedavg-gm-0.3", "fedavg", "gradient-manipulation", 0.3, 1, 0.6, 0.61, 0.62, 0.63);
        _grid.Cell("krum-lf-0.1", "krum", "label-flip", 0.1, 1, 0.95, 0.94, 0.93, 0.92);
        _grid.Cell("fedavg-lf-0.3", "fedavg", "label-flip", 0.3, 1, 0.81, 0.82, 0.83, 0.84);
        _grid.Cell("fedavg-lf-0.1", "fedavg", "label-flip", 0.1, 1, 0.91, 0.92, 0.93, 0.94);
        _grid.Cell("fedavg-none", "fedavg", "none", 0, 1, 0.98, 0.97, 0.96, 0.95);
        return GridResults.Load(_grid.Root);
    }

    [Fact]
    public void Csv_has_the_exact_header_rows_in_report_order_and_mean_and_sample_std_over_seeds()
    {
        var written = Table1.Write(_grid.Path("report"), Grid());

        Assert.Equal([_grid.Path("report/table1.csv"), _grid.Path("report/table1.md")], written);
        var lines = File.ReadAllLines(written[0]);
        string[] expected =
        [
            "defense,attack,intensity,accuracy,precision,recall,f1,accuracy_std,precision_std,recall_std,f1_std,seeds",
            "fedavg,none,0.0000,0.9800,0.9700,0.9600,0.9500,0.0000,0.0000,0.0000,0.0000,1",
            "fedavg,label-flip,0.1000,0.9100,0.9200,0.9300,0.9400,0.0000,0.0000,0.0000,0.0000,1",
            "fedavg,label-flip,0.3000,0.8100,0.8200,0.8300,0.8400,0.0000,0.0000,0.0000,0.0000,1",
            "fedavg,gradient-manipulation,0.3000,0.6000,0.6100,0.6200,0.6300,0.0000,0.0000,0.0000,0.0000,1",
            "fedavg,sign-flip,0.3000,0.1000,0.2000,0.3000,0.4000,0.0000,0.0000,0.0000,0.0000,1",
            "krum,label-flip,0.1000,0.9500,0.9400,0.9300,0.9200,0.0000,0.0000,0.0000,0.0000,1",
            // accuracy 0.90, 0.94: mean 0.92, std √((0.02² + 0.02²)/1) = 0.028284; precision 0.80, 0.86: std 0.042426;
            // recall 0.70, 0.70: std 0; F1 0.75, 0.76: mean 0.755, std 0.007071.
            "hybrid,label-flip,0.2000,0.9200,0.8300,0.7000,0.7550,0.0283,0.0424,0.0000,0.0071,2",
            "median,label-flip,0.2000,0.5000,0.5000,0.5000,0.5000,0.0000,0.0000,0.0000,0.0000,1",
        ];
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Aggregate_computes_the_sample_std_at_full_precision()
    {
        var row = Assert.Single(Table1.Aggregate(Grid()), r => r.Defense == "hybrid");

        Assert.Equal(0.92, row.Accuracy.Mean, 12);
        Assert.Equal(Math.Sqrt(0.0008), row.Accuracy.Std, 12);
        Assert.Equal(Math.Sqrt(0.0018), row.Precision.Std, 12);
        Assert.Equal(0.0, row.Recall.Std, 12);
        Assert.Equal(2, row.Seeds);
    }

    [Fact]
    public void Markdown_shows_mean_plus_minus_std_and_the_paper_column_when_given()
    {
        var paper = new Dictionary<(string Defense, string Attack, double Intensity), string>
        {
            [("Hybrid", "label-flip", 0.2)] = "> 0.87",
        };

        var written = Table1.Write(_grid.Path("report"), Grid(), paper);

        var md = File.ReadAllLines(written[1]);
        Assert.Equal("| defense | attack | intensity | accuracy | precision | recall | F1 | seeds | paper's accuracy |", md[0]);
        Assert.Equal("| hybrid | label-flip | 0.2 | 0.9200 ± 0.0283 | 0.8300 ± 0.0424 | 0.7000 ± 0.0000 | 0.7550 ± 0.0071 | 2 | > 0.87 |", md[8]);
        Assert.Equal("| fedavg | none | 0.0 | 0.9800 ± 0.0000 | 0.9700 ± 0.0000 | 0.9600 ± 0.0000 | 0.9500 ± 0.0000 | 1 | — |", md[2]);
        Assert.Equal(10, md.Length);
    }

    [Fact]
    public void Markdown_without_paper_figures_has_no_paper_column()
    {
        var md = Table1.Markdown(Table1.Aggregate(Grid()));

        Assert.DoesNotContain("paper", md);
        Assert.DoesNotContain("—", md);
        Assert.Contains("| krum | label-flip | 0.1 | 0.9500 ± 0.0000 |", md);
    }

    [Fact]
    public void Report_order_puts_known_defenses_and_attacks_first_then_others_alphabetically()
    {
        string[] defenses = ["zeta", "hybrid", "alpha", "fedavg", "dp", "trust", "multi-krum", "krum"];
        string[] attacks = ["sign-flip", "gradient-manipulation", "gradient-noise", "none", "label-flip"];

        Assert.Equal(["fedavg", "krum", "multi-krum", "dp", "trust", "hybrid", "alpha", "zeta"], defenses.Order(Comparer<string>.Create(Table1.CompareDefense)));
        Assert.Equal(["none", "label-flip", "gradient-manipulation", "gradient-noise", "sign-flip"], attacks.Order(Comparer<string>.Create(Table1.CompareAttack)));
    }
}
