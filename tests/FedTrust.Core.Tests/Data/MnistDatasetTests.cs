using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

public sealed class MnistDatasetTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_reads_the_four_files()
    {
        WriteFiles(trainCount: 5, trainLabelCount: 5, testCount: 3, testSide: 4);

        var data = MnistDataset.Load(_temp.Path);

        Assert.Equal(5, data.TrainImages.Count);
        Assert.Equal(5, data.TrainLabels.Length);
        Assert.Equal(3, data.TestImages.Count);
        Assert.Equal(4, data.TestImages.Rows);
        Assert.Equal([0, 1, 2], data.TestLabels);
    }

    [Fact]
    public void Load_with_count_mismatch_names_both_files_and_counts()
    {
        WriteFiles(trainCount: 5, trainLabelCount: 4, testCount: 3, testSide: 4);

        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(_temp.Path));

        Assert.Contains($"{_temp.File(MnistFiles.TrainImages)} holds 5 images", e.Message);
        Assert.Contains($"{_temp.File(MnistFiles.TrainLabels)} holds 4 labels", e.Message);
    }

    [Fact]
    public void Load_with_different_image_sizes_names_both_files()
    {
        WriteFiles(trainCount: 5, trainLabelCount: 5, testCount: 3, testSide: 3);

        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(_temp.Path));

        Assert.Contains($"{_temp.File(MnistFiles.TrainImages)} has 4x4 images", e.Message);
        Assert.Contains($"{_temp.File(MnistFiles.TestImages)} has 3x3", e.Message);
    }

    [Fact]
    public void Load_of_missing_file_says_which()
    {
        WriteFiles(trainCount: 5, trainLabelCount: 5, testCount: 3, testSide: 4);
        File.Delete(_temp.File(MnistFiles.TestLabels));

        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(_temp.Path));

        Assert.Contains(_temp.File(MnistFiles.TestLabels), e.Message);
    }

    [Fact]
    public void Constructor_rejects_mismatched_parts()
    {
        var images = new IdxImages(2, 2, 2, new byte[8]);

        var e = Assert.Throws<ArgumentException>(() => new MnistDataset(images, [1], images, [1, 2]));
        Assert.Contains("holds 2 images", e.Message);
        Assert.Contains("holds 1 labels", e.Message);

        var badLabel = Assert.Throws<ArgumentException>(() => new MnistDataset(images, [1, 2], images, [1, 12]));
        Assert.Contains("label at index 1 is 12", badLabel.Message);
    }

    [Fact]
    public void Synthetic_is_deterministic_balanced_and_seed_dependent()
    {
        var a = MnistDataset.Synthetic(1003, 200, seed: 7);
        var b = MnistDataset.Synthetic(1003, 200, seed: 7);
        var c = MnistDataset.Synthetic(1003, 200, seed: 8);

        Assert.Equal(a.TrainImages.Pixels, b.TrainImages.Pixels);
        Assert.Equal(a.TrainLabels, b.TrainLabels);
        Assert.Equal(a.TestImages.Pixels, b.TestImages.Pixels);
        Assert.NotEqual(a.TrainImages.Pixels, c.TrainImages.Pixels);
        Assert.NotEqual(a.TrainLabels, c.TrainLabels);
        Assert.Equal((28, 28, 1003, 200), (a.TrainImages.Rows, a.TrainImages.Cols, a.TrainImages.Count, a.TestImages.Count));

        int[] counts = new int[10];
        foreach (byte label in a.TrainLabels)
        {
            counts[label]++;
        }
        Assert.True(counts.Max() - counts.Min() <= 1, $"class counts {string.Join(",", counts)} are not balanced");
    }

    [Fact]
    public void Synthetic_is_learnable_by_a_tiny_model()
    {
        var data = MnistDataset.Synthetic(2000, 500, seed: 3);
        int size = data.TrainImages.PixelsPerImage;
        double[,] centroids = new double[10, size];
        int[] counts = new int[10];
        for (int i = 0; i < data.TrainImages.Count; i++)
        {
            var image = data.TrainImages.Image(i);
            int label = data.TrainLabels[i];
            counts[label]++;
            for (int p = 0; p < size; p++)
            {
                centroids[label, p] += image[p];
            }
        }

        int correct = 0;
        for (int i = 0; i < data.TestImages.Count; i++)
        {
            var image = data.TestImages.Image(i);
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int k = 0; k < 10; k++)
            {
                double distance = 0;
                for (int p = 0; p < size; p++)
                {
                    double d = image[p] - centroids[k, p] / counts[k];
                    distance += d * d;
                }
                if (distance < bestDistance)
                {
                    (best, bestDistance) = (k, distance);
                }
            }
            correct += best == data.TestLabels[i] ? 1 : 0;
        }

        Assert.True(correct > 0.9 * data.TestImages.Count, $"nearest-centroid accuracy {correct}/{data.TestImages.Count}");
    }

    private void WriteFiles(int trainCount, int trainLabelCount, int testCount, int testSide)
    {
        Idx.WriteImages(_temp.File(MnistFiles.TrainImages), 4, 4, new byte[trainCount * 16]);
        Idx.WriteLabels(_temp.File(MnistFiles.TrainLabels), [.. Enumerable.Range(0, trainLabelCount).Select(i => (byte)(i % 10))]);
        Idx.WriteImages(_temp.File(MnistFiles.TestImages), testSide, testSide, new byte[testCount * testSide * testSide]);
        Idx.WriteLabels(_temp.File(MnistFiles.TestLabels), [.. Enumerable.Range(0, testCount).Select(i => (byte)(i % 10))]);
    }
}
