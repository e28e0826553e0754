using System.Reflection.PortableExecutable;
using FedTrust.Actors.Cluster;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// A node's build fingerprint hashes the MVIDs of the assemblies that compute a run. A deterministic build's MVID is a
/// hash of the assembly's bytes, and those hold the PDB's path, so two hosts building one commit in different folders
/// would refuse each other's workers unless the build maps its source paths away (PathMap in Directory.Build.props).
/// </summary>
public class NodeFingerprintTests
{
    [Theory]
    [InlineData(typeof(ExperimentSettings))] // FedTrust.Core
    [InlineData(typeof(NodeFingerprint))] // FedTrust.Actors
    public void The_assemblies_a_fingerprint_hashes_hold_no_path_of_the_checkout(Type type)
    {
        using var pe = new PEReader(File.OpenRead(type.Assembly.Location));
        var codeView = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.CodeView);
        var pdbPath = pe.ReadCodeViewDebugDirectoryData(codeView).Path;
        Assert.StartsWith("/fedtrust/", pdbPath);
        Assert.DoesNotContain(RepoPaths.Root, pdbPath);
    }

    [Fact]
    public void The_build_fingerprint_is_a_sha256() => Assert.Matches("^[0-9a-f]{64}$", NodeFingerprint.Build);
}
