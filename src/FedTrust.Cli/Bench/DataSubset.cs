using FedTrust.Core.Data;

namespace FedTrust.Cli.Bench;

/// <summary>The data set with only its first training images (for the smaller sizes of the suite); the test set is kept whole.</summary>
internal static class DataSubset
{
    /// <summary>The first <paramref name="trainingImages"/> training images and their labels (all of them when there are fewer).</summary>
    public static MnistDataset FirstTraining(MnistDataset dataset, int trainingImages)
    {
        var train = dataset.TrainImages;
        if (trainingImages >= train.Count) return dataset;
        var pixels = train.Pixels.AsSpan(0, trainingImages * train.Rows * train.Cols).ToArray();
        return new MnistDataset(new IdxImages(trainingImages, train.Rows, train.Cols, pixels), dataset.TrainLabels[..trainingImages],
            dataset.TestImages, dataset.TestLabels) { Normalization = dataset.Normalization };
    }
}
