using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

public class HoconSyntaxTests
{
    [Theory]
    [InlineData("a {\n b = 1\n c = [1,2\n}\n", 4, "'[' opened at line 3 is never closed")]
    [InlineData("a {\n b == 1\n}\n", 2, "missing value for key 'b'")]
    [InlineData("a {\n b = 1\n", 3, "'{' opened at line 1 is never closed")]
    [InlineData("a {\n b = 1\n}}\n", 3, "'}' without a matching '{'")]
    [InlineData("a {\n b = \"x\n}\n", 2, "unterminated string")]
    [InlineData("a {\n b 1\n}\n", 2, "expected '=', ':' or '{' after key 'b 1'")]
    [InlineData("a = ${nope\n", 1, "unclosed substitution")]
    [InlineData("a = 1 ]\n", 1, "unexpected ']'")]
    [InlineData("a = x!y\n", 1, "unexpected character '!'")]
    public void Errors_name_the_file_and_the_line(string text, int line, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSyntax.Check(text, "my.conf"));
        Assert.StartsWith($"my.conf:{line}:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("fedtrust { model = cnn, rounds = 3 }")]
    [InlineData("fedtrust.data.dir = \"/tmp/x\" # comment\n// another\nfedtrust.seed: 7")]
    [InlineData("a { b { c = [ \"x\", 2, { d = 1 } ]\n} }\ne = ${a.b.c}\nf += 3\ng = 10m")]
    [InlineData("{ a = 1 }")]
    [InlineData("a = \"\"\"multi\nline\"\"\"\nb = 2")]
    [InlineData("include \"other.conf\"\na = 1")]
    public void Valid_hocon_passes(string text) => HoconSyntax.Check(text, "ok.conf");

    [Fact]
    public void The_shipped_configuration_files_are_valid()
    {
        var hocon = Path.Combine(RepoPaths.Root, "hocon");
        var files = Directory.GetFiles(hocon, "*.conf");
        Assert.NotEmpty(files);
        foreach (var file in files) FedTrustConfig.ParseFile(file);
    }
}
