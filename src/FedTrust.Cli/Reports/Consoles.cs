using Spectre.Console;

namespace FedTrust.Cli.Reports;

/// <summary>A Spectre console writing to the given writer: the real terminal, or a test's StringWriter.</summary>
internal static class Consoles
{
    public static IAnsiConsole For(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
}
