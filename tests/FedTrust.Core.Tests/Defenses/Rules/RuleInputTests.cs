using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses.Rules;

/// <summary>Every rule refuses the same malformed update lists, each message led by the rule's name.</summary>
public class RuleInputTests
{
    public static TheoryData<string> Rules => new()
    {
        "trimmed mean", "geometric median", "Bulyan", "centered clipping", "FLTrust", "FoolsGold", "FoolsGold.Aggregate",
        "nearest-neighbour mixing", "bucketing", "norm clipping",
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Refuses_no_updates_empty_updates_unequal_lengths_and_non_finite_values(string rule)
    {
        Assert.StartsWith($"{Name(rule)} needs at least one update", Refusal(rule, []));
        Assert.StartsWith($"{Name(rule)} needs updates of at least one value: update 0 is empty", Refusal(rule, [[], []]));
        Assert.StartsWith($"{Name(rule)} needs finite, equally long updates: update 1 has 3 values, expected 2",
            Refusal(rule, [[1, 2], [1, 2, 3], [0, 0]]));
        Assert.StartsWith($"{Name(rule)} needs finite, equally long updates: update 2 has 1 non-finite value (NaN at index 1)",
            Refusal(rule, [[1, 2], [3, 4], [5, float.NaN]]));
        Assert.StartsWith($"{Name(rule)} needs updates: update 1 is null", Refusal(rule, [[1, 2], null!, [0, 0]]));
    }

    private static string Name(string rule) => rule == "FoolsGold.Aggregate" ? "FoolsGold" : rule;

    private static string Refusal(string rule, List<float[]> updates) => Assert.Throws<ArgumentException>(() => Run(rule, updates)).Message;

    private static object Run(string rule, List<float[]> updates) => rule switch
    {
        "trimmed mean" => TrimmedMean.Aggregate(updates, 0),
        "geometric median" => GeometricMedian.Aggregate(updates, [.. updates.Select(_ => 1.0)], 10, 1e-6, 1e-6),
        "Bulyan" => Bulyan.Aggregate(updates, 0),
        "centered clipping" => CenteredClipping.Aggregate(updates, new float[2], 1, 1),
        "FLTrust" => FlTrust.Aggregate(updates, [1, 0]),
        "FoolsGold" => new FoolsGold().Weights([.. updates.Select((u, i) => StageUpdate.Of($"c{i}", u, 1))]),
        "FoolsGold.Aggregate" => FoolsGold.Aggregate(updates, [.. updates.Select(_ => 1.0)]),
        "nearest-neighbour mixing" => NearestNeighborMixing.Apply(updates, 0),
        "bucketing" => Bucketing.Apply(updates, 2, DeterministicRandom.For(1)),
        "norm clipping" => NormClipping.Apply(updates, null),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
    };
}
