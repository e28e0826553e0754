namespace FedTrust.Core.Defenses;

/// <summary>The checks every update passes before it may be aggregated.</summary>
public static class UpdateValidation
{
    /// <summary>Why an update cannot be used, or null when it can: wrong length, or a NaN or infinite value.</summary>
    public static string? Problem(ReadOnlySpan<float> delta, int expectedLength)
    {
        if (delta.Length != expectedLength)
            return $"has {delta.Length} values, expected {expectedLength}";
        for (var i = 0; i < delta.Length; i++)
        {
            if (!float.IsFinite(delta[i]))
                return $"has a non-finite value ({delta[i]}) at index {i}";
        }
        return null;
    }
}
