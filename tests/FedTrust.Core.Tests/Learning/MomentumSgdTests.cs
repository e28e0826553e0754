using FedTrust.Core.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Tests.Learning;

/// <summary>The trainer's SGD with momentum gives bit for bit what TorchSharp's torch.optim.SGD gives, job after job.</summary>
public class MomentumSgdTests
{
    // Inputs from the project's own generator: other tests draw from torch's global one concurrently.
    private static readonly float[] Initial = ModelZoo.InitialWeights("mlp", 11);
    private static readonly float[] Images = Draw(32 * 784, r => (float)r.NextGaussian());
    private static readonly long[] Labels = Draw(32, r => (long)r.NextInt(10));

    private static T[] Draw<T>(int count, Func<DeterministicRandom, T> next)
    {
        var random = DeterministicRandom.For(12);
        return Enumerable.Range(0, count).Select(_ => next(random)).ToArray();
    }

    private static float[] TrainTwoJobs(bool ours, double momentum)
    {
        using var scope = torch.NewDisposeScope();
        var model = ModelZoo.Create("mlp");
        var initial = Initial;
        var x = torch.tensor(Images, [32, 784]);
        var y = torch.tensor(Labels, [32]);
        using var mine = new MomentumSgd(model.parameters(), 0.05, momentum);
        float[] last = [];
        for (var job = 0; job < 2; job++)
        {
            // Every job starts from the same weights with a fresh optimiser, as a client's round does.
            ParameterVector.Set(model, initial);
            using var theirs = ours ? null : torch.optim.SGD(model.parameters(), 0.05, momentum);
            mine.Start();
            for (var step = 0; step < 4; step++)
            {
                using var batch = torch.NewDisposeScope();
                if (ours) mine.ZeroGrad(); else theirs!.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x[TensorIndex.Slice(step * 8, step * 8 + 8)]), y[TensorIndex.Slice(step * 8, step * 8 + 8)]);
                loss.backward();
                if (ours) mine.Step(); else theirs!.step();
            }
            var weights = ParameterVector.Get(model);
            if (job == 1) Assert.True(last.SequenceEqual(weights), $"ours={ours}: the second job differs from the first"); // no momentum carried over
            last = weights;
        }
        return last;
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.0)]
    public void It_steps_exactly_as_torch_optim_sgd(double momentum)
    {
        var ours = TrainTwoJobs(ours: true, momentum);
        var theirs = TrainTwoJobs(ours: false, momentum);
        Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(ours, TrainTwoJobs(ours: true, momentum == 0 ? 0.9 : 0.0)); // momentum matters, so the comparison can fail
    }
}
