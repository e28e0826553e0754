using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;

namespace FedTrust.Core.Tests.Data;

/// <summary>Each data set enters the model normalised with its own pixel mean and std, and the backdoor's trigger is that data set's white.</summary>
public class PixelNormalizationTests
{
    [Fact]
    public void Images_are_normalised_with_the_data_sets_own_mean_and_std()
    {
        var images = new IdxImages(2, 28, 28, [.. Enumerable.Repeat((byte)0, 784), .. Enumerable.Repeat((byte)255, 784)]);
        using var fashion = new LabeledTensors(images, [3, 7], PixelNormalization.FashionMnist);
        using var mnist = new LabeledTensors(images, [3, 7]);

        var f = fashion.Images.data<float>().ToArray();
        var m = mnist.Images.data<float>().ToArray();
        Assert.Equal((0f - 0.2860f) / 0.3530f, f[0], 6);
        Assert.Equal((1f - 0.2860f) / 0.3530f, f[784], 6);
        Assert.Equal((0f - 0.1307f) / 0.3081f, m[0], 6);
        Assert.Equal(PixelNormalization.Mnist, mnist.Normalization);
        Assert.Equal(PixelNormalization.FashionMnist, DatasetCatalog.FashionMnist.Normalization);
        Assert.Equal(PixelNormalization.Mnist, DatasetCatalog.Mnist.Normalization);
    }

    [Fact]
    public void The_trigger_is_the_normalised_white_of_the_data_set()
    {
        var images = new IdxImages(1, 28, 28, Enumerable.Repeat((byte)255, 784).ToArray());
        foreach (var normalization in new[] { PixelNormalization.Mnist, PixelNormalization.FashionMnist })
        {
            using var white = new LabeledTensors(images, [0], normalization);
            Assert.Equal(white.Images.data<float>()[0], BackdoorTrigger.StampValueFor(normalization));
        }
        Assert.Equal(BackdoorTrigger.StampValue, BackdoorTrigger.StampValueFor(PixelNormalization.Mnist));
    }
}
