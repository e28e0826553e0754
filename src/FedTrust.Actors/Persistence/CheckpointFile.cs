using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FedTrust.Core.Metrics;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Persistence;

/// <summary>
/// DIR/checkpoint.json: the run's state after each completed round, written atomically (a temporary file, flushed
/// to disk, then renamed over the old one), so a run killed at any instant leaves either the previous checkpoint or
/// the new one, never half of one. It carries a <c>sha256</c> of its own content (every other field, as this class
/// serialises them), checked whenever it is read: a field changed after it was written is refused. A checkpoint
/// without one (written before it existed) still loads, flagged, and is checked for consistency only.
/// </summary>
public sealed class CheckpointFile(string path)
{
    public const string FileName = "checkpoint.json";
    private const int Version = 1;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Path { get; } = path;

    public static CheckpointFile In(string dir) => new(System.IO.Path.Combine(dir, FileName));

    public void Save(RunCheckpoint checkpoint)
    {
        var document = new Document(Version, checkpoint.RunId, checkpoint.ConfigFingerprint, checkpoint.Round,
            Base64(checkpoint.GlobalWeights),
            checkpoint.Rounds.Select(r => (RoundDocument?)RoundDocument.From(r)).ToList())
        {
            PreviousAggregate = checkpoint.PreviousAggregate is { } previous ? Base64(previous) : null,
            Histories = checkpoint.Histories?.ToDictionary(kv => kv.Key, kv => Base64(kv.Value)),
            RuleNumbers = checkpoint.RuleNumbers?.ToDictionary(),
            Privacy = checkpoint.Privacy is { } p ? new PrivacyDocument(p.Orders.ToList(), p.Rdp.ToList(), p.Steps, p.ClipNorm) : null,
        };
        document = document with { Sha256 = ContentHash(document) };
        var temp = Path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, document, Json);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // (A file-size limit, EFBIG, surfaces from FileStream as an ArgumentException.)
            // The previous checkpoint stays in place, whole; the partial temporary file goes.
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new JournalException($"cannot write {Path}: {e.Message}", e);
        }
    }

    /// <summary>The last checkpoint, or null when the run has none; a damaged or edited file is an error naming it.</summary>
    public RunCheckpoint? Load() => Load(out _);

    /// <summary>
    /// As <see cref="Load()"/>; <paramref name="sealed"/> says whether the file carried the hash of its content (and so
    /// was checked against it). A file without one was written by a fedtrust from before the hash.
    /// </summary>
    public RunCheckpoint? Load(out bool @sealed)
    {
        @sealed = false;
        if (!File.Exists(Path)) return null;
        try
        {
            var d = JsonSerializer.Deserialize<Document>(File.ReadAllBytes(Path), Json)
                    ?? throw new JournalException($"{Path}: empty checkpoint");
            if (d.Version != Version) throw new JournalException($"{Path}: checkpoint version {d.Version}, this fedtrust reads version {Version}");
            if (d.Sha256 is { } recorded)
            {
                var computed = ContentHash(d with { Sha256 = null });
                if (!string.Equals(recorded, computed, StringComparison.OrdinalIgnoreCase))
                    throw new JournalException(
                        $"{Path}: its content does not match the sha256 written with it (recorded {Short(recorded)}, computed {Short(computed)}): " +
                        "it was edited or damaged after fedtrust wrote it; the file was left untouched");
                @sealed = true;
            }
            if (d.RunId is null || d.ConfigFingerprint is null || d.Weights is null || d.Rounds is null || d.Rounds.Any(r => r?.IsComplete != true))
                throw new JournalException($"{Path}: damaged checkpoint (a field is missing or null)");
            return new RunCheckpoint(d.RunId, d.ConfigFingerprint, d.Round, Floats(d.Weights, "weights"), d.Rounds.Select(r => r!.ToResult()).ToList())
            {
                PreviousAggregate = d.PreviousAggregate is { } previous ? Floats(previous, "previous aggregate") : null,
                Histories = d.Histories?.ToDictionary(kv => kv.Key, kv => Floats(kv.Value, $"history of {kv.Key}")),
                RuleNumbers = d.RuleNumbers,
                Privacy = d.Privacy is { } p
                    ? new PrivacyState(p.Orders ?? throw Damaged("privacy.orders"), p.Rdp ?? throw Damaged("privacy.rdp"), p.Steps, p.ClipNorm)
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new JournalException($"{Path}: damaged checkpoint ({e.Message})", e);
        }
    }

    private JournalException Damaged(string field) => new($"{Path}: damaged checkpoint ({field} is missing or null)");

    /// <summary>SHA-256 (lower-case hex) of the document as serialised without its own hash: its canonical content.</summary>
    private static string ContentHash(Document document) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(document with { Sha256 = null }, Json)));

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] + "…" : hash;

    private static string Base64(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private float[] Floats(string base64, string what)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length % sizeof(float) != 0) throw new JournalException($"{Path}: the {what} are {bytes.Length} bytes, not a whole number of floats");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>
    /// Refuses, with one line naming the file, a checkpoint whose fields disagree with each other or with the run it
    /// would continue: its round outside 0..<paramref name="rounds"/>, a list of rounds other than 1..round, weights of
    /// another length than the model's <paramref name="parameterCount"/> or not finite, or no usable run id.
    /// (That the journal holds this run up to this round is checked when the trust ledger has recovered.)
    /// </summary>
    /// <para>
    /// With <paramref name="delta"/> (a run with DP), the privacy accountant's state must also give the ε the last
    /// round recorded (to a relative 1e-9): an accountant edited to have spent less would let a run go past its budget.
    /// </para>
    public void Verify(RunCheckpoint checkpoint, int rounds, int parameterCount, double? delta = null)
    {
        var problem = Problem(checkpoint, rounds, parameterCount) ?? (delta is { } d ? PrivacyProblem(checkpoint, d) : null);
        if (problem is not null) throw new JournalException($"{Path}: cannot resume: {problem}; the file was left untouched");
    }

    /// <summary>
    /// Why the accountant's state disagrees with the ε the checkpoint's last round recorded, or null: ε recomputed
    /// from the restored RDP (Balle et al. 2020, Thm 21, as <see cref="RdpAccountant.Epsilon"/>) must equal it, and a
    /// round recorded without ε (no noise: ε infinite) must restore to an infinite ε.
    /// </summary>
    internal static string? PrivacyProblem(RunCheckpoint c, double delta)
    {
        if (c.Privacy is not { } p || c.Round == 0 || c.Rounds.Count == 0) return null;
        double restored;
        try
        {
            restored = RdpAccountant.Restore(p.Orders, p.Rdp, p.Steps).Epsilon(delta);
        }
        catch (ArgumentException e)
        {
            return $"its privacy accountant cannot be restored ({e.Message})";
        }
        var last = c.Rounds[^1];
        var recorded = last.Epsilon ?? double.PositiveInfinity;
        var agree = double.IsPositiveInfinity(recorded)
            ? double.IsPositiveInfinity(restored)
            : double.IsFinite(restored) && Math.Abs(restored - recorded) <= 1e-9 * Math.Max(Math.Abs(restored), Math.Abs(recorded));
        if (agree) return null;
        var (a, b) = (Epsilon(restored, "G6"), Epsilon(recorded, "G6"));
        if (a == b) (a, b) = (Epsilon(restored, "R"), Epsilon(recorded, "R"));
        return $"the privacy accountant's state gives ε = {a} after round {c.Round} but round {last.Round} recorded ε = {b}";
    }

    private static string Epsilon(double value, string format) =>
        double.IsPositiveInfinity(value) ? "∞ (no noise)" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string? Problem(RunCheckpoint c, int rounds, int parameterCount)
    {
        if (string.IsNullOrWhiteSpace(c.RunId) || c.RunId.Length > 100 || !c.RunId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            return $"run id '{c.RunId}' is not one fedtrust writes (letters, digits, '-', '_', '.')";
        if (c.Round < 0 || c.Round > rounds)
            return $"round {c.Round} is outside 0..{rounds} (fedtrust.rounds = {rounds})";
        var recorded = c.Rounds.Select(r => r.Round).ToList();
        if (!recorded.SequenceEqual(Enumerable.Range(1, c.Round)))
            return $"it says round {c.Round} but records {(recorded.Count == 0 ? "no rounds" : $"rounds {string.Join(", ", recorded.Take(6))}{(recorded.Count > 6 ? ", …" : "")}")}"
                   + $" (expected rounds 1..{c.Round})";
        if (c.GlobalWeights.Length != parameterCount)
            return $"its weights have {c.GlobalWeights.Length} values, the model has {parameterCount} parameters";
        var bad = Array.FindIndex(c.GlobalWeights, w => !float.IsFinite(w));
        if (bad >= 0) return $"its weights are not finite ({c.GlobalWeights[bad]} at index {bad})";
        if (c.Privacy is { } p)
        {
            if (p.Steps != c.Round) return $"its privacy accountant composed {p.Steps} rounds, the checkpoint is at round {c.Round}";
            if (p.Orders.Count != p.Rdp.Count) return $"its privacy accountant has {p.Orders.Count} orders but {p.Rdp.Count} RDP values";
            if (p.Orders.Any(a => !(a > 1) || double.IsInfinity(a)) || p.Rdp.Any(r => !(r >= 0)))
                return "its privacy accountant holds an order ≤ 1 or a negative or NaN RDP value";
            if (!(p.ClipNorm > 0) || double.IsInfinity(p.ClipNorm)) return $"its clip norm {p.ClipNorm} is not positive and finite";
        }
        return null;
    }

    /// <summary>The file's JSON; every field may be missing from a damaged or hand-edited file, so all are checked on load.</summary>
    /// <remarks>
    /// PreviousAggregate, Histories and RuleNumbers hold a stateful rule's state (Core's RuleStateSnapshot: centered-clipping's
    /// centre, foolsgold's histories) or central DP's public reference; they are absent for other rules and in older files.
    /// </remarks>
    private sealed record Document(int Version, string? RunId, string? ConfigFingerprint, int Round, string? Weights, List<RoundDocument?>? Rounds)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PreviousAggregate { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Histories { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
        public Dictionary<string, double>? RuleNumbers { get; init; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public PrivacyDocument? Privacy { get; init; }

        /// <summary>SHA-256 of every other field as serialised here (see <see cref="ContentHash"/>); absent in older files.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sha256 { get; init; }
    }

    /// <summary>The accountant's state; RDP is +∞ after a round without noise, written as "Infinity".</summary>
    private sealed record PrivacyDocument(
        List<double>? Orders,
        [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] List<double>? Rdp,
        int Steps,
        double ClipNorm);

    /// <summary>
    /// One round as stored. The loss is written as a number, or as "NaN", "Infinity" or "-Infinity" for a diverged
    /// model, so it comes back exactly; checkpoints written before that stored a non-finite loss as double.MaxValue,
    /// read back as +∞. Rejections, DivergenceReason, Sampled, AttackSuccessRate, AttackNotes, KrumF, Buckets, ShortRound and Skipped are absent from
    /// older checkpoints (read as none).
    /// </summary>
    private sealed record RoundDocument(
        int Round, ClassificationMetrics Metrics,
        [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double Loss,
        double Seconds, List<string> Participants, List<string> Missing, long RssBytes,
        List<string> Excluded, List<string> Rejected, Dictionary<string, double>? Trust, double? Epsilon,
        Dictionary<string, string>? Rejections = null, string? DivergenceReason = null, List<string>? Sampled = null,
        double? AttackSuccessRate = null, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? AttackNotes = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? KrumF = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Buckets = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ShortRound = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Skipped = null)
    {
        public static RoundDocument From(RoundResult r) => new(r.Round, r.Metrics, r.Loss, r.Seconds,
            r.Participants.ToList(), r.Missing.ToList(), r.RssBytes, r.Excluded.ToList(), r.Rejected.ToList(), r.Trust?.ToDictionary(), r.Epsilon,
            r.Rejections.ToDictionary(), r.DivergenceReason, r.Sampled?.ToList(), r.AttackSuccessRate, r.AttackNotes?.ToList(),
            r.KrumF, r.Buckets, r.ShortRound, r.Skipped);

        /// <summary>False when the file left out (or nulled) a field every round has.</summary>
        public bool IsComplete => Metrics is not null && Participants is not null && Missing is not null && Excluded is not null && Rejected is not null;

        public RoundResult ToResult() => new(Round, Metrics, Loss == double.MaxValue ? double.PositiveInfinity : Loss, Seconds, Participants, Missing, RssBytes)
        {
            Excluded = Excluded,
            Rejected = Rejected,
            Rejections = new SortedDictionary<string, string>(Rejections ?? [], FedTrust.Core.ClientIdComparer.Instance),
            Trust = Trust is null ? null : new SortedDictionary<string, double>(Trust, FedTrust.Core.ClientIdComparer.Instance),
            Epsilon = Epsilon,
            DivergenceReason = DivergenceReason,
            Sampled = Sampled,
            AttackSuccessRate = AttackSuccessRate,
            AttackNotes = AttackNotes,
            KrumF = KrumF,
            Buckets = Buckets,
            ShortRound = ShortRound,
            Skipped = Skipped,
        };
    }
}
