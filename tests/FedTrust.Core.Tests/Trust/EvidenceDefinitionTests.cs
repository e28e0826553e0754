using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Tests.Defenses;
using FedTrust.Core.Trust;

namespace FedTrust.Core.Tests.Trust;

/// <summary>The evidence, computed with shared norms and in parallel, equals its definition bit for bit.</summary>
public class EvidenceDefinitionTests
{
    [Fact]
    public void Cosines_and_norm_deviations_equal_the_definitions_bit_for_bit()
    {
        foreach (var (n, d) in new[] { (7, 5), (30, 1_003), (101, 4_099) })
        {
            var vectors = UpdateSets.Generate(seed: 17, n, d);
            var round = vectors.Select((delta, k) => ($"client-{k:D3}", delta)).ToList();
            var evidence = EvidenceCollector.Collect(round);

            var reference = Definitions.CoordinateMedian(vectors);
            var cosines = vectors.Select(v => VectorMath.Cosine(v, reference)).ToList();
            var norms = vectors.Select(v => VectorMath.Norm(v)).ToList();
            var medianNorm = VectorMath.Median(norms);
            var scale = Math.Max(EvidenceCollector.MadToStandardDeviation * VectorMath.MedianAbsoluteDeviation(norms), 1e-4 * medianNorm);
            for (var k = 0; k < n; k++)
            {
                var e = evidence[round[k].Item1];
                var gap = Math.Abs(norms[k] - medianNorm);
                var deviation = gap == 0 ? 0 : scale > 0 ? gap / scale : double.PositiveInfinity;
                Assert.Equal(BitConverter.DoubleToInt64Bits(cosines[k]), BitConverter.DoubleToInt64Bits(e.Cosine));
                Assert.Equal(BitConverter.DoubleToInt64Bits(deviation), BitConverter.DoubleToInt64Bits(e.NormDeviation));
                Assert.Equal(VectorMath.Median(cosines), e.TypicalCosine);
            }
        }
    }
}
