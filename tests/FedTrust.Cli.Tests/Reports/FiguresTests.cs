using System.Buffers.Binary;
using FedTrust.Cli.Reports;
using SkiaSharp;

namespace FedTrust.Cli.Tests.Reports;

public sealed class FiguresTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly GridFixture _grid = new();

    public void Dispose() => _grid.Dispose();

    private IReadOnlyList<CellResult> Grid()
    {
        foreach (var (defense, drop) in new[] { ("fedavg", 0.3), ("krum", 0.1), ("hybrid", 0.05) })
        {
            _grid.Cell($"{defense}-none", defense, "none", 0, 1, 0.98, 0.98, 0.98, 0.98);
            foreach (var p in new[] { 0.1, 0.2, 0.3 })
            {
                foreach (var seed in new[] { 1L, 2L })
                {
                    var acc = 0.98 - drop * p - 0.01 * seed;
                    _grid.Cell($"{defense}-lf-{p}/seed-{seed}", defense, "label-flip", p, seed, acc, acc, acc, acc, trust: defense == "hybrid" && p == 0.2);
                    _grid.Cell($"{defense}-gm-{p}/seed-{seed}", defense, "gradient-manipulation", p, seed, acc - 0.05, acc, acc, acc);
                }
            }
        }
        return GridResults.Load(_grid.Root);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} has only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static int CountPixels(string path, Func<SKColor, bool> match)
    {
        using var bitmap = SKBitmap.Decode(path);
        var count = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                if (match(bitmap.GetPixel(x, y))) count++;
            }
        }
        return count;
    }

    private static bool Near(SKColor c, byte r, byte g, byte b) => Math.Abs(c.Red - r) + Math.Abs(c.Green - g) + Math.Abs(c.Blue - b) < 40;

    [Fact]
    public void Writes_every_figure_as_an_800x500_png()
    {
        var dir = _grid.Path("report");

        var written = Figures.Write(dir, Grid(), exclusionThreshold: 0.5);

        string[] expected =
        [
            "fig-accuracy-label-flip.png", "fig-precision-label-flip.png", "fig-recall-label-flip.png", "fig-f1-label-flip.png",
            "fig-accuracy-gradient-manipulation.png", "fig-precision-gradient-manipulation.png",
            "fig-recall-gradient-manipulation.png", "fig-f1-gradient-manipulation.png",
            "fig-comparison.png",
            "trust-hybrid-label-flip-0.2-seed1.png", "trust-hybrid-label-flip-0.2-seed2.png",
        ];
        Assert.Equal(expected, written.Select(Path.GetFileName));
        Assert.All(written, path => Assert.Equal((800, 500), PngSize(path)));
        Assert.Equal(expected.Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_single_seed_trust_plot_has_no_seed_suffix_and_draws_malicious_red_and_honest_blue()
    {
        _grid.Cell("hybrid-lf-0.3", "hybrid", "label-flip", 0.3, 9, 0.9, 0.9, 0.9, 0.9, trust: true);
        _grid.Cell("fedavg-lf-0.3", "fedavg", "label-flip", 0.3, 9, 0.8, 0.8, 0.8, 0.8);

        var written = Figures.Write(_grid.Path("report"), GridResults.Load(_grid.Root));

        var trust = Assert.Single(written, p => Path.GetFileName(p).StartsWith("trust-", StringComparison.Ordinal));
        Assert.Equal("trust-hybrid-label-flip-0.3.png", Path.GetFileName(trust));
        Assert.True(CountPixels(trust, c => Near(c, 0xd6, 0x27, 0x28)) > 200, "no red (malicious) line drawn");
        Assert.True(CountPixels(trust, c => Near(c, 0x1f, 0x77, 0xb4)) > 200, "no blue (honest) lines drawn");
    }

    [Fact]
    public void Metric_figures_draw_one_coloured_series_per_defense()
    {
        var written = Figures.Write(_grid.Path("report"), Grid());

        var accuracy = Assert.Single(written, p => Path.GetFileName(p) == "fig-accuracy-label-flip.png");
        // Defenses in report order get the first three palette colours: fedavg blue, krum orange, hybrid green.
        Assert.True(CountPixels(accuracy, c => Near(c, 0x1f, 0x77, 0xb4)) > 200, "fedavg series missing");
        Assert.True(CountPixels(accuracy, c => Near(c, 0xff, 0x7f, 0x0e)) > 200, "krum series missing");
        Assert.True(CountPixels(accuracy, c => Near(c, 0x2c, 0xa0, 0x2c)) > 200, "hybrid series missing");
        Assert.Equal(0, CountPixels(accuracy, c => Near(c, 0x94, 0x67, 0xbd))); // no fourth defense
    }

    [Fact]
    public void A_grid_with_only_the_no_attack_reference_writes_no_figures()
    {
        _grid.Cell("fedavg-none", "fedavg", "none", 0, 1, 0.98, 0.98, 0.98, 0.98);

        var written = Figures.Write(_grid.Path("report"), GridResults.Load(_grid.Root));

        Assert.Empty(written);
    }
}
