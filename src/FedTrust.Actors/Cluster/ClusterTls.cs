using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using FedTrust.Actors.Configuration;
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
        var material = Load(tls);
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

    /// <summary>
    /// This node's certificate (with its private key) and the CA's, read and checked: each failure is a usage error naming
    /// the key and the file. The node's own certificate must be signed by the CA, or every peer would refuse it.
    /// </summary>
    public static Material Load(ClusterTlsSettings tls)
    {
        if (tls.Certificate.Length == 0)
            throw new ConfigurationException(
                $"fedtrust.cluster.tls.certificate is empty, but fedtrust.cluster.tls.ca = '{tls.Ca}' turns TLS on: give every node its own certificate (a .pfx signed by that CA)");
        if (tls.Ca.Length == 0)
            throw new ConfigurationException(
                $"fedtrust.cluster.tls.ca is empty, but fedtrust.cluster.tls.certificate = '{tls.Certificate}' turns TLS on: give the certificate of the CA that signed every node's certificate (ca.crt)");
        var certificatePath = Existing("fedtrust.cluster.tls.certificate", tls.Certificate);
        var caPath = Existing("fedtrust.cluster.tls.ca", tls.Ca);
        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in memory, nothing is written to a key store (not possible on Windows' SChannel).
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, tls.Password,
                OperatingSystem.IsWindows() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException)
        {
            throw new ConfigurationException(
                $"fedtrust.cluster.tls.certificate = '{certificatePath}': cannot open it with fedtrust.cluster.tls.password (a wrong password, or not a PKCS#12 .pfx/.p12 file)");
        }
        X509Certificate2 ca;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        }
        catch (CryptographicException)
        {
            certificate.Dispose();
            throw new ConfigurationException($"fedtrust.cluster.tls.ca = '{caPath}': not an X.509 certificate (PEM or DER), e.g. the ca.crt made with openssl (scripts/README.md, \"Mutual TLS\")");
        }
        var problem = !certificate.HasPrivateKey
            ? "holds no private key: export it with its key (openssl pkcs12 -export -inkey node.key -in node.crt -out node.pfx)"
            : Refusal(certificate, ca) is { } refusal ? $"{refusal} (fedtrust.cluster.tls.ca = '{caPath}')" : null;
        if (problem is not null)
        {
            certificate.Dispose();
            ca.Dispose();
            throw new ConfigurationException($"fedtrust.cluster.tls.certificate = '{certificatePath}': {problem}");
        }
        return new Material(certificate, ca);
    }

    /// <summary>
    /// Why a peer's certificate is refused, or null when <paramref name="ca"/> signed it and it is valid now. The chain is
    /// built with the CA as its only trust anchor (custom root trust, RFC 5280 path validation); revocation is not
    /// checked (a lab CA publishes no CRL: remove a node by issuing a new CA).
    /// </summary>
    public static string? Refusal(X509Certificate2? peer, X509Certificate2 ca)
    {
        if (peer is null) return "it presented no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(peer) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData))
            return null;
        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        return $"the certificate '{peer.Subject}' is not signed by the cluster's CA '{ca.Subject}' ({(status.Length > 0 ? status : "another root")})";
    }

    /// <summary>The check Akka runs on both sides of each handshake: the peer's certificate against the CA, whatever the machine's store says.</summary>
    public static CertificateValidationCallback Validator(X509Certificate2 ca, Action<string> onRefused) =>
        (certificate, _, peer, _, log) =>
        {
            if (Refusal(certificate, ca) is not { } refusal) return true;
            var who = peer[(peer.IndexOf('@') + 1)..]; // "ssl.tcp://fedtrust@host:port" (a node we connect to) or "[ip]:port" (one that connected)
            log.Error("TLS: refused {0}: {1}", who, refusal);
            onRefused($"refused {who}: {refusal}");
            return false;
        };

    /// <summary>A node's certificate and its CA's, held while the node runs.</summary>
    public sealed record Material(X509Certificate2 Certificate, X509Certificate2 Ca) : IDisposable
    {
        public void Dispose()
        {
            Certificate.Dispose();
            Ca.Dispose();
        }
    }

    private static string Existing(string key, string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ConfigurationException($"{key} = '{full}': no such file");
        return full;
    }

    /// <summary>The first refusal of a node, carried in its actor system's setup so the joining code can read it.</summary>
    private sealed class RefusalWatch : Setup
    {
        private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> First => _first.Task;

        public void Refuse(string reason) => _first.TrySetResult(reason);
    }
}
