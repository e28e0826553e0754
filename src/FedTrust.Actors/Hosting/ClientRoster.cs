using FedTrust.Actors.Configuration;
using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The run's clients as the seed makes them: the configured split (<c>fedtrust.partition</c>: by default the paper's IID
/// split, an equal, disjoint, seeded share of train and test each; under FLTrust after the server's root set is set aside,
/// and with <c>data-shares</c> the first of that many shares), the malicious ones chosen by the seed (or the last ones), under label flipping their labels poisoned
/// (paper eq. 3 and 8), under the backdoor a fraction of their images triggered and relabelled to the target.
/// A client is built on demand, so a worker node of a cluster run builds only the clients it hosts, and every node
/// builds the same client from the same seed.
/// </summary>
public sealed class ClientRoster
{
    /// <summary>Stream label of label-flip choices, apart from every other random stream.</summary>
    private const long LabelFlipStream = 4;

    /// <summary>Stream label of the backdoor's choice of images to trigger.</summary>
    private const long BackdoorStream = 10;

    private readonly ExperimentSettings _settings;
    private readonly LabeledTensors _train;
    private readonly byte[] _trainLabels;
    private readonly ClientPartition[] _partitions;
    private readonly HashSet<int> _malicious;

    /// <summary>The clients of a run over <paramref name="train"/> and <paramref name="test"/>.</summary>
    /// <exception cref="ConfigurationException">The partition's settings cannot be met for this data and client count.</exception>
    public ClientRoster(ExperimentSettings settings, LabeledTensors train, LabeledTensors test)
        : this(settings, train, test.Labels.Select(l => (byte)l).ToArray())
    {
    }

    /// <summary>The clients of a run over <paramref name="train"/>, with the test set's labels (its split follows the training one).</summary>
    /// <exception cref="ConfigurationException">The partition's settings cannot be met for this data and client count.</exception>
    public ClientRoster(ExperimentSettings settings, LabeledTensors train, byte[] testLabels)
    {
        _settings = settings;
        _train = train;
        _trainLabels = train.Labels.Select(l => (byte)l).ToArray();
        var reserve = settings.Defense.Rule.NeedsRootUpdate ? settings.Defense.Options.RootSamples : 0;
        ClientPartition[] partitions;
        int[] root;
        try
        {
            (partitions, root) = Partitioner.Split(settings.Partition, _trainLabels, testLabels, settings.DataShares ?? settings.Clients, settings.Seed, reserve);
        }
        catch (PartitionException e)
        {
            throw new ConfigurationException(e.Message);
        }
        _partitions = partitions[..settings.Clients];
        var malicious = settings.Attack.EffectiveMalicious;
        _malicious = (settings.Attack.Placement == MaliciousPlacement.Last
            ? Enumerable.Range(settings.Clients - malicious, malicious)
            : MaliciousSelection.Choose(settings.Clients, malicious, settings.Seed)).ToHashSet();
        // A typical share's size: every share's under the IID split, their mean under a skewed one.
        var shareSize = (int)Math.Round(_partitions.Average(p => (double)p.TrainIndices.Length));
        Root = reserve > 0 ? ClientData.From("server-root", -1, Tiled(root, shareSize), [], train) : null;
    }

    public int Count => _partitions.Length;

    /// <summary>What decides a run's split (two runs with equal ones split alike): for checking each split of a grid once.</summary>
    public static object SplitOf(ExperimentSettings settings) => (settings.Data.Dataset.Name, settings.Partition, settings.DataShares ?? settings.Clients,
        settings.Clients, settings.Seed, settings.Defense.Rule.NeedsRootUpdate ? settings.Defense.Options.RootSamples : 0);

    /// <summary>
    /// Refuses, before anything is written, a split that <paramref name="dataset"/> cannot give: more IID shares than test
    /// samples (each share gets at least one), or a skewed split that cannot give every client its minimum.
    /// </summary>
    /// <exception cref="ConfigurationException">The split cannot be made; the message names the key.</exception>
    public static void Check(ExperimentSettings settings, MnistDataset dataset)
    {
        var shares = settings.DataShares ?? settings.Clients;
        var reserve = settings.Defense.Rule.NeedsRootUpdate ? settings.Defense.Options.RootSamples : 0;
        var (key, value) = settings.DataShares is { } s ? ("fedtrust.data-shares", s) : ("fedtrust.clients", settings.Clients);
        if (settings.Partition.Kind == PartitionKind.Iid && (shares > dataset.TestLabels.Length || shares > dataset.TrainLabels.Length - reserve))
            throw new ConfigurationException(
                $"{key} = {value}: the IID split gives each of its shares at least one of the {dataset.TrainLabels.Length - reserve} training and " +
                $"{dataset.TestLabels.Length} test samples of {settings.Data.Dataset.Name}, so it makes at most {Math.Min(dataset.TestLabels.Length, dataset.TrainLabels.Length - reserve)} shares; " +
                $"lower {key}");
        try
        {
            Partitioner.Split(settings.Partition, dataset.TrainLabels, dataset.TestLabels, shares, settings.Seed, reserve);
        }
        catch (PartitionException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }

    /// <summary>
    /// FLTrust's root set: clean training images held by the server, in no client's share; null for other rules. Its
    /// indices repeat to a typical client's share size, so the server's update takes as many SGD steps as a client's (Cao et al.
    /// 2021 run the same number of local iterations on both sides; one epoch over 100 images would be 2 steps against 94).
    /// </summary>
    public ClientData? Root { get; }

    private static int[] Tiled(int[] indices, int length) =>
        Enumerable.Range(0, Math.Max(indices.Length, length)).Select(i => indices[i % indices.Length]).ToArray();

    /// <summary>Client <paramref name="index"/> (0-based), with its labels poisoned if it flips labels.</summary>
    public ClientData Build(int index)
    {
        var p = _partitions[index];
        var attack = _settings.Attack;
        var data = ClientData.From(ExperimentSettings.ClientId(p.Client), p.Client, p.TrainIndices, p.TestIndices, _train)
            with { Classes = Partitioner.ClassHistogram(p.TrainIndices, _trainLabels) };
        if (!_malicious.Contains(p.Client)) return data;
        switch (attack.Kind)
        {
            case AttackKind.LabelFlip:
                var flipped = LabelFlip.Apply(data.TrainLabels, attack.Intensity, attack.LabelMapping,
                    DeterministicRandom.For(_settings.Seed, LabelFlipStream, p.Client));
                return data with { TrainLabels = flipped, Malicious = true };
            case AttackKind.Backdoor:
                return Backdoor.Poison(data, attack.Intensity, attack.Target, DeterministicRandom.For(_settings.Seed, BackdoorStream, p.Client)) with { Malicious = true };
            default:
                return data with { Malicious = true };
        }
    }

    /// <summary>The client with this id, or null when the run has no such client.</summary>
    public ClientData? Find(string clientId) =>
        ExperimentSettings.ClientIndex(clientId) is { } index && index < Count ? Build(index) : null;

    public IReadOnlyList<ClientData> All() => Enumerable.Range(0, Count).Select(Build).ToList();
}
