using FedTrust.Core.Learning;

namespace FedTrust.Core.Attacks;

/// <summary>
/// Which of a malicious client's own training samples carry the backdoor: a seeded uniform choice of
/// round(fraction · samples) of them. Those samples are trained with <see cref="BackdoorTrigger"/> stamped on their
/// image and their label rewritten to the target class; the attack's success is the share of triggered test images
/// (of other classes) the global model then assigns to the target.
/// Source: Bagdasaryan, Veit, Hua, Estrin &amp; Shmatikov, "How To Backdoor Federated Learning", AISTATS 2020 (poisoned local data mixed with clean data).
/// </summary>
public static class Backdoor
{
    /// <summary>
    /// round(<paramref name="fraction"/>·<paramref name="samples"/>) distinct positions in [0, samples), ascending.
    /// Halves round up, and the product is taken with a relative tolerance of 1e-9 (as <see cref="LabelFlip.FlipCount"/>
    /// does), so that 0.29·50, 14.499999999999998 in binary, counts as the intended 14.5 and gives 15.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> negative, or <paramref name="fraction"/> outside [0, 1] or NaN.</exception>
    public static int[] Choose(int samples, double fraction, DeterministicRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentNullException.ThrowIfNull(random);
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction of backdoored samples must be in [0, 1]");

        var exact = fraction * samples;
        var count = Math.Min(samples, (int)Math.Floor(exact + 0.5 + 1e-9 * Math.Max(1.0, exact)));
        // Partial Fisher–Yates: after step i, positions 0..i hold a uniform sample without replacement.
        var pool = new int[samples];
        for (var i = 0; i < samples; i++) pool[i] = i;
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(samples - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var chosen = pool[..count];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>
    /// <paramref name="client"/> with the backdoor planted in its data: the positions <see cref="Choose"/> picks
    /// (from <paramref name="random"/>) become its <see cref="ClientData.Triggered"/> samples and their labels
    /// <paramref name="targetClass"/>; its other labels, and everything else about it, stay as they are
    /// (<see cref="ClientData.Malicious"/> included: the caller marks the client). The input is not modified.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> outside [0, 1], or <paramref name="targetClass"/> outside 0..9.</exception>
    public static ClientData Poison(ClientData client, double fraction, int targetClass, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(client);
        if ((uint)targetClass >= Evaluator.Classes)
            throw new ArgumentOutOfRangeException(nameof(targetClass), targetClass, $"the backdoor's target class must be in 0..{Evaluator.Classes - 1}");
        var triggered = Choose(client.TrainIndices.Length, fraction, random);
        var labels = client.TrainLabels.ToArray();
        foreach (var position in triggered) labels[position] = targetClass;
        return client with { TrainLabels = labels, Triggered = triggered };
    }
}
