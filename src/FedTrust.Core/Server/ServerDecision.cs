using FedTrust.Core.Results;
using FedTrust.Core.Trust;

namespace FedTrust.Core.Server;

/// <summary>
/// What <see cref="ServerRound"/> decided in answer to one input, for the actor to carry out in the order given
/// (send, tell, time, log, report). The machine itself sends nothing and reads no clock.
/// </summary>
public abstract record ServerDecision
{
    /// <summary>A round opened: the actor restarts the clock whose seconds <see cref="IServerGauges"/> reports.</summary>
    public sealed record RoundOpened(int Round) : ServerDecision;

    /// <summary>Send each of <paramref name="Clients"/> the round's global weights (and, central DP clipped at the client, C).</summary>
    public sealed record Train(int Round, IReadOnlyList<string> Clients, float[] Weights, double? ClipNorm) : ServerDecision;

    /// <summary>Tell the coalition which of its members the round drew, and how many clients it drew.</summary>
    public sealed record CoalitionRound(int Round, IReadOnlyList<string> Members, int Participants) : ServerDecision;

    /// <summary>Show the coalition (an omniscient attack) the round's valid honest updates, in client order.</summary>
    public sealed record ShowHonest(int Round, IReadOnlyList<float[]> Updates) : ServerDecision;

    /// <summary>Forward the coalition report just received, unread, to the coalition.</summary>
    public sealed record RelayReport : ServerDecision;

    /// <summary>Give the trust ledger the round's evidence; it answers with the scores (<see cref="ServerRound.TrustScores"/>).</summary>
    public sealed record RecordEvidence(int Round, IReadOnlyDictionary<string, UpdateEvidence> Evidence) : ServerDecision;

    /// <summary>(Re)start the single deadline timer; it comes back as <see cref="ServerRound.Deadline"/>(<paramref name="Round"/>) (0: the final evaluation).</summary>
    public sealed record StartDeadline(int Round) : ServerDecision;

    /// <summary>Cancel the deadline timer.</summary>
    public sealed record CancelDeadline : ServerDecision;

    /// <summary>Log a warning: an Akka format string and its arguments, kept apart so the line reads as it always has.</summary>
    public sealed record Warn(string Format, params object[] Args) : ServerDecision;

    /// <summary>
    /// A round is finished: checkpoint it, then report it. The checkpoint refers to the machine's state (FoolsGold's
    /// histories) rather than copying it, so it is written before the next input.
    /// </summary>
    public sealed record RoundFinished(RoundResult Result, RunCheckpoint Checkpoint) : ServerDecision;

    /// <summary>Ask each of <paramref name="Clients"/> to evaluate the final model on its local test images.</summary>
    public sealed record EvaluateLocally(IReadOnlyList<string> Clients, float[] Weights) : ServerDecision;

    /// <summary>The run ended (cleanly, stopped early, or failed after writing its rounds): report its result.</summary>
    public sealed record Complete(SimulationResult Result) : ServerDecision;

    /// <summary>The run cannot go on: report why.</summary>
    public sealed record Fail(string Reason) : ServerDecision;

    /// <summary>The input does not belong to the current phase: the actor treats the message as unhandled, as before.</summary>
    public sealed record Unhandled : ServerDecision;
}

/// <summary>What the actor measures for the machine, read at the moment the machine needs it.</summary>
public interface IServerGauges
{
    /// <summary>Seconds since the open round's <see cref="ServerDecision.RoundOpened"/>.</summary>
    double RoundSeconds { get; }

    /// <summary>The process's resident set size now, in bytes.</summary>
    long RssBytes { get; }

    /// <summary>The process's peak resident set size so far, in bytes.</summary>
    long PeakRssBytes { get; }
}
