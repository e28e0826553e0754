using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// Includes in a configuration file: every file form, relative to the including file's folder, at the top level
/// and inside an object; missing, unsupported, cyclic and broken includes are errors naming the include's line.
/// </summary>
public sealed class HoconIncludeTests : IDisposable
{
    private readonly TempFolder _temp = new("fedtrust-include-");

    public void Dispose() => _temp.Dispose();

    private string Root => _temp.Path;

    private string Write(string relative, string text) => _temp.Write(relative, text);

    private ConfigurationException Refused(string path) =>
        Assert.Throws<ConfigurationException>(() => FedTrustConfig.ParseFile(path));

    [Theory]
    [InlineData("include \"shared/rounds.conf\"")]
    [InlineData("include file(\"shared/rounds.conf\")")]
    [InlineData("include required(\"shared/rounds.conf\")")]
    [InlineData("include required(file(\"shared/rounds.conf\"))")]
    [InlineData("include required( file( \"shared/rounds.conf\" ) )")]
    public void Every_file_form_includes_relative_to_the_including_file(string include)
    {
        Write("shared/rounds.conf", "fedtrust.rounds = 3\n");
        var main = Write("main.conf", $"{include}\nfedtrust.clients = 4\n");

        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(main), main)]);

        Assert.Equal(3, config.GetInt("fedtrust.rounds"));
        Assert.Equal(4, config.GetInt("fedtrust.clients"));
    }

    [Fact]
    public void An_include_inside_an_object_nests_its_keys_and_its_substitutions_there()
    {
        Write("attack.conf", "{\n  malicious = 2\n  intensity = 0.5\n  noise-std = ${intensity}\n}\n");
        var main = Write("main.conf", "fedtrust {\n  attack { include \"attack.conf\" }\n  rounds = 6\n}\n");

        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(main), main)]);

        Assert.Equal(2, config.GetInt("fedtrust.attack.malicious"));
        Assert.Equal(0.5, config.GetDouble("fedtrust.attack.noise-std"));
        Assert.Equal(6, config.GetInt("fedtrust.rounds"));
    }

    [Fact]
    public void A_substitution_in_a_nested_include_falls_back_to_the_including_file_s_root()
    {
        Write("seed.conf", "seed = ${base-seed}\n");
        var main = Write("main.conf", "base-seed = 77\nfedtrust { include \"seed.conf\" }\n");

        Assert.Equal(77, FedTrustConfig.ParseFile(main).GetInt("fedtrust.seed"));
    }

    [Fact]
    public void Includes_chain_from_each_file_s_own_folder_and_absolute_paths_are_taken_as_given()
    {
        var absolute = Write("elsewhere/seed.conf", "fedtrust.seed = 9\n");
        Write("conf/a.conf", "include required(\"deeper/b.conf\")\n");
        Write("conf/deeper/b.conf", $"include required(\"c.conf\")\ninclude required(\"{absolute}\")\n");
        Write("conf/deeper/c.conf", "fedtrust.rounds = 8\n");
        var main = Write("main.conf", "include \"conf/a.conf\"\n");

        var config = FedTrustConfig.ParseFile(main);

        Assert.Equal(8, config.GetInt("fedtrust.rounds"));
        Assert.Equal(9, config.GetInt("fedtrust.seed"));
    }

    [Fact]
    public void What_comes_after_an_include_overrides_it_and_what_comes_before_is_overridden()
    {
        Write("base.conf", "fedtrust { rounds = 3, seed = 5 }\n");
        var main = Write("main.conf", "fedtrust.seed = 1\nfedtrust.model = cnn\ninclude \"base.conf\"\nfedtrust.rounds = 4\n");

        var config = FedTrustConfig.ParseFile(main);

        Assert.Equal(4, config.GetInt("fedtrust.rounds"));
        Assert.Equal(5, config.GetInt("fedtrust.seed"));
        Assert.Equal("cnn", config.GetString("fedtrust.model"));
    }

    [Fact]
    public void A_missing_optional_include_is_ignored()
    {
        var main = Write("main.conf", "include \"local-overrides.conf\"\nfedtrust.rounds = 2\n");

        Assert.Equal(2, FedTrustConfig.ParseFile(main).GetInt("fedtrust.rounds"));
    }

    [Fact]
    public void A_missing_required_include_names_the_including_line_and_the_missing_path()
    {
        var main = Write("main.conf", "fedtrust.rounds = 2\ninclude required(\"local.conf\")\n");

        var e = Refused(main);

        Assert.Equal($"{main}:2:1: required include not found: {Path.Combine(Root, "local.conf")}", e.Message);
    }

    [Theory]
    [InlineData("include classpath(\"x.conf\")", "include classpath(\"x.conf\") is not supported: only files can be included")]
    [InlineData("include required(url(\"https://example.org/x.conf\"))", "include url(\"https://example.org/x.conf\") is not supported")]
    [InlineData("include required(\"x.conf\"", "malformed include 'include required(\"x.conf\"'")]
    [InlineData("include \"x.conf\" y", "unexpected 'y' after the include of \"x.conf\"")]
    public void Unsupported_and_malformed_includes_are_refused(string include, string problem)
    {
        var main = Write("main.conf", $"fedtrust.rounds = 2\n{include}\n");

        var e = Refused(main);

        Assert.StartsWith($"{main}:2:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void An_include_cycle_names_the_chain()
    {
        var a = Write("a.conf", "include \"b.conf\"\n");
        var b = Write("b.conf", "fedtrust.rounds = 2\ninclude \"a.conf\"\n");

        var e = Refused(a);

        Assert.StartsWith($"{b}:2:1: include cycle: {a} -> {b} -> {a}", e.Message);
    }

    [Fact]
    public void A_syntax_error_in_an_included_file_names_that_file_and_line_and_where_it_was_included()
    {
        var broken = Write("broken.conf", "fedtrust {\n  rounds == 3\n}\n");
        var main = Write("main.conf", "fedtrust.seed = 1\ninclude \"broken.conf\"\n");

        var e = Refused(main);

        Assert.StartsWith($"{broken}:2:11: missing value for key 'rounds'", e.Message);
        Assert.EndsWith($"(included from {main}:2:1)", e.Message);
    }

    [Fact]
    public void A_folder_or_unreadable_file_cannot_be_included()
    {
        Directory.CreateDirectory(Path.Combine(Root, "conf.d"));
        var main = Write("main.conf", "include \"conf.d\"\n");

        Assert.Equal($"{main}:1:1: cannot include {Path.Combine(Root, "conf.d")}: it is a folder, not a file", Refused(main).Message);

        var loop = Path.Combine(Root, "loop.conf");
        File.CreateSymbolicLink(loop, loop);
        var other = Write("other.conf", "include required(\"loop.conf\")\n");
        Assert.StartsWith($"{other}:1:1: cannot read included file {loop}: ", Refused(other).Message);
    }

    [Fact]
    public void A_configuration_path_that_is_a_folder_is_named_as_a_folder()
    {
        var e = Refused(Root);

        Assert.Equal($"cannot read configuration file {Root}: it is a folder, not a file", e.Message);
    }

    [Fact]
    public void An_unknown_key_from_an_included_file_names_that_file_and_line()
    {
        var shared = Write("shared.conf", "fedtrust {\n  rounds = 3\n  roundz = 4\n}\n");
        var main = Write("main.conf", "include \"shared.conf\"\n");

        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Compose([(FedTrustConfig.ParseFile(main), main)]));

        Assert.Equal($"{shared}:3:3: unknown key 'fedtrust.roundz'; did you mean 'fedtrust.rounds'?", e.Message);
    }

    [Fact]
    public void A_substitution_cycle_across_an_include_names_the_included_file()
    {
        var rounds = Write("rounds.conf", "fedtrust.rounds = ${fedtrust.seed}\n");
        var main = Write("main.conf", "include \"rounds.conf\"\nfedtrust.seed = ${fedtrust.rounds}\n");

        var e = Refused(main);

        Assert.StartsWith($"{rounds}:1:19: substitution cycle: fedtrust.rounds -> fedtrust.seed -> fedtrust.rounds", e.Message);
    }
}
