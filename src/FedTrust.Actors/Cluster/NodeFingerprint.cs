using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using TorchSharp;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// What a cluster node computes with, as two SHA-256 fingerprints that a worker sends the server when it gets ready for
/// a run (<see cref="Protocol.WorkerReady"/>); the server refuses a worker whose fingerprints differ from its own, and
/// result.json records every node's (<c>cluster.nodes[].build</c>, <c>.data</c>).
/// <list type="bullet">
/// <item><see cref="Build"/>: the module version ids (MVIDs) of the assemblies that compute a run — FedTrust.Core,
/// FedTrust.Actors and TorchSharp. A deterministic build gives the same MVID for the same source, and another one for
/// any change, even of one constant, whatever the version string says.</item>
/// <item><see cref="Data"/>: the data set as the node read it into memory (sizes, pixels and labels of the training and
/// test sets), so a file altered after its checksum was verified is caught too.</item>
/// </list>
/// </summary>
public static class NodeFingerprint
{
    /// <summary>For tests only: an environment variable that replaces this process's build fingerprint (to play another build).</summary>
    public const string BuildOverrideVariable = "FEDTRUST_TEST_BUILD_FINGERPRINT";

    private static readonly Lazy<string> OwnBuild = new(ComputeBuild);

    /// <summary>This process's build fingerprint (64 hex digits).</summary>
    public static string Build => OwnBuild.Value;

    /// <summary>The first 12 hex digits, as messages show a fingerprint.</summary>
    public static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] + "…" : fingerprint;

    /// <summary>The fingerprint of a data set as read (64 hex digits).</summary>
    public static string Data(MnistDataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[12];
        foreach (var (images, labels) in new[] { (dataset.TrainImages, dataset.TrainLabels), (dataset.TestImages, dataset.TestLabels) })
        {
            BinaryPrimitives.WriteInt32LittleEndian(header, images.Count);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], images.Rows);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], images.Cols);
            hash.AppendData(header);
            hash.AppendData(images.Pixels);
            hash.AppendData(labels);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string ComputeBuild()
    {
        if (Environment.GetEnvironmentVariable(BuildOverrideVariable) is { Length: > 0 } forced) return forced.Trim();
        var assemblies = new[] { typeof(ExperimentSettings).Assembly, typeof(NodeFingerprint).Assembly, typeof(torch).Assembly };
        var text = string.Join('\n', assemblies.Select(a => $"{a.GetName().Name} {a.GetName().Version} {a.ManifestModule.ModuleVersionId:N}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
