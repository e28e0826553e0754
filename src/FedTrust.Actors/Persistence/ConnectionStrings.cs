using System.Text;
using System.Text.RegularExpressions;

namespace FedTrust.Actors.Persistence;

/// <summary>
/// Keeps database passwords out of everything a run writes or says: result.json, messages, logs. A redacted
/// connection string is the original without its password (key=value form: the <c>Password</c>/<c>Pwd</c> part
/// removed, quoted values with ';' handled; URI form: the password after <c>user:</c> removed).
/// </summary>
public static partial class ConnectionStrings
{
    private static readonly string[] SecretKeys = ["password", "pwd"];

    /// <summary>True when <paramref name="journal"/> names a database server rather than a file.</summary>
    public static bool IsConnectionString(string journal) =>
        UriCredentials().IsMatch(journal) || (journal.Contains('=') && journal.Contains(';'));

    /// <summary>The connection string without its password; anything else unchanged.</summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        text = UriCredentials().Replace(text, m => $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}@");
        if (!text.Contains('=')) return text;
        var kept = Parts(text).Where(p => !SecretKeys.Contains(Key(p), StringComparer.OrdinalIgnoreCase));
        return string.Join(';', kept);
    }

    /// <summary>Every password-bearing part of any connection string inside <paramref name="message"/> replaced by <c>Password=***</c>.</summary>
    public static string Scrub(string message) =>
        string.IsNullOrEmpty(message) ? message : UriCredentials().Replace(InlinePassword().Replace(message, "${key}=***"), m => $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}:***@");

    /// <summary>True when the key=value connection string sets <paramref name="key"/> (case-insensitive).</summary>
    public static bool HasKey(string text, string key) =>
        Parts(text).Any(p => string.Equals(Key(p), key, StringComparison.OrdinalIgnoreCase));

    private static string Key(string part)
    {
        var eq = part.IndexOf('=');
        return (eq < 0 ? part : part[..eq]).Trim();
    }

    /// <summary>Splits key=value;… at the semicolons that are not inside a quoted value.</summary>
    private static IEnumerable<string> Parts(string text)
    {
        var part = new StringBuilder();
        char? quote = null;
        var inValue = false;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                part.Append(c);
                if (c == q) quote = null;
                continue;
            }
            if (c == ';')
            {
                yield return part.ToString();
                part.Clear();
                inValue = false;
                continue;
            }
            if (c == '=') inValue = true;
            else if (inValue && c is '"' or '\'' && part.ToString().TrimEnd().EndsWith('=')) quote = c;
            part.Append(c);
        }
        if (part.Length > 0) yield return part.ToString();
    }

    [GeneratedRegex(@"(?<scheme>[a-z][a-z0-9+.-]*://)(?<user>[^:/@\s]+):[^@\s]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UriCredentials();

    [GeneratedRegex(@"(?<key>\b(?:password|pwd))\s*=\s*(?:""[^""]*""|'[^']*'|[^;\s""']*)", RegexOptions.IgnoreCase)]
    private static partial Regex InlinePassword();
}
