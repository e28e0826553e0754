using System.Text;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// A strict syntax check of HOCON text that reports the file, line and column of the first error.
/// Akka's built-in parser accepts much malformed input silently (<c>b == 1</c> parses as an empty value)
/// and loops forever on an unclosed array, so every configuration text is checked here before Akka reads it.
/// It checks structure only (balanced braces and brackets, keys followed by a separator or an object,
/// a value after every separator, closed strings and substitutions, well-formed includes); values are typed
/// later. <see cref="Read"/> also returns that structure (<see cref="HoconTree"/>).
/// </summary>
public static class HoconSyntax
{
    /// <summary>Throws <see cref="ConfigurationException"/> at the first syntax error in <paramref name="text"/>.</summary>
    public static void Check(string text, string source) => Read(text, source);

    /// <summary>The structure of <paramref name="text"/>; throws <see cref="ConfigurationException"/> at the first syntax error.</summary>
    internal static HoconTree.Document Read(string text, string source)
    {
        var tokens = Tokenizer.Tokenize(text, source);
        return new HoconTree.Document(source, text, new Parser(tokens, source).ParseRoot());
    }

    private enum Kind { OpenBrace, CloseBrace, OpenBracket, CloseBracket, Separator, Comma, Newline, Quoted, Unquoted, Substitution, End }

    /// <summary>A token; <see cref="Start"/> and <see cref="End"/> are its character offsets in the text (end exclusive).</summary>
    private readonly record struct Token(Kind Kind, string Text, int Line, int Column, int Start, int End)
    {
        public string Describe() => Kind switch
        {
            Kind.Newline => "end of line",
            Kind.End => "end of file",
            Kind.Quoted => $"\"{Text}\"",
            _ => $"'{Text}'",
        };
    }

    private static ConfigurationException Error(string source, int line, int column, string message) =>
        new($"{source}:{line}:{column}: {message}");

    private static class Tokenizer
    {
        private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

        public static List<Token> Tokenize(string text, string source)
        {
            var tokens = new List<Token>();
            int i = 0, line = 1, lineStart = 0;
            int Col(int at) => at - lineStart + 1;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n')
                {
                    tokens.Add(new Token(Kind.Newline, "\n", line, Col(i), i, i + 1));
                    i++; line++; lineStart = i;
                    continue;
                }
                if (char.IsWhiteSpace(c) || c == '\uFEFF') { i++; continue; }
                if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                {
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                }
                switch (c)
                {
                    case '{': tokens.Add(new Token(Kind.OpenBrace, "{", line, Col(i), i, i + 1)); i++; continue;
                    case '}': tokens.Add(new Token(Kind.CloseBrace, "}", line, Col(i), i, i + 1)); i++; continue;
                    case '[': tokens.Add(new Token(Kind.OpenBracket, "[", line, Col(i), i, i + 1)); i++; continue;
                    case ']': tokens.Add(new Token(Kind.CloseBracket, "]", line, Col(i), i, i + 1)); i++; continue;
                    case ',': tokens.Add(new Token(Kind.Comma, ",", line, Col(i), i, i + 1)); i++; continue;
                    case '=' or ':': tokens.Add(new Token(Kind.Separator, c.ToString(), line, Col(i), i, i + 1)); i++; continue;
                    case '+' when i + 1 < text.Length && text[i + 1] == '=':
                        tokens.Add(new Token(Kind.Separator, "+=", line, Col(i), i, i + 2)); i += 2; continue;
                }
                if (c == '"')
                {
                    var startLine = line;
                    var startCol = Col(i);
                    var startAt = i;
                    if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                    {
                        var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                        if (end < 0) throw Error(source, startLine, startCol, "unterminated triple-quoted string");
                        var body = text[(i + 3)..end];
                        foreach (var ch in body) if (ch == '\n') line++;
                        i = end + 3;
                        while (i < text.Length && text[i] == '"') i++;
                        tokens.Add(new Token(Kind.Quoted, body, startLine, startCol, startAt, i));
                        lineStart = text.LastIndexOf('\n', i - 1) + 1;
                        continue;
                    }
                    var sb = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= text.Length || text[i] == '\n')
                            throw Error(source, startLine, startCol, "unterminated string (a quoted string must close on the same line)");
                        if (text[i] == '\\')
                        {
                            if (i + 1 >= text.Length) throw Error(source, line, Col(i), "dangling escape at end of file");
                            var e = text[i + 1];
                            if ("\"\\/bfnrtu".IndexOf(e) < 0) throw Error(source, line, Col(i), $"invalid escape '\\{e}' in string");
                            sb.Append(e);
                            i += 2;
                            continue;
                        }
                        if (text[i] == '"') { i++; break; }
                        sb.Append(text[i++]);
                    }
                    tokens.Add(new Token(Kind.Quoted, sb.ToString(), startLine, startCol, startAt, i));
                    continue;
                }
                if (c == '$')
                {
                    var col = Col(i);
                    if (i + 1 >= text.Length || text[i + 1] != '{')
                        throw Error(source, line, col, "'$' must start a substitution such as ${path} (quote it to use it as text)");
                    var end = i + 2;
                    while (end < text.Length && text[end] != '}' && text[end] != '\n') end++;
                    if (end >= text.Length || text[end] != '}')
                        throw Error(source, line, col, "unclosed substitution: '${' without a matching '}' on the same line");
                    var path = text[(i + 2)..end].TrimStart('?').Trim();
                    if (path.Length == 0) throw Error(source, line, col, "empty substitution '${}'");
                    tokens.Add(new Token(Kind.Substitution, text[i..(end + 1)], line, col, i, end + 1));
                    i = end + 1;
                    continue;
                }
                if (Forbidden.IndexOf(c) >= 0)
                    throw Error(source, line, Col(i), $"unexpected character '{c}' (quote the text if it is part of a value)");
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && Forbidden.IndexOf(text[i]) < 0
                       && !(text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                    i++;
                tokens.Add(new Token(Kind.Unquoted, text[start..i], line, Col(start), start, i));
            }
            tokens.Add(new Token(Kind.End, "", line, Col(i), i, i));
            return tokens;
        }
    }

    private sealed class Parser(List<Token> tokens, string source)
    {
        /// <summary>The ways an include may name its file, as written before the quoted name (spaces removed).</summary>
        private static readonly string[] IncludeForms =
            ["", "file(", "classpath(", "url(", "required(", "required(file(", "required(classpath(", "required(url("];

        private static readonly string[] IncludeWords = ["file(", "classpath(", "url(", "required("];

        private int _at;

        private Token Peek => tokens[_at];
        private Token Next() => tokens[_at++];

        private ConfigurationException Error(Token at, string message) => HoconSyntax.Error(source, at.Line, at.Column, message);

        private HoconTree.Position At(Token t) => new(source, t.Line, t.Column);

        public HoconTree.Block ParseRoot()
        {
            SkipNewlines();
            if (Peek.Kind != Kind.OpenBrace) return ParseFields(null);
            var root = ParseFields(Next());
            SkipNewlines();
            if (Peek.Kind != Kind.End) throw Error(Peek, $"unexpected {Peek.Describe()} after the root object");
            return root;
        }

        private void SkipNewlines()
        {
            while (Peek.Kind == Kind.Newline) _at++;
        }

        /// <summary>Fields until the '}' closing <paramref name="open"/>, or until end of file for the root.</summary>
        private HoconTree.Block ParseFields(Token? open)
        {
            var entries = new List<HoconTree.Entry>();
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == Kind.End)
                {
                    if (open is { } o) throw Error(t, $"'{{' opened at line {o.Line} is never closed");
                    return new HoconTree.Block(entries, -1, -1);
                }
                if (t.Kind == Kind.CloseBrace)
                {
                    if (open is not { } o) throw Error(t, "'}' without a matching '{'");
                    _at++;
                    return new HoconTree.Block(entries, o.Start, t.Start);
                }
                if (IsInclude())
                {
                    entries.Add(ParseInclude());
                    continue;
                }
                if (t.Kind is not (Kind.Unquoted or Kind.Quoted))
                    throw Error(t, $"expected a key, found {t.Describe()}");

                var (key, path) = ParseKey();
                var sep = Peek;
                HoconTree.Value value;
                if (sep.Kind == Kind.OpenBrace)
                {
                    value = new HoconTree.Value([ParseFields(Next())]);
                }
                else if (sep.Kind == Kind.Separator)
                {
                    _at++;
                    value = ParseValue()
                        ?? throw Error(Peek, $"missing value for key '{key}' after '{sep.Text}' (found {Peek.Describe()})");
                }
                else
                {
                    throw Error(sep, $"expected '=', ':' or '{{' after key '{key}', found {sep.Describe()}");
                }
                var after = Peek;
                if (after.Kind is not (Kind.Newline or Kind.Comma or Kind.End or Kind.CloseBrace))
                    throw Error(after, $"unexpected {after.Describe()} after the value of '{key}'");
                entries.Add(new HoconTree.Field(path, sep.Kind == Kind.OpenBrace ? "{" : sep.Text, value, At(t)));
            }
        }

        /// <summary>
        /// The key as written (for messages) and its path: unquoted parts split at '.', quoted parts whole,
        /// parts separated by spaces joined by one space.
        /// </summary>
        private (string Key, List<string> Path) ParseKey()
        {
            var key = new StringBuilder();
            var path = new List<string> { "" };
            Token? previous = null;
            while (Peek.Kind is Kind.Unquoted or Kind.Quoted)
            {
                var part = Next();
                if (previous is { } p && part.Start > p.End)
                {
                    key.Append(' ');
                    path[^1] += " ";
                }
                key.Append(part.Text);
                if (part.Kind == Kind.Quoted)
                {
                    path[^1] += part.Text;
                }
                else
                {
                    var pieces = part.Text.Split('.');
                    path[^1] += pieces[0];
                    path.AddRange(pieces.Skip(1));
                }
                previous = part;
            }
            return (key.ToString(), path);
        }

        /// <summary><c>include</c> followed, on the same line, by a quoted name or by one of the include forms.</summary>
        private bool IsInclude()
        {
            if (Peek is not { Kind: Kind.Unquoted, Text: "include" } t) return false;
            var next = tokens[_at + 1];
            return next.Line == t.Line && (next.Kind == Kind.Quoted
                || (next.Kind == Kind.Unquoted && IncludeWords.Any(w => next.Text.StartsWith(w, StringComparison.Ordinal))));
        }

        /// <summary>
        /// <c>include</c>, an optional <c>required(</c>, an optional <c>file(</c>, <c>classpath(</c> or <c>url(</c>, the quoted
        /// name and the matching ')'s, all on one line (which kinds are allowed is <see cref="HoconIncludes"/>' business).
        /// </summary>
        private HoconTree.Include ParseInclude()
        {
            var include = Next();
            const string forms = "include \"file.conf\", include file(\"file.conf\"), include required(\"file.conf\") or include required(file(\"file.conf\"))";
            var opening = new StringBuilder();
            while (Peek.Kind == Kind.Unquoted && Peek.Line == include.Line) opening.Append(Next().Text);
            if (Peek.Kind != Kind.Quoted || Peek.Line != include.Line)
                throw Error(Peek, $"expected a quoted file name after '{("include " + opening).Trim()}' (write {forms})");
            var name = Next();
            var closing = new StringBuilder();
            var last = name;
            while (Peek is { Kind: Kind.Unquoted, Text: var text } && text.All(c => c == ')') && Peek.Line == include.Line)
                closing.Append((last = Next()).Text);
            var form = opening.ToString();
            if (!IncludeForms.Contains(form) || closing.ToString() != new string(')', form.Count(c => c == '(')))
                throw Error(include, $"malformed include 'include {form}\"{name.Text}\"{closing}' (write {forms})");
            var after = Peek;
            if (after.Kind is not (Kind.Newline or Kind.Comma or Kind.End or Kind.CloseBrace))
                throw Error(after, $"unexpected {after.Describe()} after the include of \"{name.Text}\"");
            var required = form.StartsWith("required(", StringComparison.Ordinal);
            var kind = (required ? form["required(".Length..] : form).TrimEnd('(');
            return new HoconTree.Include(name.Text, kind.Length == 0 ? "file" : kind, required, include.Start, last.End, At(include));
        }

        /// <summary>A value: a concatenation of strings, substitutions, objects and arrays. Null when there is none.</summary>
        private HoconTree.Value? ParseValue()
        {
            var parts = new List<HoconTree.Part>();
            while (true)
            {
                var t = Peek;
                switch (t.Kind)
                {
                    case Kind.Unquoted or Kind.Quoted: _at++; parts.Add(new HoconTree.Literal(t.Text)); break;
                    case Kind.Substitution: _at++; parts.Add(new HoconTree.Substitution(t.Text, t.Start, t.End, At(t))); break;
                    case Kind.OpenBrace: _at++; parts.Add(ParseFields(t)); break;
                    case Kind.OpenBracket: _at++; parts.Add(ParseArray(t)); break;
                    default: return parts.Count > 0 ? new HoconTree.Value(parts) : null;
                }
            }
        }

        private HoconTree.Sequence ParseArray(Token open)
        {
            var elements = new List<HoconTree.Value>();
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == Kind.CloseBracket) { _at++; return new HoconTree.Sequence(elements); }
                if (t.Kind is Kind.End or Kind.CloseBrace)
                    throw Error(t, $"'[' opened at line {open.Line} is never closed (found {t.Describe()})");
                elements.Add(ParseValue() ?? throw Error(t, $"expected an array element or ']', found {t.Describe()}"));
                var after = Peek;
                if (after.Kind is not (Kind.Newline or Kind.Comma or Kind.CloseBracket or Kind.End))
                    throw Error(after, $"unexpected {after.Describe()} in the array opened at line {open.Line}");
            }
        }
    }
}
