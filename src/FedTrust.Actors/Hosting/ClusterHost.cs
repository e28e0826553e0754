using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Config = Akka.Configuration.Config;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The two kinds of node of a cluster run. The server node (<c>fedtrust run --cluster</c>) starts or seeds the
/// cluster, waits for <c>fedtrust.cluster.workers</c> worker nodes, sends each the run's settings and waits until all
/// are ready and registered with sharding, then runs the same <see cref="RunSupervisor"/> as a local run, with the
/// clients reached on the workers; at the end it tells the workers to leave, and leaves. A worker node
/// (<c>fedtrust node --role worker</c>) joins, hosts the clients sharding places on it, and stops when the run ends.
/// </summary>
public static class ClusterHost
{
    /// <summary>
    /// Keys of the <c>fedtrust</c> block that each node sets for itself, so the server does not send them: exactly those
    /// that do not change what a run computes (<see cref="ConfigFingerprint.Ignored"/>).
    /// </summary>
    public static IReadOnlyList<string> NodeLocalKeys => ConfigFingerprint.Ignored;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task<SimulationResult> RunServerAsync(ExperimentSettings settings, Config config, IClientWorkload workload,
        IReadOnlyList<ClientData> clients, RunOptions options, CancellationToken cancellation)
    {
        var system = ClusterSetup.Start(settings, config, ClientSharding.ServerRole);
        var cluster = AkkaCluster.Get(system);
        var plan = SimulationHost.Plan(settings, workload, clients, options);
        var failure = "";
        try
        {
            ClusterSetup.Join(system, settings.Cluster.SeedNodes);
            options.Notice?.Invoke($"server node {ClusterSetup.Describe(cluster.SelfAddress)}: waiting for {settings.Cluster.Workers} worker node(s) " +
                                   $"(fedtrust node --role worker --seed-nodes {ClusterSetup.Describe(cluster.SelfAddress)})");
            var workers = await WaitForWorkers(cluster, settings.Cluster, cancellation);
            var region = ClientSharding.StartProxy(system, settings.Clients);
            var fingerprints = await PrepareWorkers(system, workers, plan.RunId, RunSettingsText(config, settings.TorchThreads), workload.ParameterCount,
                options.DataFingerprint, settings.Cluster.JoinTimeout + settings.Data.FetchTimeout, cancellation);
            fingerprints[ClusterSetup.Describe(cluster.SelfAddress)] = (NodeFingerprint.Build, options.DataFingerprint);
            await WaitForRegions(system, region, workers, settings.Cluster.JoinTimeout, cancellation);
            options.Notice?.Invoke($"{workers.Count} worker node(s) ready: {string.Join(", ", workers.Select(ClusterSetup.Describe))}");
            var result = await SimulationHost.Run(system, plan with { ClientRegion = region }, cancellation);
            if (result.Diverged is { } diverged) failure = diverged.Message;
            return result.Cluster is { } report
                ? result with
                {
                    Cluster = report with
                    {
                        Nodes = report.Nodes.Select(n => fingerprints.TryGetValue(n.Address, out var f) ? n with { Build = f.Build, Data = f.Data } : n).ToList(),
                    },
                }
                : result;
        }
        catch (Exception e)
        {
            failure = e is OperationCanceledException ? "the server was stopped" : e.Message;
            throw;
        }
        finally
        {
            // The workers leave with the run's outcome: a worker of a failed run fails too (exit 1), naming why.
            var end = new EndRun(plan.RunId, failure);
            foreach (var member in cluster.State.Members.Where(m => m.HasRole(ClientSharding.WorkerRole)))
                WorkerAt(system, member.Address).Tell(end);
            await Leave(system);
        }
    }

    /// <summary>
    /// Runs a worker node until the run it hosts ends: joins through the seed nodes, starts <see cref="WorkerHost"/>,
    /// and returns how its part ended. <paramref name="runtimeFactory"/> builds the data and trainers for a run's settings.
    /// </summary>
    public static async Task<WorkerOutcome> RunWorkerAsync(ExperimentSettings settings, Config config,
        Func<ExperimentSettings, WorkerRuntime> runtimeFactory, Action<string>? notice, CancellationToken cancellation)
    {
        if (settings.Cluster.SeedNodes.Count == 0)
            throw new ConfigurationException("a worker needs the server's address: --seed-nodes host:port (fedtrust.cluster.seed-nodes)");
        var system = ClusterSetup.Start(settings, config, ClientSharding.WorkerRole);
        var cluster = AkkaCluster.Get(system);
        WorkerOutcome? outcome = null;
        try
        {
            // The worker actor exists before the node joins, so the server's first PrepareRun always finds it.
            var completion = new TaskCompletionSource<WorkerOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var _ = cancellation.Register(() => completion.TrySetCanceled(cancellation));
            var self = ClusterSetup.Describe(cluster.SelfAddress);
            system.ActorOf(WorkerHost.Props(config, runtimeFactory, completion), "worker");
            // Removed without a word from the worker actor (e.g. downed and shut down before it heard of it).
            cluster.RegisterOnMemberRemoved(() => completion.TrySetResult(new WorkerOutcome(false, ClusterNotices.Removed(self, null, null))));
            var seeds = settings.Cluster.SeedNodes.Select(s => $"{s.Host}:{s.Port}").ToList();
            var watcher = system.ActorOf(JoinWatcher.Props(seeds,
                (seed, cause) => notice?.Invoke(ClusterNotices.JoinAttemptFailed(seed, cause, settings.Cluster.JoinTimeout))), "join-watcher");
            ClusterSetup.Join(system, settings.Cluster.SeedNodes);
            // Joined is not enough: the cluster must hold a server (a worker whose seed is itself, or another worker, forms a cluster of workers).
            var refused = ClusterTls.Refused(system);
            var deadline = DateTime.UtcNow + settings.Cluster.JoinTimeout;
            while (!completion.Task.IsCompleted && !cluster.State.Members.Any(m => m.HasRole(ClientSharding.ServerRole)))
            {
                ClusterTls.ThrowIfRefused(refused, cluster.SelfAddress, string.Join(", ", seeds));
                if (DateTime.UtcNow > deadline)
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up)
                        throw new SimulationException(ClusterNotices.NoServer(self, seeds,
                            cluster.State.Members.Select(m => ClusterSetup.Describe(m.Address)).ToList(), settings.Cluster.JoinTimeout));
                    throw new SimulationException(
                        $"worker {self} could not join the cluster through {string.Join(", ", seeds)} within " +
                        $"{settings.Cluster.JoinTimeout.TotalSeconds:0.#} s (fedtrust.cluster.join-timeout); is `fedtrust run --cluster` running there, " +
                        "and can this host reach it?");
                }
                await Task.WhenAny(completion.Task, refused, Task.Delay(Poll, CancellationToken.None));
            }
            system.Stop(watcher);
            if (!completion.Task.IsCompleted) notice?.Invoke($"worker node {self} joined through {string.Join(", ", seeds)}; waiting for the run");
            outcome = await completion.Task;
            return outcome;
        }
        finally
        {
            await Leave(system);
            outcome?.Runtime?.Dispose();
        }
    }

    /// <summary>
    /// The run's <c>fedtrust</c> block as JSON, without the keys each node sets for itself, and with the server's
    /// resolved libtorch thread count in place of the node's own: the number of intra-op threads changes how libtorch sums floats, so every
    /// worker trains with the server's, and a cluster run stays bit-identical to a local one on the server's host.
    /// </summary>
    public static string RunSettingsText(Config config, int torchThreads)
    {
        var block = JsonNode.Parse(FedTrustConfig.ToJson(config).GetRawText())!.AsObject();
        foreach (var key in NodeLocalKeys) block.Remove(key);
        block["torch-threads"] = torchThreads;
        return new JsonObject { ["fedtrust"] = block }.ToJsonString();
    }

    private static async Task<IReadOnlyList<Address>> WaitForWorkers(AkkaCluster cluster, ClusterSettings settings, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + settings.JoinTimeout;
        while (true)
        {
            var workers = cluster.State.Members
                .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(ClientSharding.WorkerRole))
                .Select(m => m.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
            if (cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up && workers.Count >= settings.Workers) return workers;
            if (DateTime.UtcNow > deadline)
            {
                var self = ClusterSetup.Describe(cluster.SelfAddress);
                throw new SimulationException(
                    $"{workers.Count} of {settings.Workers} worker node(s) joined {self} within {settings.JoinTimeout.TotalSeconds:0.#} s " +
                    $"(fedtrust.cluster.join-timeout){(workers.Count > 0 ? $": {string.Join(", ", workers.Select(ClusterSetup.Describe))}" : "")}; " +
                    $"missing {settings.Workers - workers.Count}: start each with `fedtrust node --role worker --seed-nodes {self}`");
            }
            await Task.Delay(Poll, cancellation);
        }
    }

    /// <summary>
    /// Sends each worker the run and waits until it is ready; refuses a worker that builds another model, runs another
    /// build of fedtrust or read other data (<see cref="NodeFingerprint"/>). Returns each worker's fingerprints by host:port.
    /// </summary>
    private static async Task<Dictionary<string, (string Build, string? Data)>> PrepareWorkers(ActorSystem system, IReadOnlyList<Address> workers,
        string runId, string runSettings, int parameterCount, string? serverData, TimeSpan timeout, CancellationToken cancellation)
    {
        var prepare = new PrepareRun(runId, runSettings);
        var fingerprints = new Dictionary<string, (string Build, string? Data)>(StringComparer.Ordinal);
        var answers = workers.Select(async worker =>
        {
            var node = ClusterSetup.Describe(worker);
            // Asked again every few seconds until the deadline: a worker that is still loading its data answers the latest ask.
            var deadline = DateTime.UtcNow + timeout;
            object? answer = null;
            while (answer is null)
            {
                try
                {
                    answer = await WorkerAt(system, worker).Ask<IWireMessage>(prepare, TimeSpan.FromSeconds(2), cancellation);
                }
                catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
                {
                }
                catch (AskTimeoutException)
                {
                    throw new SimulationException($"worker {node} did not get ready for run {runId} within {timeout.TotalSeconds:0.#} s (loading its data set and trainers)");
                }
            }
            if (answer is WorkerFailed failed) throw new SimulationException($"worker {node} cannot host run {runId}: {failed.Reason}");
            if (answer is not WorkerReady ready) return;
            var differences = new List<(string, string, string, string)>();
            if (ready.Build != NodeFingerprint.Build)
                differences.Add(("build", ready.Build, NodeFingerprint.Build, "another build of fedtrust: run the same build on every node"));
            if (serverData is not null && ready.Data != serverData)
                differences.Add(("data", ready.Data, serverData,
                    "its data set's files differ from the server's: delete the copy that is wrong (fedtrust.data.dir) and let fedtrust fetch it again"));
            if (differences.Count > 0) throw new SimulationException(ClusterNotices.Refused(node, differences));
            if (ready.ParameterCount != parameterCount)
                throw new SimulationException($"worker {node} builds a model of {ready.ParameterCount} parameters, the server {parameterCount}: are both the same fedtrust version?");
            lock (fingerprints) fingerprints[node] = (ready.Build, ready.Data);
        });
        await Task.WhenAll(answers);
        return fingerprints;
    }

    /// <summary>
    /// Waits until every worker's shard region has registered with the coordinator, so the clients spread over all of them.
    /// When they do not, the message names what the server saw: the regions that did register and every member with its
    /// roles and status (a node of another cluster run that joined through a reused port shows up there).
    /// </summary>
    private static async Task WaitForRegions(ActorSystem system, IActorRef region, IReadOnlyList<Address> workers, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, timeout, cancellation);
            var missing = workers.Where(w => !regions.Regions.Contains(w)).ToList();
            if (missing.Count == 0) return;
            if (DateTime.UtcNow > deadline)
            {
                var members = AkkaCluster.Get(system).State.Members
                    .Select(m => $"{ClusterSetup.Describe(m.Address)} ({string.Join("+", m.Roles.Order(StringComparer.Ordinal))}, {m.Status})");
                var registered = regions.Regions.Select(ClusterSetup.Describe).Order(StringComparer.Ordinal).ToList();
                throw new SimulationException(ClusterNotices.RegionsMissing(missing.Select(ClusterSetup.Describe).ToList(), timeout, registered, members.ToList()));
            }
            await Task.Delay(Poll, cancellation);
        }
    }

    private static ActorSelection WorkerAt(ActorSystem system, Address node) => system.ActorSelection(new RootActorPath(node) / "user" / "worker");

    /// <summary>
    /// Leaves the cluster (at most a few seconds) and stops the actor system. The node's part is over, and what has
    /// failed has been said: Akka's own logging is switched off first, so nodes that leave in any order print no
    /// "Disassociated" errors on a normal end.
    /// </summary>
    private static async Task Leave(ActorSystem system)
    {
        OneLineLogger.Silence(system);
        var cluster = AkkaCluster.Get(system);
        try
        {
            await cluster.LeaveAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TaskCanceledException)
        {
        }
        await system.Terminate();
    }
}
