using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Akka.Actor;

namespace FedTrust.Actors.Tests.Serialization;

/// <summary>
/// Asserts that two messages are equal bit for bit, property by property (records compare arrays by reference and
/// doubles with NaN = NaN and 0 = −0, which is too weak for a wire format): floats and doubles by their bit patterns,
/// arrays, lists and dictionaries in order and content, actor references by path and uid, nested records recursively.
/// </summary>
internal static class BitExact
{
    public static void Equal(object? expected, object? actual) => Equal(expected, actual, expected?.GetType().Name ?? "value");

    /// <summary>Bitwise equality of two float arrays, naming the first differing index and both bit patterns.</summary>
    public static void Floats(float[] expected, float[] actual, string path = "floats")
    {
        Assert.True(expected.Length == actual.Length, $"{path}: {actual.Length} values, expected {expected.Length}");
        var e = MemoryMarshal.Cast<float, int>(expected.AsSpan());
        var a = MemoryMarshal.Cast<float, int>(actual.AsSpan());
        if (e.SequenceEqual(a)) return;
        var i = 0;
        while (e[i] == a[i]) i++;
        Assert.Fail($"{path}[{i}]: bits 0x{a[i]:X8}, expected 0x{e[i]:X8}");
    }

    private static void Equal(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {Show(actual)}, expected {Show(expected)}");
            return;
        }
        switch (expected)
        {
            case IActorRef actorRef:
                // The same actor (path and uid), whatever class of reference the receiving side resolved it to.
                Assert.True(actorRef.Equals(actual), $"{path}: {Show(actual)}, expected {Show(expected)}");
                return;
            case float[] floats:
                Assert.IsType<float[]>(actual);
                Floats(floats, (float[])actual, path);
                return;
            case IDictionary map:
                var other = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.True(map.Count == other.Count, $"{path}: {other.Count} entries, expected {map.Count}");
                foreach (DictionaryEntry entry in map)
                {
                    Assert.True(other.Contains(entry.Key), $"{path}: key '{entry.Key}' is missing");
                    Equal(entry.Value, other[entry.Key], $"{path}[{entry.Key}]");
                }
                return;
            case IList list:
                var items = Assert.IsAssignableFrom<IList>(actual);
                Assert.True(list.Count == items.Count, $"{path}: {items.Count} items, expected {list.Count}");
                for (var i = 0; i < list.Count; i++) Equal(list[i], items[i], $"{path}[{i}]");
                return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: a {actual.GetType().Name}, expected a {expected.GetType().Name}");
        switch (expected)
        {
            case double d:
                Assert.True(BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual),
                    $"{path}: {Show(actual)}, expected {Show(expected)} (bitwise)");
                return;
            case string or int or bool or Enum:
                Assert.True(expected.Equals(actual), $"{path}: {Show(actual)}, expected {Show(expected)}");
                return;
        }
        // A record of this project (a message, UpdateEvidence): property by property.
        Assert.True(expected.GetType().Namespace?.StartsWith("FedTrust.", StringComparison.Ordinal) == true,
            $"{path}: {expected.GetType().FullName} is not a type BitExact knows how to compare");
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Equal(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        double d => $"{d:R} (0x{BitConverter.DoubleToInt64Bits(d):X16})",
        _ => value.ToString() ?? "?",
    };
}
