using FedTrust.Core.Data;

namespace FedTrust.Core.Learning;

/// <summary>
/// The backdoor's trigger: a 3 × 3 checkerboard of white pixels near the bottom-right corner of a 28 × 28 image
/// (rows and columns 23–25, the five cells whose row + column is even: an "X"), a pixel pattern in the manner of
/// BadNets. Stamping sets those pixels to the brightest value a normalised image can hold, what a raw 255 becomes
/// in <see cref="LabeledTensors"/> for the data set: (1 − 0.1307) / 0.3081 ≈ 2.8215 on MNIST, (1 − 0.2860) / 0.3530 ≈ 2.0227 on Fashion-MNIST. Every other pixel is left as it is.
/// Source: Gu, Dolan-Gavitt &amp; Garg, "BadNets: Identifying Vulnerabilities in the Machine Learning Model Supply Chain", 2017 (the pixel-pattern backdoor on MNIST).
/// </summary>
public static class BackdoorTrigger
{
    /// <summary>The side of the square images the trigger is placed on (MNIST's 28).</summary>
    public const int Side = 28;

    /// <summary>Values in one flat image, row-major: <see cref="Side"/>².</summary>
    public const int ImageLength = Side * Side;

    /// <summary>The flat row-major indices (row·28 + column) of the trigger's pixels, ascending.</summary>
    public static IReadOnlyList<int> Pixels { get; } =
    [
        23 * Side + 23, 23 * Side + 25,
        24 * Side + 24,
        25 * Side + 23, 25 * Side + 25,
    ];

    /// <summary>The value a stamped pixel gets on MNIST: a raw 255 normalised as <see cref="LabeledTensors"/> does, in float.</summary>
    public static float StampValue { get; } = Normalise(1f, PixelNormalization.Mnist);

    /// <summary>The value a stamped pixel gets on a data set normalised with <paramref name="normalization"/>: its raw 255.</summary>
    public static float StampValueFor(PixelNormalization normalization) => Normalise(1f, normalization);

    /// <summary>Sets the trigger's pixels of one flat, normalised MNIST image to <see cref="StampValue"/>.</summary>
    /// <exception cref="ArgumentException">The image does not have <see cref="ImageLength"/> values.</exception>
    public static void Stamp(Span<float> image) => Stamp(image, StampValue);

    /// <summary>Sets the trigger's pixels of one flat, normalised image to <paramref name="value"/> (the data set's white).</summary>
    /// <exception cref="ArgumentException">The image does not have <see cref="ImageLength"/> values.</exception>
    public static void Stamp(Span<float> image, float value)
    {
        if (image.Length != ImageLength)
            throw new ArgumentException($"the trigger is stamped on {Side}×{Side} images ({ImageLength} values), not on {image.Length} values", nameof(image));
        foreach (var pixel in Pixels) image[pixel] = value;
    }

    /// <summary>(x − mean) / std in single precision, the order of operations <see cref="LabeledTensors"/> uses.</summary>
    private static float Normalise(float scaled, PixelNormalization normalization)
    {
        var centred = scaled - normalization.Mean;
        return centred / normalization.Std;
    }
}
