using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// A value of the wrong shape — one value where the defaults have a group of settings, an object where they have
/// one value, a string where a list is expected — is named as such, not reported as some other key "(missing)"
/// or silently read as an empty list.
/// </summary>
public class ValueShapeTests
{
    private static Akka.Configuration.Config Compose(string text, string source) =>
        FedTrustConfig.Compose([(FedTrustConfig.Parse(text, source), source)]);

    [Theory]
    [InlineData("fedtrust = 5", "my.conf: 'fedtrust' is a group of settings (")]
    [InlineData("fedtrust.data = /tmp/mnist", "my.conf: 'fedtrust.data' is a group of settings (dir, npm-package, npm-command, …), not a single value; set its keys, e.g. fedtrust.data.dir = …")]
    [InlineData("fedtrust.rounds {}", "my.conf: 'fedtrust.rounds' takes a single value, not an object")]
    public void A_layer_of_the_wrong_shape_is_refused_naming_the_key(string text, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Compose(text, "my.conf"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_file_names_the_line_that_set_the_wrong_shape()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("fedtrust-shape-").FullName, "my.conf");
        File.WriteAllText(file, "fedtrust {\n  rounds = 3\n  dp = off\n}\n");
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Compose([(FedTrustConfig.ParseFile(file), file)]));
            Assert.StartsWith($"{file}:3:3: 'fedtrust.dp' is a group of settings", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void Mirrors_given_as_one_string_are_refused_rather_than_read_as_none()
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseAssignment("fedtrust.data.mirrors=https://example.org/mnist/"), "--set")]);

        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(config));

        Assert.Equal("fedtrust.data.mirrors = 'https://example.org/mnist/': expected a list of http(s) URLs such as [\"https://host/mnist/\"], or [] for none", e.Message);
    }

    [Theory]
    [InlineData("fedtrust.data.mirrors=[]", 0)]
    [InlineData("fedtrust.data.mirrors=[\"https://a.example/\", \"https://b.example/\"]", 2)]
    public void Mirrors_given_as_a_list_are_read(string assignment, int count)
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseAssignment(assignment), "--set")]);

        Assert.Equal(count, HoconSettings.Read(config).Data.Mirrors.Count);
    }
}
