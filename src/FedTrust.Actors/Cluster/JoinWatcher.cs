using Akka.Actor;
using Akka.Remote;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// While a worker joins: reports the first failed attempt to reach one of its seed nodes (connection refused, an
/// unknown host, …) once, with Akka's innermost cause, so a worker that cannot join says why at once instead of being
/// silent until the join timeout. Stopped once the node has joined.
/// </summary>
public sealed class JoinWatcher : ReceiveActor
{
    public JoinWatcher(IReadOnlyList<string> seeds, Action<string, string> firstFailure)
    {
        Receive<AssociationErrorEvent>(e => e.RemoteAddress is { } remote && seeds.Contains(ClusterSetup.Describe(remote)), e =>
        {
            firstFailure(ClusterSetup.Describe(e.RemoteAddress), Innermost(e.Cause));
            Context.Stop(Self);
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(IReadOnlyList<string> seeds, Action<string, string> firstFailure) =>
        Akka.Actor.Props.Create(() => new JoinWatcher(seeds, firstFailure));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>The innermost cause's message ("Connection refused", "Name or service not known", …).</summary>
    public static string Innermost(Exception? error)
    {
        if (error is null) return "no answer";
        while (error.InnerException is { } inner) error = inner;
        return error.Message.ReplaceLineEndings(" ").Trim();
    }
}
