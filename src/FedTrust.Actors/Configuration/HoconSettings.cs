using Akka.Configuration;
using FedTrust.Core.Configuration;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// The composed HOCON configuration as the settings reader sees it (<see cref="ISettingsSource"/>): values, lists and
/// durations as Akka's <see cref="Config"/> reads them (so every value accepted or refused, and every message, is Akka's),
/// over the built-in defaults (<see cref="FedTrustConfig.Defaults"/>). <see cref="Read"/> is the typed settings of a
/// configuration (<see cref="SettingsReader.Read"/>).
/// </summary>
public sealed class HoconSettings(Config config) : ISettingsSource
{
    private static readonly Lazy<HoconSettings> BuiltInDefaults = new(() => new HoconSettings(FedTrustConfig.Defaults, isDefaults: true));

    /// <summary>Whether this is the built-in defaults themselves (which have none below them).</summary>
    private readonly bool _isDefaults;

    private HoconSettings(Config config, bool isDefaults) : this(config) => _isDefaults = isDefaults;

    /// <summary>The settings of <paramref name="config"/> (<see cref="SettingsReader.Read"/>).</summary>
    public static ExperimentSettings Read(Config config, bool checkDefenseFits = true, bool checkPrivacyKeys = true) =>
        SettingsReader.Read(new HoconSettings(config), checkDefenseFits, checkPrivacyKeys);

    /// <summary>The <c>fedtrust.dp</c> keys set away from the built-in defaults that the settings would not use (<see cref="SettingsReader.UnusedPrivacyKeys"/>).</summary>
    public static IReadOnlyList<(string Key, string Message)> UnusedPrivacyKeys(Config config, ExperimentSettings settings) =>
        SettingsReader.UnusedPrivacyKeys(new HoconSettings(config), settings);

    /// <summary>The values of a list key; a single value where a list belongs is refused (<see cref="SettingsReader.List"/>).</summary>
    public static List<string> List(Config config, string key, string allowed = "a list in brackets, e.g. [a, b]") =>
        SettingsReader.List(new HoconSettings(config), key, allowed);

    /// <summary>The presets <paramref name="config"/> defines itself (<see cref="SettingsReader.UserPresets"/>).</summary>
    public static IReadOnlyList<(string Name, string Composition)> UserPresets(Config config) =>
        SettingsReader.UserPresets(new HoconSettings(config));

    public ISettingsSource? Defaults => _isDefaults ? null : BuiltInDefaults.Value;

    public string? GetString(string key) => config.GetString(key);

    public bool HasPath(string key) => config.HasPath(key);

    public bool IsObject(string key) => config.GetValue(key) is { } value && value.IsObject();

    public IReadOnlyList<string>? GetStringList(string key, out string? shown)
    {
        var value = config.GetValue(key);
        // Not IsArray(): Akka's HOCON says false for []. A single value would read as an empty list and the setting vanish.
        if (value is null || value.IsString() || value.IsObject())
        {
            shown = value?.IsString() == true ? value.GetString() : value?.ToString();
            return null;
        }
        shown = null;
        return config.GetStringList(key).ToList();
    }

    public bool TryGetDuration(string key, out TimeSpan duration)
    {
        try
        {
            duration = config.GetTimeSpan(key, null, allowInfinite: false);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            duration = default;
            return false;
        }
    }

    public IEnumerable<string> LeafPaths(string key) => FedTrustConfig.LeafPaths(config.GetValue(key), "");
}
