using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Cli;
using FedTrust.Core.Data;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary><c>fedtrust.dataset</c>: read, refused when unknown, part of the fingerprint, and sent to worker nodes.</summary>
public class DatasetSettingsTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void Mnist_is_the_default_and_fashion_mnist_can_be_chosen()
    {
        Assert.Same(DatasetCatalog.Mnist, HoconSettings.Read(FedTrustConfig.Defaults).Data.Dataset);
        var fashion = HoconSettings.Read(Compose("fedtrust.dataset=fashion-mnist", "fedtrust.data.dir=/data/fm"));
        Assert.Same(DatasetCatalog.FashionMnist, fashion.Data.Dataset);
        Assert.Equal("/data/fm", fashion.Data.Dir);
    }

    [Fact]
    public void An_unknown_data_set_names_the_key_the_value_and_the_allowed_names()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose("fedtrust.dataset=cifar")));
        Assert.Equal("fedtrust.dataset = 'cifar': expected one of mnist, fashion-mnist", e.Message);
    }

    [Fact]
    public async Task The_command_line_refuses_an_unknown_data_set_with_exit_2_and_writes_nothing()
    {
        using var temp = new TempFolder("fedtrust-dataset-");
        var outDir = Path.Combine(temp.Path, "out");

        var (code, _, err) = await CliRunner.Run("run", "--set", "fedtrust.dataset=cifar", "--out", outDir);

        Assert.Equal(FedTrustCli.UsageError, code);
        CliRunner.AssertOneLineError(err, "error: fedtrust.dataset = 'cifar': expected one of mnist, fashion-mnist");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void The_data_set_counts_in_the_fingerprint_except_at_mnist_so_earlier_runs_still_match()
    {
        var plain = ConfigFingerprint.Of(FedTrustConfig.Defaults);
        Assert.Equal(plain, ConfigFingerprint.Of(Compose("fedtrust.dataset=mnist")));
        Assert.DoesNotContain("dataset", plain);

        var fashion = FedTrustConfig.ToJson(Compose("fedtrust.dataset=fashion-mnist"));
        Assert.NotEqual(plain, ConfigFingerprint.Of(fashion));
        Assert.Equal(["fedtrust.dataset: (absent) → \"fashion-mnist\""],
            ConfigFingerprint.Differences(FedTrustConfig.ToJson(FedTrustConfig.Defaults), fashion));
    }

    [Fact]
    public void A_worker_node_reads_the_servers_data_set_from_its_own_data_folder()
    {
        Assert.DoesNotContain("dataset", ClusterHost.NodeLocalKeys);
        var server = Compose("fedtrust.dataset=fashion-mnist", "fedtrust.data.dir=/server/data");
        var workerLocal = Compose("fedtrust.mode=cluster", "fedtrust.data.dir=/worker/data");

        // What a worker does with the server's PrepareRun (WorkerHost): the server's block over its own configuration.
        var text = ClusterHost.RunSettingsText(server, torchThreads: 1);
        var run = HoconSettings.Read(FedTrustConfig.Parse(text, "the server's settings").WithFallback(workerLocal));

        Assert.Same(DatasetCatalog.FashionMnist, run.Data.Dataset);
        Assert.Equal("/worker/data", run.Data.Dir);
    }
}
