using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// Inverted dropout (as <c>torch.nn.Dropout</c>: in training each value is zeroed with probability p and the rest
/// are scaled by 1/(1 − p); in evaluation it is the identity) whose masks draw from a given generator instead of
/// torch's global one. Trainer threads share the global generator, so a mask drawn from it would depend on which
/// other jobs ran in between; with a generator the trainer reseeds per job, a job's masks depend only on the job.
/// </summary>
/// <remarks>
/// The mask is uniform draws compared with 1 − p (what <c>bernoulli_(1 − p)</c> computes), drawn with
/// <c>torch.rand</c>, which fills the tensor serially from the generator; ATen may route <c>bernoulli_</c> through
/// MKL on some CPUs instead.
/// </remarks>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _p;
    private readonly Generator _generator;
    /// <summary>1 − p, held for the module's life: an implicitly converted Scalar could be finalized while libtorch reads it.</summary>
    private readonly Scalar _keep;

    /// <param name="p">The probability of zeroing a value, from 0 to below 1.</param>
    /// <param name="generator">The generator masks draw from; owned by the caller.</param>
    public SeededDropout(double p, Generator generator) : base(nameof(SeededDropout))
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be at least 0 and below 1");
        _p = p;
        _generator = generator;
        _keep = (1 - p).ToScalar();
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _p == 0) return input.alias();
        using var noise = torch.rand(input.shape, input.dtype, input.device, generator: _generator);
        noise.lt_(_keep).div_(_keep); // keep with probability 1 − p, scaled as ATen's dropout scales its mask
        return input.mul(noise);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _keep.Dispose();
        base.Dispose(disposing);
    }
}
