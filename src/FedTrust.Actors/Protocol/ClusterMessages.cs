namespace FedTrust.Actors.Protocol;

// The cluster protocol: how the server node reaches clients that live on worker nodes (through Akka.Cluster.Sharding,
// entity = client id), and how it prepares and releases the workers. Every message is an IWireMessage.

/// <summary>Server → a client entity on some worker, through the shard region: <paramref name="Message"/> is for this client.</summary>
public sealed record ToClient(string ClientId, IWireMessage Message) : IWireMessage;

/// <summary>Server → client entity, before round 1: start (build your partition) and say you are there.</summary>
public sealed record LocateClient : IWireMessage
{
    public static readonly LocateClient Instance = new();
}

/// <summary>Client entity → server: I am running; the message's sender address is the node that hosts me.</summary>
public sealed record ClientLocated(string ClientId) : IWireMessage;

/// <summary>
/// Client entity → server: the client failed more often than <c>fedtrust.client-max-restarts</c> allows and was
/// stopped; the server leaves it out of the remaining rounds, as a local run does.
/// </summary>
public sealed record ClientStopped(string ClientId, string Reason) : IWireMessage;

/// <summary>
/// Server → each worker node: host the clients of run <paramref name="RunId"/>. <paramref name="Settings"/> is the
/// run's <c>fedtrust</c> block as JSON (HOCON's subset) without the keys each node sets for itself (data folder,
/// trainers, persistence, cluster) and with the server's resolved torch-threads, so every worker builds the same
/// partitions and attacks and sums floats the same way.
/// </summary>
public sealed record PrepareRun(string RunId, string Settings) : IWireMessage;

/// <summary>
/// Worker → server: data loaded, trainers up, shard region started; its model has this many parameters, and it runs
/// the build and read the data set of these fingerprints (<see cref="Cluster.NodeFingerprint"/>), which the server
/// compares with its own before it places clients on the worker.
/// </summary>
public sealed record WorkerReady(string RunId, int ParameterCount, string Build = "", string Data = "") : IWireMessage;

/// <summary>Worker → server: this worker cannot host the run, and why (e.g. its data folder is missing).</summary>
public sealed record WorkerFailed(string RunId, string Reason) : IWireMessage;

/// <summary>Server → each worker: the run is over; leave the cluster. <paramref name="Failure"/> is why the run failed ("" when it completed).</summary>
public sealed record EndRun(string RunId, string Failure = "") : IWireMessage;
