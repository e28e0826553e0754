using System.Text;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// A strict syntax check of HOCON text that reports the file, line and column of the first error.
/// Akka's built-in parser accepts much malformed input silently (<c>b == 1</c> parses as an empty value)
/// and loops forever on an unclosed array, so every configuration text is checked here before Akka reads it.
/// It checks structure only (balanced braces and brackets, keys followed by a separator or an object,
/// a value after every separator, closed strings and substitutions); values are typed later.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Throws <see cref="ConfigurationException"/> at the first syntax error in <paramref name="text"/>.</summary>
    public static void Check(string text, string source)
    {
        var tokens = Tokenizer.Tokenize(text, source);
        new Parser(tokens, source).ParseRoot();
    }

    private enum Kind { OpenBrace, CloseBrace, OpenBracket, CloseBracket, Separator, Comma, Newline, Quoted, Unquoted, Substitution, End }

    private readonly record struct Token(Kind Kind, string Text, int Line, int Column)
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
                    tokens.Add(new Token(Kind.Newline, "\n", line, Col(i)));
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
                    case '{': tokens.Add(new Token(Kind.OpenBrace, "{", line, Col(i))); i++; continue;
                    case '}': tokens.Add(new Token(Kind.CloseBrace, "}", line, Col(i))); i++; continue;
                    case '[': tokens.Add(new Token(Kind.OpenBracket, "[", line, Col(i))); i++; continue;
                    case ']': tokens.Add(new Token(Kind.CloseBracket, "]", line, Col(i))); i++; continue;
                    case ',': tokens.Add(new Token(Kind.Comma, ",", line, Col(i))); i++; continue;
                    case '=' or ':': tokens.Add(new Token(Kind.Separator, c.ToString(), line, Col(i))); i++; continue;
                    case '+' when i + 1 < text.Length && text[i + 1] == '=':
                        tokens.Add(new Token(Kind.Separator, "+=", line, Col(i))); i += 2; continue;
                }
                if (c == '"')
                {
                    var startLine = line;
                    var startCol = Col(i);
                    if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                    {
                        var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                        if (end < 0) throw Error(source, startLine, startCol, "unterminated triple-quoted string");
                        var body = text[(i + 3)..end];
                        tokens.Add(new Token(Kind.Quoted, body, startLine, startCol));
                        foreach (var ch in body) if (ch == '\n') line++;
                        i = end + 3;
                        while (i < text.Length && text[i] == '"') i++;
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
                    tokens.Add(new Token(Kind.Quoted, sb.ToString(), startLine, startCol));
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
                    tokens.Add(new Token(Kind.Substitution, text[i..(end + 1)], line, col));
                    i = end + 1;
                    continue;
                }
                if (Forbidden.IndexOf(c) >= 0)
                    throw Error(source, line, Col(i), $"unexpected character '{c}' (quote the text if it is part of a value)");
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && Forbidden.IndexOf(text[i]) < 0
                       && !(text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/'))
                    i++;
                tokens.Add(new Token(Kind.Unquoted, text[start..i], line, Col(start)));
            }
            tokens.Add(new Token(Kind.End, "", line, Col(i)));
            return tokens;
        }
    }

    private sealed class Parser(List<Token> tokens, string source)
    {
        private int _at;

        private Token Peek => tokens[_at];
        private Token Next() => tokens[_at++];

        private ConfigurationException Error(Token at, string message) => HoconSyntax.Error(source, at.Line, at.Column, message);

        public void ParseRoot()
        {
            SkipNewlines();
            if (Peek.Kind == Kind.OpenBrace)
            {
                ParseObject(Next());
                SkipNewlines();
                if (Peek.Kind != Kind.End) throw Error(Peek, $"unexpected {Peek.Describe()} after the root object");
            }
            else
            {
                ParseFields(null);
            }
        }

        private void SkipNewlines()
        {
            while (Peek.Kind == Kind.Newline) _at++;
        }

        private void ParseObject(Token open) => ParseFields(open);

        /// <summary>Fields until the '}' closing <paramref name="open"/>, or until end of file for the root.</summary>
        private void ParseFields(Token? open)
        {
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == Kind.End)
                {
                    if (open is { } o) throw Error(t, $"'{{' opened at line {o.Line} is never closed");
                    return;
                }
                if (t.Kind == Kind.CloseBrace)
                {
                    if (open is null) throw Error(t, "'}' without a matching '{'");
                    _at++;
                    return;
                }
                if (t.Kind == Kind.Unquoted && t.Text == "include" && tokens[_at + 1].Kind == Kind.Quoted)
                {
                    _at += 2;
                    continue;
                }
                if (t.Kind is not (Kind.Unquoted or Kind.Quoted))
                    throw Error(t, $"expected a key, found {t.Describe()}");

                var key = new StringBuilder();
                Token? previous = null;
                while (Peek.Kind is Kind.Unquoted or Kind.Quoted)
                {
                    var part = Next();
                    if (previous is { } p && (part.Line != p.Line || part.Column > p.Column + p.Text.Length + (p.Kind == Kind.Quoted ? 2 : 0)))
                        key.Append(' ');
                    key.Append(part.Text);
                    previous = part;
                }
                var sep = Peek;
                if (sep.Kind == Kind.OpenBrace)
                {
                    ParseObject(Next());
                }
                else if (sep.Kind == Kind.Separator)
                {
                    _at++;
                    if (!ParseValue())
                        throw Error(Peek, $"missing value for key '{key}' after '{sep.Text}' (found {Peek.Describe()})");
                }
                else
                {
                    throw Error(sep, $"expected '=', ':' or '{{' after key '{key}', found {sep.Describe()}");
                }
                var after = Peek;
                if (after.Kind is not (Kind.Newline or Kind.Comma or Kind.End or Kind.CloseBrace))
                    throw Error(after, $"unexpected {after.Describe()} after the value of '{key}'");
            }
        }

        /// <summary>A value: a concatenation of strings, substitutions, objects and arrays. False when there is none.</summary>
        private bool ParseValue()
        {
            var parts = 0;
            while (true)
            {
                var t = Peek;
                switch (t.Kind)
                {
                    case Kind.Unquoted or Kind.Quoted or Kind.Substitution: _at++; parts++; break;
                    case Kind.OpenBrace: _at++; ParseObject(t); parts++; break;
                    case Kind.OpenBracket: _at++; ParseArray(t); parts++; break;
                    default: return parts > 0;
                }
            }
        }

        private void ParseArray(Token open)
        {
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == Kind.CloseBracket) { _at++; return; }
                if (t.Kind is Kind.End or Kind.CloseBrace)
                    throw Error(t, $"'[' opened at line {open.Line} is never closed (found {t.Describe()})");
                if (!ParseValue()) throw Error(t, $"expected an array element or ']', found {t.Describe()}");
                var after = Peek;
                if (after.Kind is not (Kind.Newline or Kind.Comma or Kind.CloseBracket or Kind.End))
                    throw Error(after, $"unexpected {after.Describe()} in the array opened at line {open.Line}");
            }
        }
    }
}
