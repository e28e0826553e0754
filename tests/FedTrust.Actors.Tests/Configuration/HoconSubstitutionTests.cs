using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// Substitutions are checked before Akka's parser resolves them: a cycle (which would overflow Akka's stack and kill
/// the process) is a configuration error naming the file, line, column and the cycle; legitimate substitutions work.
/// </summary>
public class HoconSubstitutionTests
{
    [Theory]
    [InlineData("fedtrust {\n  rounds = ${fedtrust.rounds}\n}\n", "my.conf:2:12: substitution cycle: fedtrust.rounds -> fedtrust.rounds")]
    [InlineData("a = ${a}\n", "my.conf:1:5: substitution cycle: a -> a")]
    [InlineData("a = 1\na = ${a}\n", "my.conf:2:5: substitution cycle: a -> a")]
    [InlineData("a = foo\na = ${a}bar\n", "my.conf:2:5: substitution cycle: a -> a")]
    [InlineData("a = [1]\na = ${a} [2]\n", "my.conf:2:5: substitution cycle: a -> a")]
    [InlineData("a { x = 1 }\na = ${a} { y = 2 }\n", "my.conf:2:5: substitution cycle: a -> a")]
    [InlineData("a = ${b}\nb = ${a}\n", "my.conf:1:5: substitution cycle: a -> b -> a")]
    [InlineData("a = 1\nb = ${a}\na = ${b}\n", "my.conf:2:5: substitution cycle: b -> a -> b")]
    [InlineData("x = ${y}\ny = ${z}\nz = ${x}\n", "my.conf:1:5: substitution cycle: x -> y -> z -> x")]
    [InlineData("a { b = ${a} }\n", "my.conf:1:9: substitution cycle: a.b -> a, which contains a.b")]
    [InlineData("a { b { c = ${a} } }\n", "my.conf:1:13: substitution cycle: a.b.c -> a, which contains a.b.c")]
    [InlineData("a { b = ${a.c}, c = ${a.b} }\n", "my.conf:1:9: substitution cycle: a.b -> a.c -> a.b")]
    [InlineData("a = ${b}\nb = ${a}\nc = ${a.x}\n", "my.conf:1:5: substitution cycle: a -> b -> a")]
    [InlineData("a { b = 1 }\nc = ${a}\na { b = ${c.b} }\n", "my.conf:3:9: substitution cycle: a.b -> a.b")]
    [InlineData("xs = [1, ${xs}]\n", "my.conf:1:10: substitution cycle: xs[1] -> xs, which contains xs[1]")]
    public void A_cycle_is_refused_naming_the_line_and_the_cycle(string text, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Parse(text, "my.conf"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_self_reference_explains_that_akka_has_none()
    {
        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Parse("fedtrust.rounds = 3\nfedtrust.rounds = ${fedtrust.rounds}", "my.conf"));
        Assert.Contains("not even to a value it had earlier", e.Message);
    }

    [Theory]
    [InlineData("a = ${?x}\n", "my.conf:1:5: optional substitution ${?x} is not supported")]
    [InlineData("a = ${HOME}\n", "my.conf:1:5: substitution ${HOME}: no key 'HOME' is set")]
    [InlineData("a = ${fedtrust.rounds}\n", "my.conf:1:5: substitution ${fedtrust.rounds}: no key 'fedtrust.rounds' is set")]
    [InlineData("a = 5\nb = ${a.x}\n", "my.conf:2:5: substitution ${a.x}: no key 'a.x' is set")]
    [InlineData("a = ${ b }\nb = 1\n", "my.conf:1:5: substitution ${ b }: write the path plainly")]
    [InlineData("a = ${b..c}\n", "my.conf:1:5: substitution ${b..c}: write the path plainly")]
    [InlineData("a = [1]\na += 2\n", "my.conf:2:1: '+=' is not supported")]
    public void A_substitution_akka_cannot_resolve_is_refused_naming_the_line(string text, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Parse(text, "my.conf"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void An_unresolved_substitution_says_what_a_substitution_can_refer_to()
    {
        var e = Assert.Throws<ConfigurationException>(() => FedTrustConfig.Parse("fedtrust.seed = ${HOME}", "my.conf"));
        Assert.Contains("not to the built-in defaults, another --config file, --set or environment variables", e.Message);
    }

    [Fact]
    public void Legitimate_substitutions_resolve()
    {
        var config = FedTrustConfig.Parse("""
            n = 5
            fedtrust.rounds = ${n}
            fedtrust.dp { epsilon = 3, clip = ${fedtrust.dp.epsilon} }
            copy = ${fedtrust.dp}
            name = run-${n}-x
            mirrors = [${m}, "http://b/"]
            m = "http://a/"
            a = ${b}
            b = ${a}
            a = 1
            """, "ok.conf");

        Assert.Equal(5, config.GetInt("fedtrust.rounds"));
        Assert.Equal(3, config.GetInt("fedtrust.dp.clip"));
        Assert.Equal(3, config.GetInt("copy.epsilon"));
        Assert.Equal("run-5-x", config.GetString("name"));
        Assert.Equal(["http://a/", "http://b/"], config.GetStringList("mirrors"));
        Assert.Equal(1, config.GetInt("b")); // the cycle a <-> b was broken by a = 1, as Akka reads it
    }
}
