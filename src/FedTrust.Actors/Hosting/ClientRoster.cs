using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The run's clients as the seed makes them: the paper's IID split (an equal, disjoint, seeded share of train and test
/// each), the malicious ones chosen by the seed, and under label flipping their labels poisoned (paper eq. 3 and 8).
/// A client is built on demand, so a worker node of a cluster run builds only the clients it hosts, and every node
/// builds the same client from the same seed.
/// </summary>
public sealed class ClientRoster
{
    /// <summary>Stream label of label-flip choices, apart from every other random stream.</summary>
    private const long LabelFlipStream = 4;

    private readonly ExperimentSettings _settings;
    private readonly LabeledTensors _train;
    private readonly ClientPartition[] _partitions;
    private readonly HashSet<int> _malicious;

    public ClientRoster(ExperimentSettings settings, LabeledTensors train, int testCount)
    {
        _settings = settings;
        _train = train;
        _partitions = Partitioner.Iid(train.Count, testCount, settings.Clients, settings.Seed);
        _malicious = MaliciousSelection.Choose(settings.Clients, settings.Attack.EffectiveMalicious, settings.Seed).ToHashSet();
    }

    public int Count => _partitions.Length;

    /// <summary>Client <paramref name="index"/> (0-based), with its labels poisoned if it flips labels.</summary>
    public ClientData Build(int index)
    {
        var p = _partitions[index];
        var attack = _settings.Attack;
        var data = ClientData.From(ExperimentSettings.ClientId(p.Client), p.Client, p.TrainIndices, p.TestIndices, _train);
        if (!_malicious.Contains(p.Client)) return data;
        if (attack.Kind != AttackKind.LabelFlip) return data with { Malicious = true };
        var poisoned = LabelFlip.Apply(data.TrainLabels, attack.Intensity, attack.LabelMapping,
            DeterministicRandom.For(_settings.Seed, LabelFlipStream, p.Client));
        return data with { TrainLabels = poisoned, Malicious = true };
    }

    /// <summary>The client with this id, or null when the run has no such client.</summary>
    public ClientData? Find(string clientId) =>
        IndexOf(clientId) is { } index && index < Count ? Build(index) : null;

    public IReadOnlyList<ClientData> All() => Enumerable.Range(0, Count).Select(Build).ToList();

    /// <summary>The index in an id of the form <c>client-N</c>, or null.</summary>
    public static int? IndexOf(string clientId) =>
        clientId.StartsWith("client-", StringComparison.Ordinal)
        && int.TryParse(clientId.AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
        && ExperimentSettings.ClientId(i) == clientId
            ? i
            : null;
}
