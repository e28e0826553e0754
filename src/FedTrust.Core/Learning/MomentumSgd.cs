using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// SGD with momentum, computed as <c>torch.optim.SGD</c> computes it (no dampening, weight decay or Nesterov):
/// b₁ = g₁, bₜ = μ·bₜ₋₁ + gₜ, p ← p − η·bₜ (PyTorch documentation of torch.optim.SGD, its algorithm box), op for op
/// the same kernels, so updates are bit-identical to TorchSharp's optimiser.
/// </summary>
/// <remarks>
/// Why not TorchSharp's own: its step passes μ, 1 − dampening and −η as <see cref="Scalar"/>s converted implicitly
/// from doubles and never disposed. Such a temporary is unreachable while libtorch still reads it, so the finalizer
/// thread may free it mid-call (TorchSharp PRs #1434, #1496): a training job then fails with "Unknown scalar type"
/// once in a long while. Here the scalars live as long as the trainer. The momentum buffers are per job:
/// <see cref="Start"/> drops them, as a fresh optimiser would.
/// </remarks>
internal sealed class MomentumSgd : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor?[] _buffers;
    private readonly bool _hasMomentum;
    private readonly Scalar _momentum;
    private readonly Scalar _one;
    private readonly Scalar _minusLearningRate;

    public MomentumSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum)
    {
        _parameters = parameters.ToArray();
        _buffers = new Tensor?[_parameters.Length];
        _hasMomentum = momentum != 0;
        _momentum = momentum.ToScalar();
        _one = 1.0.ToScalar();
        _minusLearningRate = (-learningRate).ToScalar();
    }

    /// <summary>Forgets the momentum of the previous job: the next step starts as a new optimiser's first.</summary>
    public void Start()
    {
        for (var i = 0; i < _buffers.Length; i++)
        {
            _buffers[i]?.Dispose();
            _buffers[i] = null;
        }
    }

    /// <summary>Sets every existing gradient to zero (as the optimiser's zero_grad does; gradients are kept, not dropped).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One step: b ← μb + g (b = g at the first step), p ← p − ηb.</summary>
    public void Step()
    {
        using var _ = torch.no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var grad = _parameters[i].grad;
            if (grad is null) continue;
            if (!_hasMomentum)
            {
                _parameters[i].add_(grad, _minusLearningRate);
                continue;
            }
            if (_buffers[i] is not { } buffer)
            {
                using var copy = grad.clone();
                _buffers[i] = buffer = copy.detach().DetachFromDisposeScope();
            }
            else
            {
                buffer.mul_(_momentum).add_(grad, _one);
            }
            _parameters[i].add_(buffer, _minusLearningRate);
        }
    }

    public void Dispose()
    {
        Start();
        _momentum.Dispose();
        _one.Dispose();
        _minusLearningRate.Dispose();
    }
}
