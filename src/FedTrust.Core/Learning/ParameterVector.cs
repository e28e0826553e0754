using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>A model's parameters as one flat <c>float</c> vector, in <c>parameters()</c> order: what travels between server and clients.</summary>
public static class ParameterVector
{
    /// <summary>The number of scalar parameters of a model.</summary>
    public static int Length(nn.Module<Tensor, Tensor> model) =>
        checked((int)model.parameters().Sum(p => p.numel()));

    /// <summary>Copies every parameter into a new flat vector.</summary>
    public static float[] Get(nn.Module<Tensor, Tensor> model)
    {
        var result = new float[Length(model)];
        var offset = 0;
        using var scope = torch.NewDisposeScope();
        foreach (var p in model.parameters())
        {
            var flat = p.detach().contiguous().flatten();
            var n = (int)flat.numel();
            flat.data<float>().CopyTo(result.AsSpan(offset, n));
            offset += n;
        }
        return result;
    }

    /// <summary>Overwrites every parameter from a flat vector; the vector's length must match exactly.</summary>
    public static void Set(nn.Module<Tensor, Tensor> model, float[] vector)
    {
        var expected = Length(model);
        if (vector.Length != expected)
            throw new ArgumentException($"parameter vector has {vector.Length} values but the model has {expected} parameters", nameof(vector));
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var whole = torch.tensor(vector);
        long offset = 0;
        foreach (var p in model.parameters())
        {
            var n = p.numel();
            p.copy_(whole.narrow(0, offset, n).view(p.shape));
            offset += n;
        }
    }
}
