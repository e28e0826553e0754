using System.Text;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// Reads the files a HOCON text includes — <c>include "x.conf"</c>, <c>include file("x.conf")</c>,
/// <c>include required("x.conf")</c>, <c>include required(file("x.conf"))</c>, relative to the including file's
/// folder, absolute paths as given — and splices them into one text for Akka's parser.
/// A missing include is ignored unless it is <c>required(…)</c> (as the HOCON specification says);
/// <c>classpath(…)</c> and <c>url(…)</c>, include cycles and unreadable files are errors naming the include.
/// </summary>
/// <remarks>
/// Akka's <c>ConfigurationFactory.ParseString(text, includeCallback)</c> is not used: its tokenizer knows only
/// <c>include "name"</c> (not <c>file()</c> or <c>required()</c>), the callback is not told which file or line the
/// include is on, and Akka prefixes the substitutions of a file included at the top level with a bare "."
/// (<c>${x}</c> becomes <c>${.x}</c>), so they never resolve. Splicing the checked text of each file instead gives
/// Akka one text with no includes, and lets <see cref="HoconSubstitutions"/> see exactly what Akka will.
/// </remarks>
internal static class HoconIncludes
{
    /// <summary>Deeper than this is taken for a cycle the paths do not show (through symbolic links).</summary>
    private const int MaxDepth = 32;

    /// <summary>The file at <paramref name="path"/> with every file it includes read.</summary>
    public static HoconTree.Document ReadFile(string path)
    {
        if (Directory.Exists(path)) throw new ConfigurationException($"cannot read configuration file {path}: it is a folder, not a file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read configuration file {path}: {e.Message}", e);
        }
        var full = Path.GetFullPath(path);
        return Read(text, path, Path.GetDirectoryName(full)!, [full]);
    }

    /// <summary><paramref name="text"/> with every file it includes read, relative paths from <paramref name="folder"/>.</summary>
    public static HoconTree.Document ReadText(string text, string source, string folder) => Read(text, source, folder, []);

    /// <summary>
    /// One text with each include replaced by the included text (its root braces dropped, so its keys land in the
    /// object holding the include) and each substitution in <paramref name="rewrites"/> replaced by its new form.
    /// </summary>
    public static string Expand(HoconTree.Document document, IReadOnlyDictionary<HoconTree.Substitution, string> rewrites)
    {
        var output = new StringBuilder();
        Splice(document, rewrites, output, included: false);
        return output.ToString();
    }

    private static HoconTree.Document Read(string text, string source, string folder, IReadOnlyList<string> chain)
    {
        var document = HoconSyntax.Read(text, source);
        foreach (var include in document.Root.Descendants().OfType<HoconTree.Include>())
            include.Content = Load(include, folder, chain);
        return document;
    }

    private static HoconTree.Document? Load(HoconTree.Include include, string folder, IReadOnlyList<string> chain)
    {
        if (include.Kind != "file")
            throw new ConfigurationException(
                $"{include.Position}: include {include.Kind}(\"{include.Target}\") is not supported: only files can be included " +
                $"(include \"file.conf\" or include file(\"file.conf\"), relative to the including file's folder)");
        var path = Path.GetFullPath(include.Target, folder);
        if (chain.Contains(path))
            throw new ConfigurationException($"{include.Position}: include cycle: {string.Join(" -> ", chain.Append(path))}");
        if (chain.Count >= MaxDepth)
            throw new ConfigurationException($"{include.Position}: includes nested more than {MaxDepth} deep at {path} (a cycle through symbolic links?)");
        if (Directory.Exists(path))
            throw new ConfigurationException($"{include.Position}: cannot include {path}: it is a folder, not a file");
        if (!File.Exists(path))
        {
            if (include.Required) throw new ConfigurationException($"{include.Position}: required include not found: {path}");
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{include.Position}: cannot read included file {path}: {e.Message}", e);
        }
        try
        {
            return Read(text, path, Path.GetDirectoryName(path)!, [.. chain, path]);
        }
        catch (ConfigurationException e) when (!e.Message.Contains(" (included from ", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"{e.Message} (included from {include.Position})", e.InnerException);
        }
    }

    private static void Splice(HoconTree.Document document, IReadOnlyDictionary<HoconTree.Substitution, string> rewrites, StringBuilder output, bool included)
    {
        var edits = new List<(int Start, int End, Action Write)>();
        foreach (var node in document.Root.Descendants())
        {
            if (node is HoconTree.Include include)
                edits.Add((include.Start, include.End, () =>
                {
                    output.Append('\n');
                    if (include.Content is { } content) Splice(content, rewrites, output, included: true);
                    output.Append('\n');
                }));
            else if (node is HoconTree.Substitution substitution && rewrites.TryGetValue(substitution, out var replacement))
                edits.Add((substitution.Start, substitution.End, () => output.Append(replacement)));
        }
        if (included && document.Root.Open >= 0)
        {
            edits.Add((document.Root.Open, document.Root.Open + 1, () => output.Append(' ')));
            edits.Add((document.Root.Close, document.Root.Close + 1, () => output.Append(' ')));
        }
        var at = 0;
        foreach (var (start, end, write) in edits.OrderBy(e => e.Start))
        {
            output.Append(document.Text, at, start - at);
            write();
            at = end;
        }
        output.Append(document.Text, at, document.Text.Length - at);
    }
}
