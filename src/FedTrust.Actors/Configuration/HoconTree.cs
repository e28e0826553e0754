namespace FedTrust.Actors.Configuration;

/// <summary>
/// The structure of one HOCON text as <see cref="HoconSyntax"/> reads it: fields, includes, values and where each
/// one is (file, line, column and character offsets), so that includes can be expanded and substitutions checked
/// before Akka's parser sees the text.
/// </summary>
internal static class HoconTree
{
    /// <summary>A place in a HOCON text, shown as <c>file:line:column</c>.</summary>
    public sealed record Position(string Source, int Line, int Column)
    {
        public override string ToString() => $"{Source}:{Line}:{Column}";
    }

    /// <summary>One HOCON text: where it came from, the text itself and its root object.</summary>
    public sealed record Document(string Source, string Text, Block Root);

    /// <summary>What an object holds, in order: fields and include directives.</summary>
    public abstract record Entry(Position Position);

    /// <summary>
    /// <c>path = value</c>, <c>path : value</c>, <c>path += value</c> or <c>path { … }</c> (then
    /// <see cref="Separator"/> is "{" and the value is that object).
    /// </summary>
    public sealed record Field(IReadOnlyList<string> Path, string Separator, Value Value, Position Position) : Entry(Position)
    {
        public string Key => string.Join('.', Path);
    }

    /// <summary>
    /// <c>include "file"</c>, <c>include file("…")</c>, <c>include required(…)</c>, <c>include classpath(…)</c> or
    /// <c>include url(…)</c>; the text from <see cref="Start"/> to <see cref="End"/> is the whole directive.
    /// <see cref="Content"/> is the included document once read (null for a missing optional include).
    /// </summary>
    public sealed record Include(string Target, string Kind, bool Required, int Start, int End, Position Position) : Entry(Position)
    {
        public Document? Content { get; set; }
    }

    /// <summary>A value: the parts of a concatenation (usually one).</summary>
    public sealed record Value(IReadOnlyList<Part> Parts);

    /// <summary>One part of a value.</summary>
    public abstract record Part;

    /// <summary>A string, number, boolean or null, quoted or not.</summary>
    public sealed record Literal(string Text) : Part;

    /// <summary>
    /// <c>${path}</c> or <c>${?path}</c> as written (<see cref="Raw"/>), spanning <see cref="Start"/> to
    /// <see cref="End"/> in the text.
    /// </summary>
    public sealed record Substitution(string Raw, int Start, int End, Position Position) : Part
    {
        /// <summary>What is between the braces, without the '?' of an optional substitution.</summary>
        public string Path => Raw[2..^1].TrimStart('?');

        public bool Optional => Raw.StartsWith("${?", StringComparison.Ordinal);
    }

    /// <summary>An object; <see cref="Open"/> and <see cref="Close"/> are the offsets of its braces (-1 for a root without braces).</summary>
    public sealed record Block(IReadOnlyList<Entry> Entries, int Open, int Close) : Part
    {
        /// <summary>
        /// The entries and value parts written in this object and in the objects and arrays inside it, in text order
        /// (not those of included files).
        /// </summary>
        public IEnumerable<object> Descendants()
        {
            foreach (var entry in Entries)
            {
                yield return entry;
                if (entry is Field field)
                    foreach (var node in Descendants(field.Value)) yield return node;
            }
        }

        private static IEnumerable<object> Descendants(Value value)
        {
            foreach (var part in value.Parts)
            {
                yield return part;
                var inner = part switch
                {
                    Block block => block.Descendants(),
                    Sequence sequence => sequence.Elements.SelectMany(Descendants),
                    _ => [],
                };
                foreach (var node in inner) yield return node;
            }
        }
    }

    /// <summary>An array.</summary>
    public sealed record Sequence(IReadOnlyList<Value> Elements) : Part;
}
