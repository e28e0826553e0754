using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// Two 3x3 convolutions (32 and 64 channels, each followed by ReLU), 2x2 max-pooling, dropout 0.25, a 9216-128
/// linear layer with ReLU, dropout 0.5 and a 128-10 head: 1,199,882 parameters. It returns logits (the trainer's
/// cross-entropy applies the log-softmax the original ends with); its dropout draws from a generator of its own
/// (<see cref="IStochasticModel"/>).
/// Source: class Net of https://github.com/pytorch/examples/blob/main/mnist/main.py (the PyTorch MNIST example).
/// </summary>
internal sealed class CnnLarge : nn.Module<Tensor, Tensor>, IStochasticModel
{
    private readonly Conv2d _conv1 = nn.Conv2d(1, 32, kernel_size: 3, stride: 1);
    private readonly Conv2d _conv2 = nn.Conv2d(32, 64, kernel_size: 3, stride: 1);
    private readonly Linear _fc1 = nn.Linear(64 * 12 * 12, 128);
    private readonly Linear _fc2 = nn.Linear(128, 10);
    private readonly Generator _dropoutRandom = new(0);
    private readonly SeededDropout _dropout1;
    private readonly SeededDropout _dropout2;

    public CnnLarge() : base("cnn-large")
    {
        _dropout1 = new SeededDropout(0.25, _dropoutRandom);
        _dropout2 = new SeededDropout(0.5, _dropoutRandom);
        RegisterComponents();
    }

    public void Reseed(long seed) => _dropoutRandom.manual_seed(seed);

    public override Tensor forward(Tensor input)
    {
        using var image = input.reshape(-1, 1, 28, 28);
        using var c1 = _conv1.forward(image);
        using var r1 = nn.functional.relu(c1);
        using var c2 = _conv2.forward(r1);
        using var r2 = nn.functional.relu(c2);
        using var pooled = nn.functional.max_pool2d(r2, 2);
        using var d1 = _dropout1.forward(pooled);
        using var flat = d1.flatten(1);
        using var f1 = _fc1.forward(flat);
        using var r3 = nn.functional.relu(f1);
        using var d2 = _dropout2.forward(r3);
        return _fc2.forward(d2);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dropoutRandom.Dispose();
        base.Dispose(disposing);
    }
}
