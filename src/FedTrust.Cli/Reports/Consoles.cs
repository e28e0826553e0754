using Spectre.Console;

namespace FedTrust.Cli.Reports;

/// <summary>A Spectre console writing to the given writer: the real terminal, or a test's StringWriter.</summary>
internal static class Consoles
{
    /// <summary>Width used when the output is not a terminal (a log file, CI): wide enough that report lines do not wrap.</summary>
    private const int RedirectedWidth = 200;

    public static IAnsiConsole For(TextWriter writer)
    {
        if (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) return AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = RedirectedWidth;
        return console;
    }
}
