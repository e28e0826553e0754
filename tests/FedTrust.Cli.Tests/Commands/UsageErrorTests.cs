using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A command line fedtrust cannot parse is a usage error: exit 2 and one line, <c>error: …</c>, in fedtrust's words,
/// naming the option or command, for every verb, before anything runs or is written. --help and --version still exit 0.
/// </summary>
public class UsageErrorTests
{
    /// <summary>Exit 2, nothing on stdout, and exactly one line on stderr, which is returned.</summary>
    private static async Task<string> UsageError(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.True(code == FedTrustCli.UsageError, $"fedtrust {string.Join(' ', args)}: exit {code}\n{error}");
        Assert.Equal("", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        return lines[0].TrimEnd('\r');
    }

    [Theory]
    [InlineData("run")]
    [InlineData("grid")]
    [InlineData("bench")]
    [InlineData("replay")]
    public async Task An_unknown_option_names_it_and_the_verb(string verb)
    {
        var line = await UsageError(verb, "--roundz", "3");
        Assert.Equal($"error: unknown option '--roundz' for 'fedtrust {verb}'; see 'fedtrust {verb} --help'", line);
    }

    [Theory]
    [InlineData("run", "--rounds")]
    [InlineData("grid", "--seeds")]
    [InlineData("bench", "--config")]
    [InlineData("replay", "--journal")]
    public async Task An_option_without_its_value_is_named(string verb, string option)
    {
        var line = await UsageError(verb, option);
        Assert.Equal($"error: option '{option}' needs a value; see 'fedtrust {verb} --help'", line);
    }

    [Theory]
    [InlineData("run", "--out")]
    [InlineData("grid", "--rounds")]
    [InlineData("bench", "--set")]
    public async Task An_option_followed_by_another_option_instead_of_its_value_is_refused(string verb, string option)
    {
        // System.CommandLine itself would take "--seed" as the value and carry on.
        var line = await UsageError(verb, option, "--seed", "7");
        Assert.Contains($"option '{option}' needs a value, but is followed by the option '--seed'", line);
    }

    [Fact]
    public async Task No_command_lists_the_commands()
    {
        Assert.Equal("error: no command given: use run, grid, bench, replay or node (fedtrust --help)", await UsageError());
    }

    [Fact]
    public async Task An_unknown_command_is_named_with_the_commands_there_are()
    {
        Assert.Equal("error: unknown command 'rnu': use run, grid, bench, replay or node (fedtrust --help)", await UsageError("rnu", "--rounds", "3"));
    }

    [Fact]
    public async Task An_option_before_the_command_says_where_it_belongs()
    {
        Assert.Equal("error: option '--rounds' belongs after the command: 'fedtrust run --rounds …'; see 'fedtrust run --help'",
            await UsageError("--rounds", "3", "run"));
        Assert.Equal("error: option '--rounds' belongs after a command (run, grid, bench), e.g. 'fedtrust run --rounds …'; see 'fedtrust --help'",
            await UsageError("--rounds", "3"));
    }

    [Theory]
    [InlineData("grid", "--seeds", "two")]
    [InlineData("replay", "--at-round", "last")]
    public async Task A_value_of_the_wrong_type_names_the_option_and_what_it_takes(string verb, string option, string value)
    {
        var args = verb == "replay" ? new[] { verb, "--journal", "x.db", option, value } : [verb, option, value];
        var line = await UsageError(args);
        Assert.Equal($"error: option '{option}' = '{value}': expected a whole number; see 'fedtrust {verb} --help'", line);
    }

    [Fact]
    public async Task A_missing_required_option_is_named_with_what_it_takes()
    {
        var line = await UsageError("replay", "--run", "x");
        Assert.Equal("error: 'fedtrust replay' needs --journal: a SQLite journal file (e.g. DIR/journal.db), a run folder holding journal.db, or a PostgreSQL connection string; see 'fedtrust replay --help'", line);
    }

    [Fact]
    public async Task A_stray_argument_and_a_repeated_single_value_option_are_refused()
    {
        Assert.Contains("unexpected argument 'cnn' for 'fedtrust run'", await UsageError("run", "--model", "mlp", "cnn"));
        Assert.Contains("option '--out' takes one value but was given 2 ('a', 'b')", await UsageError("run", "--out", "a", "--out", "b"));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--version")]
    [InlineData("run", "--help")]
    [InlineData("replay", "-h")]
    [InlineData("run", "--roundz", "3", "--help")]
    public async Task Help_and_version_still_exit_0(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.NotEqual("", output.Trim());
    }
}
