using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Learning;

namespace FedTrust.Actors.Clients;

/// <summary>
/// An honest client: holds its data partition (indices, not a model) and, when sent the global weights,
/// trains on a pooled trainer and replies with its update. It runs on the training dispatcher, whose threads
/// are the trainers, so training blocks a trainer thread, never the default dispatcher.
/// If training throws, the supervisor restarts the actor and the failed message is delivered again, so the
/// round gets its update (training is deterministic, so the retry gives the same update).
/// </summary>
public class ClientActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _replyTo;

    public ClientActor(ClientData data, IClientWorkload workload)
    {
        Data = data;
        Workload = workload;
        Receive<TrainRound>(round =>
        {
            _replyTo = Sender;
            var result = Workload.Train(Data, round.Round, round.GlobalWeights);
            Sender.Tell(new LocalUpdate(round.Round, Data.ClientId, PrepareUpdate(round, result.Delta), result.Samples, result.TrainLoss));
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

    /// <summary>The update this client sends for a round; an honest client sends what it trained.</summary>
    protected virtual float[] PrepareUpdate(TrainRound round, float[] delta) => delta;

    public static Props Props(ClientData data, IClientWorkload workload, string dispatcher) =>
        Akka.Actor.Props.Create(() => new ClientActor(data, workload)).WithDispatcher(dispatcher);

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
