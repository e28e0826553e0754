using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Clients;

/// <summary>
/// A malicious client. It follows the protocol like any client (so the server cannot tell it apart by
/// behaviour on the wire) but poisons what it contributes: label flipping and the backdoor poison its data (rewritten
/// when the run was set up, see <see cref="Hosting.ClientRoster"/>; the backdoor may boost its update); the gradient attacks
/// rewrite its own update here, after honest local training and before the framework's privacy step; under a colluding
/// attack it reports its honest update to the coalition (through whoever sent it the round) and sends what the
/// coalition crafts instead.
/// </summary>
public sealed class AttackerActor : ClientActor
{
    /// <summary>Stream label of the attack's noise.</summary>
    private const long AttackStream = 3;

    private readonly AttackSettings _attack;
    private (int Round, int Samples, IActorRef ReplyTo)? _awaiting;

    public AttackerActor(ClientData data, IClientWorkload workload, ClientPolicy policy, AttackSettings attack) : base(data, workload, policy)
    {
        _attack = attack;
        Receive<CraftedUpdate>(crafted =>
        {
            if (_awaiting is not { } awaiting || awaiting.Round != crafted.Round) return;
            _awaiting = null;
            // The training loss would describe the honest update, not this one: none is sent.
            Send(crafted.Round, crafted.Delta, awaiting.Samples, double.NaN, awaiting.ReplyTo);
        });
    }

    protected override void OnTrained(TrainRound round, LocalTrainingResult result, IActorRef replyTo)
    {
        if (!AttackKinds.Colludes(_attack.Kind))
        {
            base.OnTrained(round, result, replyTo);
            return;
        }
        _awaiting = (round.Round, result.Samples, replyTo);
        replyTo.Tell(new CoalitionReport(round.Round, Data.ClientId, result.Delta, result.Samples));
    }

    protected override float[] PrepareUpdate(TrainRound round, float[] delta)
    {
        var random = DeterministicRandom.For(Policy.Seed, AttackStream, round.Round, Data.Index);
        return _attack.Kind switch
        {
            AttackKind.GradientManipulation => GradientManipulation.Apply(delta, _attack.Intensity, _attack.NoiseStd, random),
            AttackKind.GradientScale => GradientManipulation.Scale(delta, _attack.Intensity),
            AttackKind.GradientNoise => GradientManipulation.AddNoise(delta, _attack.Intensity, random),
            AttackKind.SignFlip => GradientManipulation.SignFlip(delta, _attack.Intensity),
            // Boosting (Bagdasaryan et al. 2020, §4.2 "model replacement"): Δ′ = γ·Δ.
            AttackKind.Backdoor when _attack.Boost != 1 => GradientManipulation.Scale(delta, _attack.Boost),
            _ => delta,
        };
    }

    public static Props Props(ClientData data, IClientWorkload workload, ClientPolicy policy, AttackSettings attack, string dispatcher) =>
        Akka.Actor.Props.Create(() => new AttackerActor(data, workload, policy, attack)).WithDispatcher(dispatcher);
}
