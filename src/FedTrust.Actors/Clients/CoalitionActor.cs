using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Clients;

/// <summary>
/// The malicious clients' coalition. Each round it waits for the honest update of every member drawn for the round and,
/// when the attack is omniscient, for the round's honest updates from the server; then it crafts one malicious update
/// (<see cref="Craft"/>) and answers every member with it. What it knows (the benign updates it crafts from) is its
/// members' own honest updates when colluding, the honest clients' updates when omniscient (its members' when the round
/// has no valid honest update, logged); the decisions are <see cref="CoalitionPlan"/>'s. Under ALIE a round with a
/// malicious majority takes <see cref="Alie.ZFor"/>'s fallback z, logged. Everything is ordered by client id, so the
/// crafted update does not depend on arrival order.
/// A member that reports again (a retry after a crash) gets the round's crafted update at once.
/// </summary>
public sealed class CoalitionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AttackSettings _attack;
    private readonly SortedDictionary<string, (float[] Delta, IActorRef Member)> _reports = new(StringComparer.Ordinal);
    private CoalitionRound? _round;
    private IReadOnlyList<float[]>? _honest;
    private float[]? _crafted;

    public CoalitionActor(AttackSettings attack)
    {
        if (!AttackKinds.Colludes(attack.Kind)) throw new ArgumentException($"attack '{AttackKinds.Name(attack.Kind)}' needs no coalition", nameof(attack));
        _attack = attack;
        Receive<CoalitionRound>(round =>
        {
            _round = round;
            _reports.Clear();
            _honest = null;
            _crafted = null;
        });
        Receive<HonestUpdates>(honest =>
        {
            if (honest.Round != _round?.Round) return;
            _honest = honest.Updates;
            TryCraft();
        });
        Receive<CoalitionReport>(report =>
        {
            if (report.Round != _round?.Round || !_round.Members.Contains(report.ClientId))
            {
                _log.Warning("coalition: ignored a report from {0} for round {1}", report.ClientId, report.Round);
                return;
            }
            _reports[report.ClientId] = (report.Delta, Sender);
            if (_crafted is not null) Sender.Tell(new CraftedUpdate(report.Round, _crafted));
            else TryCraft();
        });
    }

    public static Props Props(AttackSettings attack) => Akka.Actor.Props.Create(() => new CoalitionActor(attack));

    private void TryCraft()
    {
        if (_round is null || _crafted is not null) return;
        var step = CoalitionPlan.Next(_attack.Knowledge, _round.Members.Count, _reports.Count, _honest?.Count);
        if (step is CoalitionStep.Wait or CoalitionStep.Nothing) return;
        if (step == CoalitionStep.FromOwnWithoutHonest)
            Note($"no valid honest update in the round: {CoalitionPlan.WithoutHonest(_attack.Kind)}");
        if (_attack is { Kind: AttackKind.Alie, Z: null } && Alie.ZFor(_round.Participants, _round.Members.Count).Fallback is { } fallback)
            Note(fallback);
        var benign = step == CoalitionStep.FromHonest ? _honest! : _reports.Values.Select(r => r.Delta).ToList();
        _crafted = Craft(_attack, benign, _round.Participants, _round.Members.Count);
        foreach (var (_, member) in _reports.Values) member.Tell(new CraftedUpdate(_round.Round, _crafted));
    }

    /// <summary>Logs a departure from the attack's rule and tells the aggregator (the parent), which records it in the round's result.</summary>
    private void Note(string note)
    {
        _log.Warning("coalition: round {0}: {1}", _round!.Round, note);
        Context.Parent.Tell(new CoalitionNote(_round.Round, note));
    }

    /// <summary>The malicious update of a round from the benign updates the coalition knows, with n participants of which f are members.</summary>
    public static float[] Craft(AttackSettings attack, IReadOnlyList<float[]> benign, int n, int f) => attack.Kind switch
    {
        AttackKind.Alie => Alie.Craft(benign, attack.Z ?? Alie.Z(n, f)),
        AttackKind.Ipm => Ipm.Craft(benign, attack.Intensity),
        AttackKind.MinMax => MinMax.Craft(benign, attack.Perturbation, MinMaxObjective.MinMax).Update,
        AttackKind.MinSum => MinMax.Craft(benign, attack.Perturbation, MinMaxObjective.MinSum).Update,
        AttackKind.Mimic => Mimic.Craft(benign, 0),
        _ => throw new ArgumentException($"attack '{AttackKinds.Name(attack.Kind)}' is not crafted by a coalition", nameof(attack)),
    };
}
