namespace FedTrust.Core.Configuration;

/// <summary>
/// What <see cref="SettingsReader"/> needs from a composed configuration, by dotted key (<c>fedtrust.krum.f</c>): its
/// values as text, whether a key holds an object or a list, a list's values, a duration, and the keys below one. The
/// HOCON adapter (FedTrust.Actors) answers from Akka's <c>Config</c>, so the reader itself needs no Akka.
/// </summary>
public interface ISettingsSource
{
    /// <summary>The value of <paramref name="key"/> as text (a number, a switch, a duration as written), or null when it is missing.</summary>
    string? GetString(string key);

    /// <summary>Whether <paramref name="key"/> is set (to a value, a list or an object).</summary>
    bool HasPath(string key);

    /// <summary>Whether <paramref name="key"/> holds an object (keys of its own).</summary>
    bool IsObject(string key);

    /// <summary>
    /// The values of the list at <paramref name="key"/>, or null when it holds no list (missing, a single value or an
    /// object); then <paramref name="shown"/> is how its value reads in a message (null when missing).
    /// </summary>
    IReadOnlyList<string>? GetStringList(string key, out string? shown);

    /// <summary>The duration at <paramref name="key"/> (30s, 5m, 1h), or false when it is missing, not a duration, or infinite.</summary>
    bool TryGetDuration(string key, out TimeSpan duration);

    /// <summary>The keys of the values below <paramref name="key"/>, relative to it (<c>adaptive-clip.enabled</c>), in the configuration's order.</summary>
    IEnumerable<string> LeafPaths(string key);

    /// <summary>The shipped defaults this configuration was composed over, against which a key counts as set away from its default; null when there are none.</summary>
    ISettingsSource? Defaults { get; }
}
