namespace FedTrust.Core.Attacks;

/// <summary>
/// The squared distances from a candidate μ + γ·p to each benign update ∇_i, for any γ in O(1) each:
/// ‖μ + γp − ∇_i‖² = ‖μ − ∇_i‖² + 2γ⟨μ − ∇_i, p⟩ + γ²‖p‖². The three terms are computed once, in one O(n·d) pass
/// in double, so that a search over γ costs O(n) per step instead of O(n·d).
/// </summary>
internal sealed class CandidateDistances
{
    private readonly double[] _offset;
    private readonly double[] _alignment;
    private readonly double _length;

    /// <param name="benign">The benign updates ∇_i (checked by the caller).</param>
    /// <param name="mean">μ, as long as every update.</param>
    /// <param name="direction">p, as long as every update.</param>
    public CandidateDistances(IReadOnlyList<float[]> benign, double[] mean, double[] direction)
    {
        _offset = new double[benign.Count];
        _alignment = new double[benign.Count];
        for (var i = 0; i < benign.Count; i++)
        {
            var update = benign[i];
            double offset = 0, alignment = 0;
            for (var j = 0; j < mean.Length; j++)
            {
                var d = mean[j] - update[j];
                offset += d * d;
                alignment += d * direction[j];
            }
            _offset[i] = offset;
            _alignment[i] = alignment;
        }
        foreach (var p in direction) _length += p * p;
    }

    public int Count => _offset.Length;

    /// <summary>‖p‖².</summary>
    public double DirectionSquaredNorm => _length;

    /// <summary>‖μ + γp − ∇_i‖².</summary>
    public double Squared(int i, double gamma) => _offset[i] + 2 * gamma * _alignment[i] + gamma * gamma * _length;

    /// <summary>max_i ‖μ + γp − ∇_i‖².</summary>
    public double Max(double gamma)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < Count; i++) max = Math.Max(max, Squared(i, gamma));
        return max;
    }

    /// <summary>Σ_i ‖μ + γp − ∇_i‖².</summary>
    public double Sum(double gamma)
    {
        double sum = 0;
        for (var i = 0; i < Count; i++) sum += Squared(i, gamma);
        return sum;
    }
}
