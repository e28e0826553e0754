using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using FedTrust.Core.Configuration;
using FedTrust.Core.Settings;
using Config = Akka.Configuration.Config;
using ConfigurationFactory = Akka.Configuration.ConfigurationFactory;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// Mutual TLS for the cluster transport (<c>fedtrust.cluster.tls</c>). Akka.Remote's DotNetty transport runs TLS with
/// <c>require-mutual-authentication</c> (Akka.NET 1.5.52 and later, the fix of CVE-2025-61778): the server side of
/// every connection demands the client's certificate, and both sides present theirs. Akka would check a peer's
/// certificate against the machine's trust store; here a custom validator (<see cref="DotNettySslSetup"/>'s
/// <c>customValidator</c>) checks it against the one CA of <c>fedtrust.cluster.tls.ca</c> alone, so a private CA works
/// without installing anything system-wide, and the host name is not checked (nodes are known by their CA, and lab
/// nodes are reached by IP). A peer without a certificate, or with one that CA did not sign, never completes the
/// handshake, so it can neither join nor send a message.
/// </summary>
public static class ClusterTls
{
    /// <summary>Starts a node's actor system: as before with TLS off; with TLS on, with the DotNetty TLS setup and a watch for refusals.</summary>
    public static ActorSystem CreateSystem(string name, ClusterSettings cluster, Config nodeConfig)
    {
        if (cluster.Tls is not { } tls) return ActorSystem.Create(name, nodeConfig);
        var material = TlsCertificates.Load(tls);
        var watch = new RefusalWatch();
        var config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = on").WithFallback(nodeConfig);
        var setup = ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(config),
            new DotNettySslSetup(material.Certificate, suppressValidation: false, requireMutualAuthentication: true,
                validateCertificateHostname: false, customValidator: Validator(material.Ca, watch.Refuse)),
            watch);
        var system = ActorSystem.Create(name, setup);
        system.WhenTerminated.ContinueWith(_ => material.Dispose(), TaskScheduler.Default);
        return system;
    }

    /// <summary>
    /// Completes with the reason when this node refused a peer's certificate (for a worker: the seed node it tried to
    /// join is not of its cluster); never, with TLS off.
    /// </summary>
    public static Task<string> Refused(ActorSystem system) =>
        system.Settings.Setup.Get<RefusalWatch>() is { HasValue: true } watch ? watch.Value.First : new TaskCompletionSource<string>().Task;

    /// <summary>Throws the worker's one-line error when <paramref name="refused"/> (from <see cref="Refused"/>) has completed.</summary>
    public static void ThrowIfRefused(Task<string> refused, Akka.Actor.Address self, string seeds)
    {
        if (refused.IsCompletedSuccessfully)
            throw new Runs.SimulationException(
                $"worker {ClusterSetup.Describe(self)} cannot join the cluster through {seeds}: TLS {refused.Result}; " +
                "every node's certificate must be signed by the CA in fedtrust.cluster.tls.ca");
    }

    /// <summary>The check Akka runs on both sides of each handshake: the peer's certificate against the CA, whatever the machine's store says.</summary>
    public static CertificateValidationCallback Validator(X509Certificate2 ca, Action<string> onRefused) =>
        (certificate, _, peer, _, log) =>
        {
            if (TlsCertificates.Refusal(certificate, ca) is not { } refusal) return true;
            var who = peer[(peer.IndexOf('@') + 1)..]; // "ssl.tcp://fedtrust@host:port" (a node we connect to) or "[ip]:port" (one that connected)
            log.Error("TLS: refused {0}: {1}", who, refusal);
            onRefused($"refused {who}: {refusal}");
            return false;
        };

    /// <summary>The first refusal of a node, carried in its actor system's setup so the joining code can read it.</summary>
    private sealed class RefusalWatch : Setup
    {
        private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> First => _first.Task;

        public void Refuse(string reason) => _first.TrySetResult(reason);
    }
}
