namespace FedTrust.Core.Data;

/// <summary>
/// An MNIST-shaped data set in memory (MNIST or Fashion-MNIST, see <see cref="DatasetCatalog"/>): training and test
/// images with their labels (0..9). Construction checks that each image set has one label per image and that
/// training and test images have the same size.
/// </summary>
public sealed class MnistDataset
{
    private const int Side = 28;
    private const int Classes = 10;
    private const long SyntheticStream = 0x53594E54; // "SYNT"

    /// <summary>Builds a dataset from parts, e.g. tiny synthetic ones in tests; throws ArgumentException on inconsistent parts.</summary>
    public MnistDataset(IdxImages trainImages, byte[] trainLabels, IdxImages testImages, byte[] testLabels)
    {
        ArgumentNullException.ThrowIfNull(trainImages);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(testImages);
        ArgumentNullException.ThrowIfNull(testLabels);
        var problem = FindProblem(trainImages, trainLabels, testImages, testLabels,
            ["the training images", "the training labels", "the test images", "the test labels"]);
        if (problem is not null)
        {
            throw new ArgumentException(problem.Value.Message);
        }
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
    }

    /// <summary>How the model sees its pixels: MNIST's mean and std unless the data set is another (<see cref="DatasetSpec.Normalization"/>).</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.Mnist;

    /// <summary>Training images.</summary>
    public IdxImages TrainImages { get; }

    /// <summary>One label (0..9) per training image.</summary>
    public byte[] TrainLabels { get; }

    /// <summary>Test images.</summary>
    public IdxImages TestImages { get; }

    /// <summary>One label (0..9) per test image.</summary>
    public byte[] TestLabels { get; }

    /// <summary>
    /// Reads the four raw IDX files named in <see cref="MnistFiles"/> from <paramref name="dir"/>;
    /// throws <see cref="DataFormatException"/> naming the files if they are malformed or disagree.
    /// </summary>
    public static MnistDataset Load(string dir) => Load(dir, PixelNormalization.Mnist);

    /// <summary>The data set in <paramref name="dir"/> (as <see cref="Load(string)"/>), normalised for the model with <paramref name="normalization"/>.</summary>
    public static MnistDataset Load(string dir, PixelNormalization normalization)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        string[] paths = [.. MnistFiles.All.Select(name => Path.Combine(dir, name))];
        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"IDX file {path} does not exist.", path);
            }
        }
        var trainImages = Idx.ReadImages(paths[0]);
        var trainLabels = Idx.ReadLabels(paths[1]);
        var testImages = Idx.ReadImages(paths[2]);
        var testLabels = Idx.ReadLabels(paths[3]);
        var problem = FindProblem(trainImages, trainLabels, testImages, testLabels, paths);
        if (problem is not null)
        {
            throw new DataFormatException(problem.Value.Path, problem.Value.Message);
        }
        return new MnistDataset(trainImages, trainLabels, testImages, testLabels) { Normalization = normalization };
    }

    /// <summary>
    /// A deterministic, easily learnable stand-in for MNIST: 28x28 images where class c is a bright
    /// 4x10 block at its own place on a 5x2 grid, jittered by a pixel, over a noisy background.
    /// A linear model learns it to well above 90% accuracy in a few epochs. Labels are balanced
    /// (class counts differ by at most one) and in seeded random order.
    /// </summary>
    public static MnistDataset Synthetic(int trainCount, int testCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(testCount);
        var (trainImages, trainLabels) = SyntheticPart(trainCount, DeterministicRandom.For(seed, SyntheticStream, 0));
        var (testImages, testLabels) = SyntheticPart(testCount, DeterministicRandom.For(seed, SyntheticStream, 1));
        return new MnistDataset(trainImages, trainLabels, testImages, testLabels);
    }

    private static (IdxImages Images, byte[] Labels) SyntheticPart(int count, DeterministicRandom rng)
    {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % Classes);
        }
        rng.Shuffle(labels.AsSpan());

        const int blockWidth = 4, blockHeight = 10;
        byte[] pixels = new byte[count * Side * Side];
        for (int i = 0; i < count; i++)
        {
            Span<byte> image = pixels.AsSpan(i * Side * Side, Side * Side);
            for (int p = 0; p < image.Length; p++)
            {
                image[p] = (byte)rng.NextInt(48);
            }
            int c = labels[i];
            int left = 2 + 5 * (c % 5) + rng.NextInt(3) - 1;
            int top = 2 + 13 * (c / 5) + rng.NextInt(3) - 1;
            for (int y = top; y < top + blockHeight; y++)
            {
                for (int x = left; x < left + blockWidth; x++)
                {
                    image[y * Side + x] = (byte)(160 + rng.NextInt(96));
                }
            }
        }
        return (new IdxImages(count, Side, Side, pixels), labels);
    }

    private static (string Path, string Message)? FindProblem(
        IdxImages trainImages, byte[] trainLabels, IdxImages testImages, byte[] testLabels, IReadOnlyList<string> names)
    {
        if (trainImages.Count != trainLabels.Length)
        {
            return (names[1], $"{names[0]} holds {trainImages.Count} images but {names[1]} holds {trainLabels.Length} labels; the counts must match");
        }
        if (testImages.Count != testLabels.Length)
        {
            return (names[3], $"{names[2]} holds {testImages.Count} images but {names[3]} holds {testLabels.Length} labels; the counts must match");
        }
        if (trainImages.Rows != testImages.Rows || trainImages.Cols != testImages.Cols)
        {
            return (names[2], $"{names[0]} has {trainImages.Rows}x{trainImages.Cols} images but {names[2]} has {testImages.Rows}x{testImages.Cols}; they must be the same size");
        }
        foreach (var (labels, name) in new[] { (trainLabels, names[1]), (testLabels, names[3]) })
        {
            int bad = labels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)(Classes - 1));
            if (bad >= 0)
            {
                return (name, $"{name}: label at index {bad} is {labels[bad]}, expected 0..{Classes - 1}");
            }
        }
        return null;
    }
}
