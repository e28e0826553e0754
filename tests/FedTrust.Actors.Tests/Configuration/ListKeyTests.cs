using FedTrust.Actors.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>A single value where a list belongs is refused, not read as an empty list (which would silently drop the setting).</summary>
public class ListKeyTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void A_single_mirror_without_brackets_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => SettingsReader.Read(Compose("fedtrust.data.mirrors=https://example.org/mnist/")));
        Assert.Equal("fedtrust.data.mirrors = 'https://example.org/mnist/': expected a list in brackets, e.g. [a, b]", e.Message);
    }

    [Fact]
    public void Lists_in_brackets_including_the_empty_one_are_read()
    {
        Assert.Equal(["https://example.org/mnist/"], SettingsReader.Read(Compose("fedtrust.data.mirrors=[\"https://example.org/mnist/\"]")).Data.Mirrors);
        Assert.Empty(SettingsReader.Read(Compose("fedtrust.data.mirrors=[]")).Data.Mirrors);
    }
}
