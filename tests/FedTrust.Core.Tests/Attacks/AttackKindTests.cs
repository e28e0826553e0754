using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Attacks;

public sealed class AttackKindTests
{
    [Fact]
    public void Names_round_trip_through_parse_for_every_kind()
    {
        Assert.Equal(Enum.GetValues<AttackKind>().Length, AttackKinds.Names.Count);
        foreach (var kind in Enum.GetValues<AttackKind>())
        {
            Assert.Equal(kind, AttackKinds.Parse(AttackKinds.Name(kind)));
        }
        Assert.Equal("gradient-manipulation", AttackKinds.Name(AttackKind.GradientManipulation));
        Assert.Equal(AttackKind.SignFlip, AttackKinds.Parse(" Sign-Flip "));
    }

    [Fact]
    public void An_unknown_name_lists_the_allowed_ones()
    {
        // (Issue 10 made "backdoor", the name used here before, a real attack.)
        var e = Assert.Throws<ArgumentException>(() => AttackKinds.Parse("trojan"));

        Assert.Contains("'trojan'", e.Message);
        Assert.Contains("none, label-flip, gradient-manipulation, gradient-scale, gradient-noise, sign-flip", e.Message);
    }

    [Fact]
    public void Only_label_flip_and_the_backdoor_poison_data_and_only_gradient_attacks_poison_updates()
    {
        Assert.Equal([AttackKind.LabelFlip, AttackKind.Backdoor], Enum.GetValues<AttackKind>().Where(AttackKinds.PoisonsData));
        Assert.Equal(
            [AttackKind.GradientManipulation, AttackKind.GradientScale, AttackKind.GradientNoise, AttackKind.SignFlip],
            Enum.GetValues<AttackKind>().Where(AttackKinds.PoisonsUpdate));
        Assert.Throws<ArgumentOutOfRangeException>(() => AttackKinds.Name((AttackKind)42));
    }
}
