using System.Globalization;
using System.Text.Json;

namespace FedTrust.Cli.Reports;

/// <summary>
/// What a run spent of its privacy, as its result.json records it. A central-DP run writes a <c>privacy</c> object
/// (<c>mode</c>, <c>noiseMultiplier</c>, <c>delta</c>, <c>epsilon</c> — null when infinite —, …) and, when it ended at
/// its budget, <c>stopped</c> {round, reason}; a local-DP run (or an older file) has neither, and its ε is the last
/// round's <c>epsilon</c>. Every value is read by name and may be absent.
/// </summary>
/// <param name="Central">Whether the run used central DP (<c>privacy.mode</c>, else <c>config.dp.mode</c>, is "central").</param>
/// <param name="Epsilon">The ε spent over the run; +∞ when the run added no noise or recorded no ε.</param>
/// <param name="NoiseMultiplier">σ of the Gaussian noise, relative to the clipping norm (<c>privacy.noiseMultiplier</c>).</param>
/// <param name="Delta">The δ the ε is stated at (<c>privacy.delta</c>, else <c>config.dp.delta</c>).</param>
/// <param name="StoppedRound">The round a run ended at when it stopped at its privacy budget (<c>stopped.round</c>).</param>
public sealed record RunPrivacy(bool Central, double Epsilon, double? NoiseMultiplier, double? Delta, int? StoppedRound)
{
    /// <summary>The privacy of <paramref name="result"/>.</summary>
    public static RunPrivacy Of(ResultFile result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var privacy = result.Privacy is { ValueKind: JsonValueKind.Object } p ? p : (JsonElement?)null;
        var dp = result.Config.Dp is { ValueKind: JsonValueKind.Object } d ? d : (JsonElement?)null;
        var mode = Text(privacy, "mode") ?? Text(dp, "mode");
        // A privacy object states the run's ε (null: infinite); without one, the accountant's last per-round value does.
        var epsilon = privacy is not null ? Number(privacy, "epsilon") : result.Rounds.LastOrDefault()?.Epsilon;
        return new RunPrivacy(
            string.Equals(mode?.Trim(), "central", StringComparison.OrdinalIgnoreCase),
            epsilon is { } e && !double.IsNaN(e) ? e : double.PositiveInfinity,
            Number(privacy, "noiseMultiplier"),
            Number(privacy, "delta") ?? Number(dp, "delta"),
            Number(result.Stopped is { ValueKind: JsonValueKind.Object } s ? s : null, "round") is { } round ? (int)round : null);
    }

    private static string? Text(JsonElement? element, string name) =>
        element is { } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A number by name: a JSON number, or a string such as "inf", "Infinity" or "1e-5"; null when absent or not a number.</summary>
    private static double? Number(JsonElement? element, string name)
    {
        if (element is not { } e || !e.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => value.GetString()?.Trim() switch
            {
                "inf" or "Infinity" or "+Infinity" or "∞" => double.PositiveInfinity,
                var text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
            },
            _ => null,
        };
    }
}
