using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Privacy;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;
using FedTrust.Core;

namespace FedTrust.Actors.Clients;

/// <summary>
/// A client: holds its data partition (indices, not a model) and, when sent the global weights, trains on a
/// pooled trainer and replies with its update. It runs on the training dispatcher, whose threads are the
/// trainers, so training blocks a trainer thread, never the default dispatcher. Under a DP defense it privatises
/// its update before sending (local DP: clip to C, add N(0, σ²C²), the paper's eq. 11; central DP with clip-at = client:
/// clip to the round's C only), or, when the update is unusable
/// (non-finite values), withholds it and says only why (<see cref="UpdateWithheld"/>).
/// If training throws, the supervisor restarts the actor and the failed message is delivered again, so the
/// round gets its update (training is deterministic, so the retry gives the same update).
/// </summary>
public class ClientActor : ReceiveActor
{
    /// <summary>Stream label of the DP noise, apart from every other per-client stream.</summary>
    private const long PrivacyStream = 2;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _replyTo;
    /// <summary>Under central DP: the clip norm the server sent with the round being trained (it changes under adaptive clipping).</summary>
    private double? _roundClip;

    public ClientActor(ClientData data, IClientWorkload workload, ClientPolicy policy)
    {
        Data = data;
        Workload = workload;
        Policy = policy;
        Receive<TrainRound>(round =>
        {
            _replyTo = Sender;
            _roundClip = round.ClipNorm;
            var result = Workload.Train(Data, round.Round, round.GlobalWeights);
            OnTrained(round, result, Sender);
        });
        Receive<EvaluateLocal>(evaluate =>
        {
            _replyTo = Sender;
            var result = Workload.EvaluateLocal(Data, evaluate.Weights);
            Sender.Tell(new LocalEvaluation(Data.ClientId, result.Metrics.Accuracy, Data.TestIndices.Length));
        });
    }

    protected ClientData Data { get; }
    protected IClientWorkload Workload { get; }
    protected ClientPolicy Policy { get; }

    /// <summary>What the client does with its round's training: an honest client sends what it trained.</summary>
    protected virtual void OnTrained(TrainRound round, LocalTrainingResult result, IActorRef replyTo) =>
        Send(round.Round, PrepareUpdate(round, result.Delta), result.Samples, result.TrainLoss, replyTo);

    /// <summary>The update this client sends for a round, before privacy; an honest client sends what it trained.</summary>
    protected virtual float[] PrepareUpdate(TrainRound round, float[] delta) => delta;

    /// <summary>Sends the round's update to <paramref name="replyTo"/>: as it is, or under DP privatised (or withheld when unusable).</summary>
    protected void Send(int round, float[] update, int samples, double trainLoss, IActorRef replyTo)
    {
        if (Policy.Privacy is not { } dp)
        {
            replyTo.Tell(new LocalUpdate(round, Data.ClientId, update, samples, trainLoss));
            return;
        }
        // Under DP nothing leaves the client unprivatised, and an update clipping cannot bound (NaN, ±∞) is not
        // privatised either: it is withheld, and the aggregator learns only the kind of fault.
        if (UpdateValidation.Check(update, Workload.ParameterCount) is { } problem)
        {
            _log.Warning("{0} withheld its round {1} update: it {2}", Data.ClientId, round, problem.Description);
            replyTo.Tell(new UpdateWithheld(round, Data.ClientId, problem.Fault));
            return;
        }
        // The training loss is a statistic of the client's data too: under DP it is not sent (NaN; nothing reads it).
        replyTo.Tell(new LocalUpdate(round, Data.ClientId, Privatize(round, update, dp), samples, double.NaN));
    }

    private float[] Privatize(int round, float[] update, DpSettings dp)
    {
        // Central DP: the client only clips (to the round's C); the server adds the noise once, to the sum.
        if (dp.Mode == DpMode.Central) return GaussianMechanism.Clip(update, _roundClip ?? dp.Clip);
        var random = DeterministicRandom.For(Policy.Seed, PrivacyStream, round, Data.Index);
        return GaussianMechanism.Privatize(update, dp.Clip, dp.NoiseMultiplier, random);
    }

    public static Props Props(ClientData data, IClientWorkload workload, ClientPolicy policy, string dispatcher) =>
        Akka.Actor.Props.Create(() => new ClientActor(data, workload, policy)).WithDispatcher(dispatcher);

    protected override void PreRestart(Exception reason, object message)
    {
        if (message is TrainRound or EvaluateLocal && _replyTo is not null)
        {
            _log.Warning("{0} failed ({1}: {2}); retrying {3} after restart", Data.ClientId, reason.GetType().Name, reason.Message, message.GetType().Name);
            Self.Tell(message, _replyTo);
        }
        base.PreRestart(reason, message);
    }
}

/// <summary>What every client of a run does the same way: the seed of its random streams and, under DP, the privacy it applies.</summary>
public sealed record ClientPolicy(long Seed, DpSettings? Privacy);
