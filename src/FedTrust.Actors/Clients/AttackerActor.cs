using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Clients;

/// <summary>
/// A malicious client. It follows the protocol like any client (so the server cannot tell it apart by
/// behaviour on the wire) but poisons what it contributes: label flipping poisons its data (its labels were
/// rewritten when the run was set up, see <see cref="LabelFlip"/>); the gradient attacks rewrite its update
/// here, after honest local training and before the framework's privacy step.
/// </summary>
public sealed class AttackerActor(ClientData data, IClientWorkload workload, ClientPolicy policy, AttackSettings attack)
    : ClientActor(data, workload, policy)
{
    /// <summary>Stream label of the attack's noise.</summary>
    private const long AttackStream = 3;

    protected override float[] PrepareUpdate(TrainRound round, float[] delta)
    {
        var random = DeterministicRandom.For(Policy.Seed, AttackStream, round.Round, Data.Index);
        return attack.Kind switch
        {
            AttackKind.GradientManipulation => GradientManipulation.Apply(delta, attack.Intensity, attack.NoiseStd, random),
            AttackKind.GradientScale => GradientManipulation.Scale(delta, attack.Intensity),
            AttackKind.GradientNoise => GradientManipulation.AddNoise(delta, attack.Intensity, random),
            AttackKind.SignFlip => GradientManipulation.SignFlip(delta, attack.Intensity),
            _ => delta,
        };
    }

    public static Props Props(ClientData data, IClientWorkload workload, ClientPolicy policy, AttackSettings attack, string dispatcher) =>
        Akka.Actor.Props.Create(() => new AttackerActor(data, workload, policy, attack)).WithDispatcher(dispatcher);
}
