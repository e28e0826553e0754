using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Bench;

/// <summary>
/// The real training path of a round, timed without the aggregator's own work: a probe actor stands where the
/// aggregator stands (on the training dispatcher, whose threads are the trainers), starts the real
/// <see cref="ClientsSupervisor"/> (which builds every <see cref="ClientActor"/> exactly as a run does, over the real
/// workload and trainer pool), and times from sending <see cref="TrainRound"/> to every client until the last
/// <see cref="LocalUpdate"/> has arrived. This measures what training costs through the actors (messages, the
/// dispatcher, trainer leases, the real loop) directly, instead of subtracting separately measured aggregation and
/// evaluation from whole rounds, which would add the noise of three measurements to one figure.
/// </summary>
internal sealed class ActorTrainingPath : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _probe;

    private ActorTrainingPath(ActorSystem system, IActorRef probe)
    {
        _system = system;
        _probe = probe;
    }

    /// <summary>Starts an actor system with the run's configuration and the clients' actors; returns once every client exists.</summary>
    public static async Task<ActorTrainingPath> StartAsync(ExperimentSettings settings, Config config, IClientWorkload workload, IReadOnlyList<ClientData> clients)
    {
        var plan = SimulationHost.Plan(settings, workload, clients, onRound: null);
        var system = ActorSystem.Create("fedtrust-bench", RunPlan.SystemConfig(settings, config));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = system.ActorOf(Props.Create(() => new Probe(plan, ready)).WithDispatcher(plan.Dispatcher), "probe");
        await ready.Task;
        return new ActorTrainingPath(system, probe);
    }

    /// <summary>Trains one round through the client actors from <paramref name="weights"/>; returns its seconds, as the probe timed them.</summary>
    public async Task<double> TrainRoundAsync(int round, float[] weights) =>
        (await _probe.Ask<Trained>(new Train(round, weights), Timeout.InfiniteTimeSpan)).Seconds;

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private sealed record Train(int Round, float[] Weights);

    private sealed record Trained(double Seconds);

    /// <summary>The aggregator's stand-in: sends a round to every client and answers when all of them have.</summary>
    private sealed class Probe : ReceiveActor
    {
        private IReadOnlyList<IActorRef> _clients = [];

        public Probe(RunPlan plan, TaskCompletionSource ready)
        {
            Context.ActorOf(ClientsSupervisor.Props(plan, Self), "clients");
            Receive<ClientsReady>(r =>
            {
                _clients = [.. r.Clients.Values];
                ready.TrySetResult();
            });
            Receive<Train>(Start);
        }

        private void Start(Train train)
        {
            var replyTo = Sender;
            var pending = _clients.Count;
            var clock = Stopwatch.StartNew();
            var message = new TrainRound(train.Round, train.Weights);
            foreach (var client in _clients) client.Tell(message);
            Become(() => Receive<LocalUpdate>(u => u.Round == train.Round, _ =>
            {
                if (--pending > 0) return;
                replyTo.Tell(new Trained(clock.Elapsed.TotalSeconds));
                Become(() => Receive<Train>(Start));
            }));
        }
    }
}
