using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using FedTrust.Actors.Cluster;
using FedTrust.Core.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// Issue 21, case 24: mutual TLS for the cluster transport (<c>fedtrust.cluster.tls</c>). Certificates are made here
/// (a CA, nodes it signs, and intruders it did not sign) in a temporary folder; nothing touches the machine's trust store.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTlsTests : IDisposable
{
    private const string Password = "lab-secret-7";
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-tls-").FullName;
    private readonly Pki _pki;
    private readonly List<NodeProcess> _nodes = [];

    public ClusterTlsTests() => _pki = new Pki(_root);

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _pki.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_peer_is_accepted_only_with_a_valid_certificate_the_clusters_CA_signed()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaFile);
        using var node = _pki.Issue("node-a", _pki.Ca);
        using var rogue = _pki.SelfSigned("rogue");
        using var otherCa = _pki.NewCa("other CA");
        using var fromOtherCa = _pki.Issue("node-b", otherCa);
        using var expired = _pki.Issue("node-c", _pki.Ca, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        Assert.Null(TlsCertificates.Refusal(node, ca));
        Assert.Equal("it presented no certificate", TlsCertificates.Refusal(null, ca));
        Assert.Equal("the certificate 'CN=rogue' is not signed by the cluster's CA 'CN=fedtrust test CA' (UntrustedRoot)", TlsCertificates.Refusal(rogue, ca));
        Assert.StartsWith("the certificate 'CN=node-b' is not signed by the cluster's CA 'CN=fedtrust test CA' (", TlsCertificates.Refusal(fromOtherCa, ca));
        Assert.Contains("NotTimeValid", TlsCertificates.Refusal(expired, ca));
    }

    [Fact]
    public void The_Akka_in_use_has_mutual_TLS_and_the_fix_of_CVE_2025_61778()
    {
        // Akka.Remote 1.2.0–1.5.51 accepted TLS clients without a certificate (CVE-2025-61778); 1.5.52 added
        // require-mutual-authentication (default on) and DotNettySslSetup's custom validator this project relies on.
        var informational = typeof(DotNettySslSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var version = Version.Parse(informational.Split('+', '-')[0]);
        Assert.True(version >= new Version(1, 5, 52), $"Akka.Remote {informational} predates the fix of CVE-2025-61778 (1.5.52)");
        Assert.NotNull(typeof(DotNettySslSetup).GetConstructor([typeof(X509Certificate2), typeof(bool), typeof(bool), typeof(bool), typeof(CertificateValidationCallback)]));
        var props = File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        Assert.Contains("<AkkaVersion>1.5.", props);
        Assert.Contains("VersionLessThan('$(AkkaVersion)', '1.5.52')", props);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "missing-certificate", "fedtrust.cluster.tls.certificate = '{root}/absent.pfx': no such file" },
        { "wrong-password", "fedtrust.cluster.tls.certificate = '{root}/worker.pfx': cannot open it with fedtrust.cluster.tls.password (a wrong password, or not a PKCS#12 .pfx/.p12 file)" },
        { "no-ca", "fedtrust.cluster.tls.ca is empty, but fedtrust.cluster.tls.certificate = '{root}/worker.pfx' turns TLS on: give the certificate of the CA that signed every node's certificate (ca.crt)" },
        { "missing-ca", "fedtrust.cluster.tls.ca = '{root}/absent.crt': no such file" },
        { "ca-not-a-certificate", "fedtrust.cluster.tls.ca = '{root}/notes.txt': not an X.509 certificate (PEM or DER), e.g. the ca.crt made with openssl (scripts/README.md, \"Mutual TLS\")" },
        { "no-certificate", "fedtrust.cluster.tls.certificate is empty, but fedtrust.cluster.tls.ca = '{root}/ca.crt' turns TLS on: give every node its own certificate (a .pfx signed by that CA)" },
        { "certificate-of-another-ca", "fedtrust.cluster.tls.certificate = '{root}/rogue.pfx': the certificate 'CN=rogue' is not signed by the cluster's CA 'CN=fedtrust test CA' (UntrustedRoot) (fedtrust.cluster.tls.ca = '{root}/ca.crt')" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_tls_settings_are_usage_errors_naming_the_key_and_file_before_anything_is_written(string problem, string expected)
    {
        _pki.WriteNode("worker", _pki.Ca);
        _pki.WriteSelfSigned("rogue");
        File.WriteAllText(Path.Combine(_root, "notes.txt"), "not a certificate");
        var (certificate, password, ca) = problem switch
        {
            "missing-certificate" => ("absent.pfx", Password, "ca.crt"),
            "wrong-password" => ("worker.pfx", "guess", "ca.crt"),
            "no-ca" => ("worker.pfx", Password, ""),
            "missing-ca" => ("worker.pfx", Password, "absent.crt"),
            "ca-not-a-certificate" => ("worker.pfx", Password, "notes.txt"),
            "no-certificate" => ("", "", "ca.crt"),
            "certificate-of-another-ca" => ("rogue.pfx", Password, "ca.crt"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        string[] tls = [.. Tls(certificate.Length == 0 ? "" : Path.Combine(_root, certificate), password, ca.Length == 0 ? "" : Path.Combine(_root, ca))];
        var outDir = Path.Combine(_root, "run");

        var server = await CliRunner.Run(["run", "--cluster", "--rounds", "1", "--out", outDir, .. tls]);
        var worker = await CliRunner.Run(["node", "--role", "worker", "--seed-nodes", "127.0.0.1:4053", .. tls]);

        foreach (var (code, _, err) in new[] { server, worker })
        {
            Assert.Equal(2, code);
            CliRunner.AssertOneLineError(err, "error: " + expected.Replace("{root}", _root));
        }
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task Nodes_without_a_certificate_of_the_clusters_CA_cannot_join_and_one_with_it_gives_the_local_runs_result()
    {
        var server = _pki.WriteNode("server", _pki.Ca);
        var worker = _pki.WriteNode("worker", _pki.Ca);
        using var rogueCa = _pki.NewCa("rogue CA");
        var rogueCaFile = _pki.WritePem("rogue-ca.crt", rogueCa);
        var rogue = _pki.WriteNode("rogue", rogueCa);
        var port = InProcessClusterTests.FreePort();
        var seed = $"127.0.0.1:{port}";
        var outDir = Path.Combine(_root, "cluster");
        string[] experiment = ["--rounds", "2", "--set", "fedtrust.defense=trust", "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.malicious=2",
            "--set", "fedtrust.persistence.timeout=60s"]; // where the journal is, not what the run computes: patient on a loaded machine
        var serverNode = Start("server", ["run", "--cluster", "--port", $"{port}", "--workers", "1", "--out", outDir,
            "--set", "fedtrust.cluster.join-timeout=180s", .. Tls(server, Password, _pki.CaFile), .. experiment]);
        await serverNode.WaitFor("waiting for 1 worker node(s)", TimeSpan.FromMinutes(2));

        // 1. A node that skips the checks (it accepts any server, and presents a self-signed certificate): the server's
        //    handshake refuses it. Were it let in, the server would start the run with it as its one worker.
        using (var intruder = Intruder(port))
            await serverNode.WaitFor("TLS: refused", TimeSpan.FromMinutes(1));
        Assert.Contains("the certificate 'CN=intruder' is not signed by the cluster's CA 'CN=fedtrust test CA'", serverNode.Output);

        // 2. A worker with a certificate from another CA (and that CA as its own): it refuses the server, and says so.
        var (rogueCode, _, rogueErr) = await CliRunner.RunProcess(["node", "--role", "worker", "--seed-nodes", seed,
            "--set", "fedtrust.cluster.join-timeout=60s", .. Tls(rogue, Password, rogueCaFile)], timeout: TimeSpan.FromMinutes(2));
        Assert.True(rogueCode == 1, rogueErr);
        CliRunner.AssertOneLineError(rogueErr, $"cannot join the cluster through {seed}: TLS refused {seed}: " +
            "the certificate 'CN=server' is not signed by the cluster's CA 'CN=rogue CA' (PartialChain); every node's certificate must be signed by the CA in fedtrust.cluster.tls.ca");

        // 3. A worker without TLS: the server reads no TLS record from it, and it gives up at its join timeout.
        var (plainCode, _, plainErr) = await CliRunner.RunProcess(["node", "--role", "worker", "--seed-nodes", seed,
            "--set", "fedtrust.cluster.join-timeout=5s"], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(1, plainCode);
        CliRunner.AssertOneLineError(plainErr, $"could not join the cluster through {seed} within 5 s (fedtrust.cluster.join-timeout)");

        // 4. The worker with a certificate of the cluster's CA joins, and the run completes as it does in one process.
        var legit = Start("worker", ["node", "--role", "worker", "--seed-nodes", seed, "--set", "fedtrust.trainers=1", .. Tls(worker, Password, _pki.CaFile)]);
        Assert.True(await serverNode.Exit(TimeSpan.FromMinutes(5)) == 0, serverNode.Output);
        Assert.True(await legit.Exit(TimeSpan.FromMinutes(1)) == 0, legit.Output);
        var legitAddress = legit.Output.Split('\n').Single(l => l.Contains("joined through")).Split(' ')[3];

        ResultSchema.AssertValid(Path.Combine(outDir, "result.json")); // written by the server node's process, not through CliRunner
        var text = File.ReadAllText(Path.Combine(outDir, "result.json"));
        Assert.DoesNotContain(Password, text);
        using var clustered = JsonDocument.Parse(text);
        var cluster = clustered.RootElement.GetProperty("cluster");
        Assert.All(cluster.GetProperty("hosts").EnumerateObject(), h => Assert.Equal(legitAddress, h.Value.GetString()));
        Assert.Equal(2, cluster.GetProperty("nodes").GetArrayLength()); // the server and the one legitimate worker
        Assert.Equal("(redacted)", clustered.RootElement.GetProperty("config").GetProperty("cluster").GetProperty("tls").GetProperty("password").GetString());

        var localDir = Path.Combine(_root, "local");
        var (code, _, err) = await CliRunner.Run(["run", "--out", localDir, .. experiment]);
        Assert.True(code == 0, err);
        using var local = JsonDocument.Parse(File.ReadAllText(Path.Combine(localDir, "result.json")));
        Assert.Equal(Comparable(local.RootElement), Comparable(clustered.RootElement));
    }

    /// <summary>Final metrics and clients, and per round the metrics, loss, participants, exclusions and trust.</summary>
    private static string Comparable(JsonElement result) =>
        result.GetProperty("final") + "|" + result.GetProperty("clients") + "|" + string.Join("|", result.GetProperty("rounds").EnumerateArray().Select(r =>
            string.Join(",", new[] { "accuracy", "precision", "recall", "f1", "loss", "participants", "excluded", "trust" }.Select(k => r.GetProperty(k).ToString()))));

    private static IEnumerable<string> Tls(string certificate, string password, string ca) =>
    [
        "--set", $"fedtrust.cluster.tls.certificate=\"{certificate}\"",
        "--set", $"fedtrust.cluster.tls.password=\"{password}\"",
        "--set", $"fedtrust.cluster.tls.ca=\"{ca}\"",
    ];

    private NodeProcess Start(string name, string[] args)
    {
        var node = new NodeProcess(name, args);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// An actor system in this process that tries to join the server as a worker over TLS with a self-signed
    /// certificate and no validation of the server (what a tampered node would do).
    /// </summary>
    private ActorSystem Intruder(int serverPort)
    {
        var certificate = _pki.SelfSigned("intruder");
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, enable-ssl = on }
            akka.cluster.roles = [worker]
            akka.loglevel = ERROR
            akka.stdout-loglevel = OFF
            """);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config),
            new DotNettySslSetup(certificate, suppressValidation: true, requireMutualAuthentication: true));
        var system = ActorSystem.Create(ClusterSetup.SystemName, setup);
        AkkaCluster.Get(system).JoinSeedNodes([new Address("akka.ssl.tcp", ClusterSetup.SystemName, "127.0.0.1", serverPort)]);
        return system;
    }

    /// <summary>A test CA and the certificates it signs, made with .NET's CertificateRequest (ECDSA P-256) in a folder.</summary>
    private sealed class Pki : IDisposable
    {
        private readonly string _folder;

        public Pki(string folder)
        {
            _folder = folder;
            Ca = NewCa("fedtrust test CA");
            CaFile = WritePem("ca.crt", Ca);
        }

        public X509Certificate2 Ca { get; }

        public string CaFile { get; }

        public X509Certificate2 NewCa(string name)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        }

        public X509Certificate2 Issue(string name, X509Certificate2 ca, DateTimeOffset? from = null, DateTimeOffset? to = null)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256); // lives with the certificate it is copied into
            var request = NodeRequest(name, key);
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            using var issued = request.Create(ca, from ?? DateTimeOffset.UtcNow.AddHours(-1), to ?? DateTimeOffset.UtcNow.AddDays(7),
                RandomNumberGenerator.GetBytes(16));
            return issued.CopyWithPrivateKey(key);
        }

        public X509Certificate2 SelfSigned(string name)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return NodeRequest(name, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7));
        }

        /// <summary>Writes NAME.pfx (with its key, protected by the test password) for a node the CA signs; returns its path.</summary>
        public string WriteNode(string name, X509Certificate2 ca)
        {
            using var certificate = Issue(name, ca);
            return WritePfx(name, certificate);
        }

        public string WriteSelfSigned(string name)
        {
            using var certificate = SelfSigned(name);
            return WritePfx(name, certificate);
        }

        public string WritePem(string file, X509Certificate2 certificate)
        {
            var path = Path.Combine(_folder, file);
            File.WriteAllText(path, certificate.ExportCertificatePem());
            return path;
        }

        public void Dispose() => Ca.Dispose();

        private string WritePfx(string name, X509Certificate2 certificate)
        {
            var path = Path.Combine(_folder, $"{name}.pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
            return path;
        }

        private static CertificateRequest NodeRequest(string name, ECDsa key)
        {
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
            return request;
        }
    }
}
