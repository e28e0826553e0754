using System.Text.Json;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A Poisson sample may draw fewer clients than Krum's n &gt; 2f + 2 needs. By default (fedtrust.krum.short-rounds =
/// shrink-f) such a round runs Krum with the largest f its n allows (and averages below 3 updates) instead of failing the
/// run, and says so: result.json records each round's f (rounds[].krumF) and why a round was short (rounds[].shortRound),
/// and the round line prints both. skip-round makes no model update in a short round; fail ends the run (exit 1) after
/// writing result.json. Bucketing records the buckets it formed, and a bucket size that would make every round one
/// bucket is refused.
/// </summary>
public class PoissonKrumCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-poisson-krum-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>40 clients, 5 expected per round, multi-krum with krum.f = 1 (n &gt; 4 needed): the seed's draws include rounds of at most 4 clients.</summary>
    private static readonly string[] Short =
    [
        "--clients", "40", "--set", "fedtrust.clients-per-round=5", "--set", "fedtrust.sampling=poisson", "--set", "fedtrust.defense=multi-krum",
        "--set", "fedtrust.krum.f=1", "--set", "fedtrust.attack.malicious=0", "--set", "fedtrust.persistence.provider=memory",
    ];

    private static List<JsonElement> Rounds(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.GetProperty("rounds").EnumerateArray().Select(r => r.Clone()).ToList();
    }

    private static int N(JsonElement round) => round.GetProperty("participants").GetArrayLength();

    private static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : null;

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    /// <summary>The round line of round <paramref name="round"/> of <paramref name="rounds"/> in the run's output.</summary>
    private static string Line(string output, int round, int rounds) =>
        Assert.Single(output.Split('\n'), l => l.StartsWith($"round {round}/{rounds} ", StringComparison.Ordinal));

    [Fact]
    public async Task Rounds_that_draw_too_few_clients_for_krum_use_a_smaller_f_and_record_it()
    {
        var dir = Path.Combine(_root, "run");
        var (code, output, error) = await Run(["run", "--rounds", "8", "--out", dir, .. Short]);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var rounds = Rounds(dir);
        Assert.Equal(8, rounds.Count);
        Assert.Contains(rounds, r => N(r) is > 0 and <= 4);
        foreach (var r in rounds)
        {
            var round = r.GetProperty("round").GetInt32();
            var n = N(r);
            var excluded = r.GetProperty("excluded").GetArrayLength();
            // multi-krum keeps m = n − f: f = 1 where n > 4, ⌊(n − 3)/2⌋ for 3 ≤ n ≤ 4 (so 0), none below 3 (the mean).
            var f = n > 4 ? 1 : n >= 3 ? (n - 3) / 2 : 0;
            Assert.True(excluded == f, $"round {round}: {n} updates, {excluded} left out, expected {f}");
            int? krumF = n >= 3 ? f : null;
            Assert.Equal(krumF, Int(r, "krumF"));
            var line = Line(output, round, 8);
            if (krumF is { } used) Assert.Contains($"  f {used}", line);
            if (n is > 0 and <= 4)
            {
                var why = $"{n} valid updates ({r.GetProperty("sampled").GetArrayLength()} clients sampled), too few for multi-krum with fedtrust.krum.f = 1 (n > 2f + 2); "
                          + (n >= 3 ? "ran with f = 0" : "averaged instead (fewer than 3 updates)");
                Assert.Equal(why, Text(r, "shortRound"));
                Assert.Contains($"  short round ({n} updates){(n < 3 ? ": averaged" : "")}", line);
            }
            else
            {
                Assert.Null(Text(r, "shortRound"));
                Assert.DoesNotContain("short round", line);
            }
            Assert.Null(Text(r, "skipped"));
        }
    }

    [Fact]
    public async Task Skip_round_leaves_the_model_unchanged_in_a_short_round_and_fail_ends_the_run_there()
    {
        var skipDir = Path.Combine(_root, "skip");
        var (code, output, error) = await Run(["run", "--rounds", "8", "--out", skipDir, .. Short, "--set", "fedtrust.krum.short-rounds=skip-round"]);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var rounds = Rounds(skipDir);
        var first = rounds.First(r => N(r) is > 0 and <= 4);
        double? previous = null;
        foreach (var r in rounds)
        {
            var round = r.GetProperty("round").GetInt32();
            var n = N(r);
            var accuracy = r.GetProperty("accuracy").GetDouble();
            if (n is > 0 and <= 4)
            {
                var why = $"{n} valid updates ({r.GetProperty("sampled").GetArrayLength()} clients sampled), too few for multi-krum with fedtrust.krum.f = 1 (n > 2f + 2); "
                          + "skipped (fedtrust.krum.short-rounds = skip-round): the global model is unchanged";
                Assert.Equal(why, Text(r, "skipped"));
                Assert.Contains($"  SKIPPED: short round ({n} updates)", Line(output, round, 8));
                Assert.Null(Int(r, "krumF"));
                Assert.Equal(0, r.GetProperty("excluded").GetArrayLength());
                // No model update: the global model, and so its test metrics, are the previous round's.
                if (previous is { } before) Assert.Equal(before, accuracy);
            }
            else
            {
                Assert.Null(Text(r, "skipped"));
                if (n > 4) Assert.Equal(1, Int(r, "krumF"));
            }
            previous = accuracy;
        }

        // fail: the same draws (they depend on the seed and round only) end the run at the first short round.
        var failed = first.GetProperty("round").GetInt32();
        var failDir = Path.Combine(_root, "fail");
        (code, output, error) = await Run(["run", "--rounds", failed.ToString(), "--out", failDir, .. Short, "--set", "fedtrust.krum.short-rounds=fail"]);
        var reason = $"round {failed}: {N(first)} valid updates ({first.GetProperty("sampled").GetArrayLength()} clients sampled), too few for multi-krum " +
                     "with fedtrust.krum.f = 1 (n > 2f + 2); fedtrust.krum.short-rounds = fail ends the run";
        Assert.Equal(1, code);
        Assert.Equal($"error: {reason}; wrote {Path.Combine(failDir, "result.json")}", error.Trim());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(failDir, "result.json")));
        Assert.Equal(failed - 1, doc.RootElement.GetProperty("rounds").GetArrayLength());
        var record = doc.RootElement.GetProperty("failed");
        Assert.Equal(failed, record.GetProperty("round").GetInt32());
        Assert.Equal(reason, record.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_bucket_size_that_puts_every_update_into_one_bucket_is_refused_and_nothing_is_written()
    {
        var dir = Path.Combine(_root, "refused");
        var (code, output, error) = await Run("run", "--clients", "10", "--rounds", "1", "--out", dir,
            "--set", "fedtrust.defense={pre=[bucketing], rule=median, bucket-size=10}");
        Assert.True(code == 2, $"exit {code}\n{error}\n{output}");
        Assert.Equal("error: fedtrust.defense.bucket-size = 10: bucketing with a bucket size of at least n puts all of a round's updates into one bucket, " +
                     "so 'bucketing+median' would be a plain mean (fedtrust.clients = 10); use a bucket size below 10", error.Trim());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Poisson_rounds_record_the_buckets_they_formed_and_say_when_one_bucket_made_the_round_a_mean()
    {
        var dir = Path.Combine(_root, "buckets");
        var (code, output, error) = await Run("run", "--clients", "40", "--rounds", "8", "--out", dir,
            "--set", "fedtrust.clients-per-round=5", "--set", "fedtrust.sampling=poisson", "--set", "fedtrust.attack.malicious=0",
            "--set", "fedtrust.persistence.provider=memory", "--set", "fedtrust.defense={pre=[bucketing], rule=median, bucket-size=4}");
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var rounds = Rounds(dir);
        Assert.Contains(rounds, r => N(r) is >= 2 and <= 4);
        foreach (var r in rounds.Where(r => N(r) > 0))
        {
            var round = r.GetProperty("round").GetInt32();
            var n = N(r);
            var buckets = (n + 3) / 4;
            Assert.Equal(buckets, Int(r, "buckets"));
            Assert.Contains($"  buckets {buckets}", Line(output, round, 8));
            if (n is >= 2 and <= 4) Assert.Contains($"  short round ({n} updates)", Line(output, round, 8));
            Assert.Null(Int(r, "krumF"));
            if (n is >= 2 and <= 4)
                Assert.Equal($"bucketing formed 1 bucket from {n} valid updates (fedtrust.defense.bucket-size = 4): the round's aggregate is their mean", Text(r, "shortRound"));
            else Assert.Null(Text(r, "shortRound"));
        }
    }
}
