namespace FedTrust.Core.Data;

/// <summary>
/// The steps the partitioners take, counted per loop (a loop over m items adds m, a sort of m items m·⌈log₂ m⌉), on the
/// calling thread. Tests use it to show a split is linear in samples + clients × classes (× Dirichlet draws) by counting
/// work instead of timing it.
/// </summary>
internal static class PartitionWork
{
    [ThreadStatic] private static long _steps;

    /// <summary>Steps counted on this thread since <see cref="Reset"/>.</summary>
    public static long Steps => _steps;

    public static void Reset() => _steps = 0;

    public static void Add(long steps) => _steps += steps;

    /// <summary>The comparisons a sort of <paramref name="count"/> items is counted as: m·⌈log₂ m⌉.</summary>
    public static void AddSort(int count) => _steps += count <= 1 ? count : (long)count * (64 - long.LeadingZeroCount(count - 1));
}
