using FedTrust.Actors.Persistence;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>checkpoint.json brings back every round exactly: non-finite losses, rejection reasons and the divergence.</summary>
public class CheckpointRoundTripTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static RoundResult Round(int round, double loss) =>
        new(round, new ClassificationMetrics(0.5, 0.4, 0.3, 0.2), loss, 1.25, ["client-0", "client-1"], ["client-9"], 1 << 20)
        {
            Excluded = ["client-1"],
            Rejected = ["client-2", "client-10"],
            Rejections = new SortedDictionary<string, string>
            {
                ["client-2"] = "has 159010 non-finite values (NaN at index 0)",
                ["client-10"] = "was withheld by the client under DP (non-finite, found before clipping)",
            },
            Trust = new SortedDictionary<string, double> { ["client-0"] = 1, ["client-1"] = 0.25 },
            Epsilon = 12.5,
        };

    [Fact]
    public void Non_finite_losses_rejection_reasons_and_the_divergence_come_back_exactly()
    {
        var rounds = new[]
        {
            Round(1, 0.125),
            Round(2, double.NegativeInfinity),
            Round(3, double.PositiveInfinity),
            Round(4, double.NaN) with { DivergenceReason = "the global model's loss is NaN (its largest weight is 3.93E+23)" },
        };
        var file = CheckpointFile.In(_root);
        file.Save(new RunCheckpoint("run-1", "fingerprint", 4, [1f, float.NaN, float.PositiveInfinity], rounds));

        var loaded = file.Load()!;

        Assert.Equal(new[] { 0.125, double.NegativeInfinity, double.PositiveInfinity, double.NaN }, loaded.Rounds.Select(r => r.Loss));
        Assert.Equal(new float[] { 1f, float.NaN, float.PositiveInfinity }, loaded.GlobalWeights);
        Assert.All(loaded.Rounds.Zip(rounds), pair =>
        {
            var (back, saved) = pair;
            Assert.Equal(saved.Rejected, back.Rejected);
            Assert.Equal(saved.Rejections, back.Rejections);
            Assert.Equal(saved.DivergenceReason, back.DivergenceReason);
            Assert.Equal(saved.Trust, back.Trust);
            Assert.Equal((saved.Metrics, saved.Seconds, saved.Epsilon, saved.RssBytes), (back.Metrics, back.Seconds, back.Epsilon, back.RssBytes));
        });
        Assert.Equal(new Divergence(4, "the global model's loss is NaN (its largest weight is 3.93E+23)"),
            new SimulationResult(loaded.Rounds, rounds[0].Metrics, [], [], 0).Diverged);
    }

    [Fact]
    public void Krum_f_buckets_and_short_round_notes_come_back_so_a_resumed_result_equals_an_uninterrupted_one()
    {
        var rounds = new[]
        {
            Round(1, 0.5) with { KrumF = 3, Buckets = 1, ShortRound = "bucketing formed 1 bucket from 4 valid updates" },
            Round(2, 0.25) with { Skipped = "2 valid updates, too few for krum; skipped" },
        };
        var file = CheckpointFile.In(_root);
        file.Save(new RunCheckpoint("run-1", "fingerprint", 2, [1f], rounds));

        var loaded = file.Load()!.Rounds;

        Assert.Equal(rounds.Select(r => (r.KrumF, r.Buckets, r.ShortRound, r.Skipped)), loaded.Select(r => (r.KrumF, r.Buckets, r.ShortRound, r.Skipped)));

        // A checkpoint written before these keys were kept reads them as absent.
        var json = File.ReadAllText(file.Path);
        json = System.Text.RegularExpressions.Regex.Replace(json, @",""(krumF|buckets|shortRound|skipped)"":(\d+|""[^""]*"")", "");
        json = System.Text.RegularExpressions.Regex.Replace(json, @",""sha256"":""[0-9a-f]{64}""", "");
        Assert.DoesNotContain("krumF", json);
        Assert.DoesNotContain("skipped", json);
        File.WriteAllText(file.Path, json);
        Assert.All(file.Load(out _)!.Rounds, r => Assert.Equal((null, null, null, null), (r.KrumF, r.Buckets, r.ShortRound, r.Skipped)));
    }

    [Fact]
    public void A_checkpoint_from_before_rejection_reasons_still_loads()
    {
        var file = CheckpointFile.In(_root);
        file.Save(new RunCheckpoint("run-1", "fingerprint", 1, [1f], [Round(1, 0.5)]));
        // Older checkpoints had neither key, and stored a non-finite loss as double.MaxValue.
        var json = File.ReadAllText(file.Path);
        json = System.Text.RegularExpressions.Regex.Replace(json, @",""rejections"":\{[^}]*\},""divergenceReason"":null", "");
        json = json.Replace("\"loss\":0.5", "\"loss\":1.7976931348623157E+308");
        json = System.Text.RegularExpressions.Regex.Replace(json, @",""sha256"":""[0-9a-f]{64}""", ""); // nor a hash of their content
        Assert.DoesNotContain("rejections", json);
        Assert.DoesNotContain("sha256", json);
        File.WriteAllText(file.Path, json);

        var round = Assert.Single(file.Load(out var @sealed)!.Rounds);
        Assert.False(@sealed);
        Assert.Empty(round.Rejections);
        Assert.Null(round.DivergenceReason);
        Assert.Equal(double.PositiveInfinity, round.Loss);
        Assert.Equal(["client-2", "client-10"], round.Rejected);
    }

    /// <summary>
    /// Issue 21, case 10: the checkpoint carries a SHA-256 of its content; it survives being re-serialised by another
    /// tool (the hash is over the canonical content, not the bytes), and any changed field is refused naming the file.
    /// </summary>
    [Fact]
    public void A_field_changed_after_the_checkpoint_was_written_is_refused_by_its_hash()
    {
        var file = CheckpointFile.In(_root);
        file.Save(new RunCheckpoint("run-1", "fingerprint", 2, [1f, 2f], [Round(1, 0.5), Round(2, 0.25)])
        {
            Privacy = new PrivacyState([1.5, 2], [0.25, double.PositiveInfinity], 2, 1),
        });
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file.Path))!.AsObject();
        var recorded = json["sha256"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", recorded);
        File.WriteAllText(file.Path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal(2, file.Load(out var @sealed)!.Round);
        Assert.True(@sealed);

        json["privacy"]!["rdp"]![0] = 0.0025;
        File.WriteAllText(file.Path, json.ToJsonString());
        var e = Assert.Throws<JournalException>(() => file.Load());
        Assert.StartsWith($"{file.Path}: its content does not match the sha256 written with it (recorded {recorded[..16]}…, computed ", e.Message);
        Assert.EndsWith("): it was edited or damaged after fedtrust wrote it; the file was left untouched", e.Message);
    }
}
