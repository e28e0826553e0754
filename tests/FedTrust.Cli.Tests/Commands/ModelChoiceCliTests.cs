using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>cnn-large is a model the configuration accepts, and the refusal of an unknown model (exit 2) lists it.</summary>
public sealed class ModelChoiceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-model-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_model_key_accepts_cnn_large()
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseAssignment("fedtrust.model=cnn-large"), "--set fedtrust.model=cnn-large")]);
        Assert.Equal("cnn-large", HoconSettings.Read(config).Model);
    }

    [Fact]
    public async Task An_unknown_model_is_a_usage_error_that_lists_cnn_large()
    {
        var (code, output, err) = await Run("run", "--model", "resnet", "--out", Path.Combine(_root, "out"));
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal("", output);
        Assert.Equal("error: fedtrust.model = 'resnet': expected one of mlp, cnn, cnn-large", err.Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }
}
