using FedTrust.Core.Defenses;
using FedTrust.Core.Privacy;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Defenses;

public class CentralSensitivityTests
{
    private static readonly KrumSettings Krum = new(F: 3, M: null);

    [Theory]
    [InlineData("dp", 1)]
    [InlineData("trust+dp", 1)]
    [InlineData("fedavg", 1)]
    [InlineData("multi-krum+dp", 7)]
    [InlineData("hybrid", 7)]
    public void Weighted_means_have_sensitivity_C_and_multi_krum_2f_plus_1_times_C(string defense, int multiplier)
    {
        Assert.Null(CentralSensitivity.Problem(DefenseSettings.Parse(defense), Krum));
        Assert.Equal(multiplier, CentralSensitivity.Multiplier(DefenseSettings.Parse(defense), Krum));
    }

    [Theory]
    [InlineData("krum+dp", "Krum releases one client's update")]
    [InlineData("median+dp", "order statistic")]
    [InlineData("trimmed-mean+trust+dp", "order statistic")]
    [InlineData("geometric-median+dp", "geometric median")]
    [InlineData("bulyan+dp", "Bulyan")]
    [InlineData("centered-clipping+dp", "centered clipping")]
    [InlineData("fltrust+dp", "FLTrust")]
    [InlineData("foolsgold+dp", "FoolsGold")]
    [InlineData("nnm+dp", "pre-aggregator 'nnm'")]
    [InlineData("clip+trust+dp", "pre-aggregator 'clip'")]
    public void Rules_without_a_sensitivity_bound_are_refused_with_the_reason(string defense, string reason)
    {
        Assert.Contains(reason, CentralSensitivity.Problem(DefenseSettings.Parse(defense), Krum));
        var e = Assert.Throws<ArgumentException>(() => CentralSensitivity.Multiplier(DefenseSettings.Parse(defense), Krum));
        Assert.Contains(defense, e.Message);
    }

    [Fact]
    public void Multi_krum_with_a_fixed_m_is_refused()
    {
        Assert.Contains("fedtrust.krum.m = 5", CentralSensitivity.Problem(DefenseSettings.Parse("hybrid"), Krum with { M = 5 }));
    }
}
