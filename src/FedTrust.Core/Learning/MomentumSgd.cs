using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// SGD with momentum, computed as <c>torch.optim.SGD</c> computes it (no dampening, weight decay or Nesterov):
/// b₁ = g₁, bₜ = μ·bₜ₋₁ + gₜ, p ← p − η·bₜ (PyTorch documentation of torch.optim.SGD, its algorithm box), rounded
/// as libtorch's kernels round it, so updates are bit-identical to TorchSharp's optimiser
/// (<c>MomentumSgdTests</c>): bₜ is μ·bₜ₋₁ rounded, then + gₜ rounded (<c>mul_</c>, then <c>add_</c> with α = 1);
/// p − η·b is one fused multiply-add, as ATen's <c>add_(b, alpha: −η)</c> computes it, vector lanes and tail alike.
/// </summary>
/// <remarks>
/// It steps in one pass over each parameter's storage (libtorch's three kernels made three, each a call across the
/// native boundary), keeps its momentum in buffers allocated once per trainer and restarted per job without being
/// freed, and drops the gradients between batches instead of zeroing them (PyTorch's zero_grad(set_to_none=True)):
/// backward then hands over the gradient it computed instead of adding it into a zeroed one, which saves two passes
/// and gives the same values. Why not TorchSharp's own optimiser: its step passes μ and −η as <see cref="Scalar"/>s
/// converted implicitly and never disposed, which the finalizer thread may free mid-call (TorchSharp PRs #1434, #1496).
/// </remarks>
internal sealed class MomentumSgd
{
    private readonly Parameter[] _parameters;
    /// <summary>The momentum buffer of each parameter (null without momentum); valid in a job once <see cref="_started"/>.</summary>
    private readonly float[]?[] _buffers;
    private readonly bool[] _started;
    private readonly float _momentum;
    private readonly float _minusLearningRate;

    public MomentumSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum)
    {
        _parameters = parameters.ToArray();
        var hasMomentum = momentum != 0;
        _buffers = [.. _parameters.Select(p => hasMomentum ? new float[checked((int)p.numel())] : null)];
        _started = new bool[_parameters.Length];
        // libtorch converts a Scalar to the tensor's float type before its kernel uses it.
        _momentum = (float)momentum;
        _minusLearningRate = (float)-learningRate;
    }

    /// <summary>Forgets the momentum of the previous job: the next step starts as a new optimiser's first.</summary>
    public void Start() => Array.Clear(_started);

    /// <summary>Drops every gradient (zero_grad with set_to_none): the next backward pass sets them afresh.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad = null;
    }

    /// <summary>One step: b ← μb + g (b = g at the first step), p ← p − ηb.</summary>
    public void Step()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var grad = _parameters[i].grad;
            if (grad is null) continue;
            var p = ParameterVector.Values(_parameters[i]);
            var g = ParameterVector.Values(grad);
            if (g.Length != p.Length) throw new InvalidOperationException($"parameter {i}: a gradient of {g.Length} values for {p.Length} parameters");
            if (_buffers[i] is not { } buffer)
            {
                FusedStep(p, g, _minusLearningRate);
                continue;
            }
            if (!_started[i])
            {
                g.CopyTo(buffer);
                _started[i] = true;
            }
            else
            {
                Momentum(buffer, g, _momentum);
            }
            FusedStep(p, buffer, _minusLearningRate);
        }
    }

    /// <summary>b ← (μ·b rounded) + g rounded: two roundings, never fused (C# never contracts a*b + c into an FMA).</summary>
    private static void Momentum(Span<float> b, ReadOnlySpan<float> g, float mu)
    {
        var i = 0;
        if (Avx.IsSupported)
        {
            var m = Vector256.Create(mu);
            ref var bRef = ref MemoryMarshal.GetReference(b);
            ref var gRef = ref MemoryMarshal.GetReference(g);
            for (; i <= b.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var scaled = Avx.Multiply(Vector256.LoadUnsafe(ref bRef, (nuint)i), m);
                Avx.Add(scaled, Vector256.LoadUnsafe(ref gRef, (nuint)i)).StoreUnsafe(ref bRef, (nuint)i);
            }
        }
        for (; i < b.Length; i++)
        {
            var scaled = b[i] * mu;
            b[i] = scaled + g[i];
        }
    }

    /// <summary>p ← fma(b, −η, p): one rounding, as ATen's vectorised add with alpha (and its compiled scalar tail).</summary>
    private static void FusedStep(Span<float> p, ReadOnlySpan<float> b, float minusLearningRate)
    {
        var i = 0;
        if (Fma.IsSupported)
        {
            var a = Vector256.Create(minusLearningRate);
            ref var pRef = ref MemoryMarshal.GetReference(p);
            ref var bRef = ref MemoryMarshal.GetReference(b);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Fma.MultiplyAdd(Vector256.LoadUnsafe(ref bRef, (nuint)i), a, Vector256.LoadUnsafe(ref pRef, (nuint)i)).StoreUnsafe(ref pRef, (nuint)i);
        }
        for (; i < p.Length; i++) p[i] = MathF.FusedMultiplyAdd(b[i], minusLearningRate, p[i]);
    }
}
