using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Configuration;

/// <summary>
/// The certificates of <c>fedtrust.cluster.tls</c>: this node's (with its private key) and the CA's, read and checked when
/// the settings are read (a bad file or password is a usage error before anything is written), and the check a peer's
/// certificate must pass. Plain X.509; the cluster transport that uses them is FedTrust.Actors' <c>ClusterTls</c>.
/// </summary>
public static class TlsCertificates
{
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
}
