using FedTrust.Core.Learning;
using TorchSharp;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// The dropout cnn-large uses behaves as torch.nn.Dropout (zero with probability p, scale the rest by 1/(1 − p),
/// identity in evaluation) but draws its masks from its own generator only: the same seed gives the same mask.
/// </summary>
public class SeededDropoutTests
{
    private const int Size = 10_000;

    private static float[] Apply(double p, long seed, bool training, float[] input)
    {
        using var generator = new torch.Generator(0);
        generator.manual_seed(seed);
        using var dropout = new SeededDropout(p, generator);
        dropout.train(training);
        using var x = torch.tensor(input);
        using var y = dropout.forward(x);
        return y.data<float>().ToArray();
    }

    private static float[] Input() => Enumerable.Range(1, Size).Select(i => i * 0.25f).ToArray();

    [Fact]
    public void In_training_it_zeroes_about_p_and_scales_the_rest_by_one_over_one_minus_p()
    {
        var input = Input();
        var output = Apply(0.25, seed: 3, training: true, input);

        var zeroed = output.Count(v => v == 0);
        Assert.InRange(zeroed, 0.22 * Size, 0.28 * Size);
        var scale = 1f / 0.75f;
        for (var i = 0; i < Size; i++)
            Assert.True(output[i] == 0 || output[i] == input[i] * scale, $"value {i}: {input[i]} became {output[i]}");
    }

    [Fact]
    public void The_mask_depends_only_on_the_seed()
    {
        var input = Input();
        Assert.Equal(Apply(0.5, seed: 8, training: true, input), Apply(0.5, seed: 8, training: true, input));
        Assert.NotEqual(Apply(0.5, seed: 8, training: true, input), Apply(0.5, seed: 9, training: true, input));
    }

    [Fact]
    public void In_evaluation_it_is_the_identity()
    {
        var input = Input();
        Assert.Equal(input, Apply(0.5, seed: 8, training: false, input));
    }

    [Fact]
    public void A_probability_outside_zero_to_below_one_is_refused()
    {
        using var generator = new torch.Generator(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeededDropout(1, generator));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeededDropout(-0.1, generator));
    }
}
