using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Trust;

/// <summary>
/// Holds every client's trust score and the history of its changes as persisted <see cref="TrustChanged"/> events
/// (one persistence id per run). Each round's evidence is turned into new scores by <see cref="TrustRule"/>,
/// persisted as one batch, and only then applied and answered, so a reply never runs ahead of the journal and a
/// restart replays exactly the same scores. After the first round it records, and every <c>snapshotEvery</c> rounds, it
/// also saves a <see cref="TrustSnapshot"/> of every client's score, from which recovery starts; the first one tells a
/// reader of the journal which clients the run had. With <c>snapshotEvery</c> = 0 it saves none. The journal is
/// Akka.Persistence.Sql (SQLite or PostgreSQL) for CLI runs, Akka's in-memory one otherwise.
/// </summary>
public sealed class TrustLedgerActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TrustSettings _parameters;
    private readonly int _snapshotEvery;
    private readonly IActorRef _reportTo;
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
    private int _round;

    public TrustLedgerActor(string persistenceId, IReadOnlyList<string> clients, TrustSettings parameters, int snapshotEvery = 0,
        IActorRef? reportTo = null)
    {
        PersistenceId = persistenceId;
        _reportTo = reportTo ?? Context.Parent;
        _parameters = parameters;
        _snapshotEvery = snapshotEvery;
        foreach (var client in clients) _scores[client] = parameters.Initial;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not TrustSnapshot snapshot) return;
            foreach (var (client, score) in snapshot.Scores) _scores[client] = score;
            _round = snapshot.Round;
        });
        Recover<TrustChanged>(Apply);
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure => _log.Warning("trust snapshot at sequence {0} failed: {1}", failure.Metadata.SequenceNr, failure.Cause.Message));
        Command<RecordEvidence>(OnEvidence);
        Command<GetTrustScores>(_ => Sender.Tell(new TrustScores(_round, Snapshot())));
    }

    public override string PersistenceId { get; }

    /// <summary>The ledger of one run; a journal failure is reported to <paramref name="reportTo"/> (default: the parent).</summary>
    public static Props Props(string persistenceId, IReadOnlyList<string> clients, TrustSettings parameters, int snapshotEvery = 0,
        IActorRef? reportTo = null) =>
        Akka.Actor.Props.Create(() => new TrustLedgerActor(persistenceId, clients, parameters, snapshotEvery, reportTo));

    private void OnEvidence(RecordEvidence record)
    {
        var replyTo = Sender;
        if (record.Round <= _round)
        {
            // Already recorded (a retried request): answer with what the journal holds, never record twice.
            replyTo.Tell(new TrustUpdated(_round, Snapshot(), Excluded()));
            return;
        }
        var events = new List<TrustChanged>();
        foreach (var (client, evidence) in record.Evidence.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var old = _scores.GetValueOrDefault(client, _parameters.Initial);
            var behaviour = TrustRule.Behaviour(evidence, _parameters);
            var updated = TrustRule.Update(old, behaviour, _parameters);
            events.Add(new TrustChanged(record.Round, client, behaviour, old, updated, Reason(old, updated)));
        }
        if (events.Count == 0)
        {
            _round = record.Round;
            replyTo.Tell(new TrustUpdated(_round, Snapshot(), Excluded()));
            return;
        }
        var remaining = events.Count;
        PersistAll(events, e =>
        {
            Apply(e);
            if (--remaining > 0) return;
            // The first round's snapshot doubles as the journal's roster of the run's clients (replay checks events against it).
            var first = LastSequenceNr == events.Count;
            if (_snapshotEvery > 0 && (first || _round % _snapshotEvery == 0)) SaveSnapshot(new TrustSnapshot(_round, Snapshot()));
            replyTo.Tell(new TrustUpdated(_round, Snapshot(), Excluded()));
        });
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _reportTo.Tell(new TrustLedgerFailed($"cannot recover {PersistenceId}", Persistence.JournalSetup.Reason(reason)));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _reportTo.Tell(new TrustLedgerFailed($"cannot write {Describe(@event)} (sequence {sequenceNr})", Persistence.JournalSetup.Reason(cause)));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>A rejected write leaves the actor running but the round unanswered: stop, so the run ends now.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _reportTo.Tell(new TrustLedgerFailed($"the journal rejected {Describe(@event)} (sequence {sequenceNr})", Persistence.JournalSetup.Reason(cause)));
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    private static string Describe(object @event) =>
        @event is TrustChanged e ? $"round {e.Round}'s trust event for {e.ClientId}" : @event.GetType().Name;

    private void Apply(TrustChanged e)
    {
        _scores[e.ClientId] = e.NewScore;
        _round = Math.Max(_round, e.Round);
    }

    private string Reason(double old, double updated)
    {
        bool wasExcluded = TrustRule.IsExcluded(old, _parameters), isExcluded = TrustRule.IsExcluded(updated, _parameters);
        if (!wasExcluded && isExcluded) return "excluded";
        if (wasExcluded && !isExcluded) return "readmitted";
        return updated < old ? "penalised" : updated > old ? "rewarded" : "unchanged";
    }

    private IReadOnlyDictionary<string, double> Snapshot() => new Dictionary<string, double>(_scores, StringComparer.Ordinal);

    private IReadOnlyList<string> Excluded() =>
        _scores.Where(kv => TrustRule.IsExcluded(kv.Value, _parameters)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
}
