using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>A model's parameters as one flat <c>float</c> vector, in <c>parameters()</c> order: what travels between server and clients.</summary>
public static class ParameterVector
{
    /// <summary>The number of scalar parameters of a model.</summary>
    public static int Length(nn.Module<Tensor, Tensor> model) =>
        checked((int)model.parameters().Sum(p => p.numel()));

    /// <summary>Copies every parameter into a new flat vector, straight from the parameters' storage.</summary>
    public static float[] Get(nn.Module<Tensor, Tensor> model)
    {
        var result = new float[Length(model)];
        var offset = 0;
        foreach (var p in model.parameters())
        {
            var values = Values(p);
            values.CopyTo(result.AsSpan(offset, values.Length));
            offset += values.Length;
        }
        return result;
    }

    /// <summary>Overwrites every parameter from a flat vector, straight into the parameters' storage; the vector's length must match exactly.</summary>
    public static void Set(nn.Module<Tensor, Tensor> model, float[] vector)
    {
        var expected = Length(model);
        if (vector.Length != expected)
            throw new ArgumentException($"parameter vector has {vector.Length} values but the model has {expected} parameters", nameof(vector));
        var offset = 0;
        foreach (var p in model.parameters())
        {
            var values = Values(p);
            vector.AsSpan(offset, values.Length).CopyTo(values);
            offset += values.Length;
        }
    }

    /// <summary>
    /// A parameter's own storage (or its gradient's, which has the parameter's type) seen as floats, without a copy.
    /// Parameters are contiguous float32 CPU tensors; TorchSharp refuses a non-contiguous or non-CPU one, and anything
    /// but float32 is refused here.
    /// </summary>
    internal static Span<float> Values(Tensor parameter)
    {
        if (parameter.dtype != ScalarType.Float32)
            throw new InvalidOperationException($"parameter of type {parameter.dtype}: a parameter vector holds float32 values");
        return MemoryMarshal.Cast<byte, float>(parameter.bytes);
    }
}
