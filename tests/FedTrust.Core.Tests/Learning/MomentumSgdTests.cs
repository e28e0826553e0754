using FedTrust.Core.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Tests.Learning;

/// <summary>The trainer's SGD with momentum gives bit for bit what TorchSharp's torch.optim.SGD gives, job after job.</summary>
public class MomentumSgdTests
{
    // Inputs from the project's own generator: other tests draw from torch's global one concurrently.
    private static readonly float[] Images = Draw(32 * 784, r => (float)r.NextGaussian());
    private static readonly long[] Labels = Draw(32, r => (long)r.NextInt(10));

    private static T[] Draw<T>(int count, Func<DeterministicRandom, T> next)
    {
        var random = DeterministicRandom.For(12);
        return Enumerable.Range(0, count).Select(_ => next(random)).ToArray();
    }

    private static float[] TrainTwoJobs(bool ours, double momentum, string modelName = "mlp")
    {
        using var scope = torch.NewDisposeScope();
        var model = ModelZoo.Create(modelName);
        // Not ModelZoo.InitialWeights: it seeds torch's global generator, which tests running beside this one draw from.
        var initial = Draw(ModelZoo.ParameterCount(modelName), r => (float)(0.05 * r.NextGaussian()));
        var x = torch.tensor(Images, [32, 784]);
        var y = torch.tensor(Labels, [32]);
        var mine = new MomentumSgd(model.parameters(), 0.05, momentum);
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
    [InlineData(0.9, "mlp")]
    [InlineData(0.0, "mlp")]
    [InlineData(0.9, "cnn")]
    [InlineData(0.5, "cnn")]
    public void It_steps_exactly_as_torch_optim_sgd(double momentum, string model)
    {
        // Ours steps in one fused pass over each parameter's storage and drops gradients between batches; torch's
        // optimiser runs libtorch's kernels and zeroes them: every bit must still agree (parameters of 10 values test
        // the kernels' scalar tails, the convolutions' gradients their layouts).
        var ours = TrainTwoJobs(ours: true, momentum, model);
        var theirs = TrainTwoJobs(ours: false, momentum, model);
        Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(ours, TrainTwoJobs(ours: true, momentum == 0 ? 0.9 : 0.0, model)); // momentum matters, so the comparison can fail
    }

    [Fact]
    public void Zero_grad_drops_the_gradients_and_the_next_backward_sets_them()
    {
        using var scope = torch.NewDisposeScope();
        var model = ModelZoo.Create("mlp");
        var sgd = new MomentumSgd(model.parameters(), 0.05, 0.9);
        nn.functional.cross_entropy(model.forward(torch.tensor(Images, [32, 784])), torch.tensor(Labels, [32])).backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        sgd.ZeroGrad();
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
        sgd.Step(); // a step without gradients changes nothing and does not fail
    }
}
