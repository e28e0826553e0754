namespace FedTrust.Core.Settings;

/// <summary>
/// Mutual TLS for the cluster transport (<c>fedtrust.cluster.tls</c>): this node's certificate with its private key
/// (a PKCS#12 file and its password) and the certificate of the one CA that signed every node's certificate. A node
/// accepts a connection only from a peer whose certificate that CA signed, and presents its own. Off (null) by default.
/// </summary>
public sealed record ClusterTlsSettings(string Certificate, string Password, string Ca)
{
    /// <summary>The password, never printed or recorded (result.json records <see cref="RedactedPassword"/>).</summary>
    public override string ToString() => $"ClusterTlsSettings {{ Certificate = {Certificate}, Ca = {Ca} }}";

    /// <summary>What result.json records in place of a password that is set.</summary>
    public const string RedactedPassword = "(redacted)";
}
