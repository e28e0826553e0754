namespace FedTrust.Core.Data;

/// <summary>
/// How pixels (0–255) become a model's inputs: x/255, less <see cref="Mean"/>, over <see cref="Std"/>, the mean and standard
/// deviation of the data set's training pixels (scaled to [0, 1]), so every data set enters the model centred and scaled alike.
/// </summary>
public readonly record struct PixelNormalization(float Mean, float Std)
{
    /// <summary>MNIST's: the values of the PyTorch MNIST example (LeCun et al. 1998's training set).</summary>
    public static PixelNormalization Mnist { get; } = new(0.1307f, 0.3081f);

    /// <summary>Fashion-MNIST's, computed over its 60,000 training images (Xiao et al. 2017): 0.28604, 0.35302.</summary>
    public static PixelNormalization FashionMnist { get; } = new(0.2860f, 0.3530f);
}
