namespace FedTrust.Core.Data;

/// <summary>
/// The four raw (uncompressed) MNIST IDX files by name, with the SHA-256 of the canonical copies
/// (lower-case hex) that <see cref="DatasetSource"/> verifies against (MNIST's <see cref="DatasetCatalog"/> entry).
/// </summary>
public static class MnistFiles
{
    /// <summary>60,000 training images, 28x28.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>60,000 training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>10,000 test images, 28x28.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>10,000 test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>SHA-256 of <see cref="TrainImages"/>.</summary>
    public const string TrainImagesSha256 = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db";

    /// <summary>SHA-256 of <see cref="TrainLabels"/>.</summary>
    public const string TrainLabelsSha256 = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5";

    /// <summary>SHA-256 of <see cref="TestImages"/>.</summary>
    public const string TestImagesSha256 = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";

    /// <summary>SHA-256 of <see cref="TestLabels"/>.</summary>
    public const string TestLabelsSha256 = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2";

    /// <summary>The four file names, training files first.</summary>
    public static IReadOnlyList<string> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>Expected SHA-256 (lower-case hex) by file name.</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>
    {
        [TrainImages] = TrainImagesSha256,
        [TrainLabels] = TrainLabelsSha256,
        [TestImages] = TestImagesSha256,
        [TestLabels] = TestLabelsSha256,
    };
}
