using System.CommandLine;
using System.CommandLine.Parsing;

namespace FedTrust.Cli;

/// <summary>
/// Turns what System.CommandLine could not parse (an unknown option or command, an option without its value, a value
/// of the wrong type, a missing required option, no command at all) into the one line <c>fedtrust</c> prints for a
/// usage error, in its own words, naming the option and the command and where to read more. It also catches what the
/// parser accepts but the user surely did not mean: an option whose value is the next option (<c>--out --rounds 3</c>).
/// </summary>
internal static class UsageErrors
{
    private const string Program = "fedtrust";

    /// <summary>The problem with the command line, or null when it is fine or asks for --help or --version.</summary>
    public static string? Describe(ParseResult parse)
    {
        if (parse.Action is { ClearsParseErrors: true }) return null; // --help, --version: they win over anything else
        var command = parse.CommandResult;
        var path = PathOf(command);
        var help = $"see '{path} --help'";

        if (SwallowedOption(command) is { } swallowed) return swallowed + "; " + help;
        if (parse.UnmatchedTokens.Count > 0) return Unmatched(parse, parse.UnmatchedTokens[0], path, help);
        foreach (var error in parse.Errors)
        {
            switch (error.SymbolResult)
            {
                case OptionResult { IdentifierToken: null } missing:
                    return $"'{path}' needs {missing.Option.Name}: {Lowered(missing.Option.Description)}; {help}";
                case OptionResult option when option.Tokens.Count == 0:
                    return $"option '{NameOf(option)}' needs a value; {help}";
                case OptionResult option when option.Tokens.Count > 1 && option.Option.Arity.MaximumNumberOfValues == 1:
                    return $"option '{NameOf(option)}' takes one value but was given {option.Tokens.Count} " +
                           $"({string.Join(", ", option.Tokens.Select(t => $"'{t.Value}'"))}); {help}";
                case OptionResult option:
                    return $"option '{NameOf(option)}' = '{option.Tokens[0].Value}': expected {Expected(option.Option.ValueType)}; {help}";
                case CommandResult { Command: RootCommand } root:
                    return $"no command given: use {Verbs(root.Command)} ({Program} --help)";
            }
        }
        return parse.Errors.Count > 0 ? $"{parse.Errors[0].Message.TrimEnd('.')}; {help}" : null;
    }

    /// <summary>
    /// An option that took the next option as its value (<c>--rounds --out x</c> gives rounds the value "--out"):
    /// System.CommandLine accepts it, and the run would then fail on a baffling value or, worse, use it.
    /// </summary>
    private static string? SwallowedOption(CommandResult command)
    {
        var names = Names(OptionsOf(command));
        foreach (var option in command.Children.OfType<OptionResult>())
        {
            if (option.Tokens.FirstOrDefault(t => names.Contains(t.Value)) is { } next)
                return $"option '{NameOf(option)}' needs a value, but is followed by the option '{next.Value}'";
        }
        return null;
    }

    private static string Unmatched(ParseResult parse, string token, string path, string help)
    {
        var root = parse.RootCommandResult.Command;
        var command = parse.CommandResult.Command;
        if (command is not RootCommand)
        {
            if (Names(command.Options).Contains(token)) // given, but before the command: it was never read as the command's
                return $"option '{token}' belongs after the command: '{path} {token} …'; {help}";
            return token.StartsWith('-')
                ? $"unknown option '{token}' for '{path}'; {help}"
                : $"unexpected argument '{token}' for '{path}' (every value follows its option, e.g. --rounds 5); {help}";
        }
        if (!token.StartsWith('-')) return $"unknown command '{token}': use {Verbs(root)} ({Program} --help)";
        var owners = root.Subcommands.Where(c => Names(c.Options).Contains(token)).Select(c => c.Name).ToList();
        return owners.Count == 0
            ? $"unknown option '{token}' for '{Program}'; {help}"
            : $"option '{token}' belongs after a command ({string.Join(", ", owners)}), e.g. '{Program} {owners[0]} {token} …'; {help}";
    }

    /// <summary>The options that apply to the command: its own and its parents' recursive ones (such as --help).</summary>
    private static IEnumerable<Option> OptionsOf(CommandResult command)
    {
        for (SymbolResult? result = command; result is not null; result = result.Parent)
        {
            if (result is not CommandResult { Command: var c }) continue;
            foreach (var option in c.Options)
                if (result == command || option.Recursive) yield return option;
        }
    }

    /// <summary>Every name and alias of the options.</summary>
    private static HashSet<string> Names(IEnumerable<Option> options) =>
        options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);

    /// <summary>"fedtrust" or "fedtrust run": the program's own name, not the host's (tests run inside testhost).</summary>
    private static string PathOf(CommandResult command) =>
        command.Command is RootCommand ? Program : $"{Program} {command.Command.Name}";

    /// <summary>The option as the user spelled it (--out or -o).</summary>
    private static string NameOf(OptionResult option) => option.IdentifierToken?.Value ?? option.Option.Name;

    /// <summary>"run, grid, bench, replay or node".</summary>
    private static string Verbs(Command root)
    {
        var names = root.Subcommands.Select(c => c.Name).ToList();
        return names.Count < 2 ? string.Concat(names) : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "a whole number",
        var t when t == typeof(double) => "a number",
        var t when t == typeof(bool) => "true or false",
        var t => $"a {t.Name}",
    };

    private static string Lowered(string? description) =>
        string.IsNullOrEmpty(description) ? "it is required" : char.ToLowerInvariant(description[0]) + description[1..];
}
