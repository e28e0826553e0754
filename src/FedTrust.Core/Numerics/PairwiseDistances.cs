using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedTrust.Core.Numerics;

/// <summary>
/// All pairwise squared Euclidean distances ‖vᵢ − vⱼ‖² of equally long vectors in one cache-blocked, register-tiled
/// pass, each equal bit for bit to <see cref="VectorMath.SquaredDistance"/> of the same two vectors.
/// The loops are those of a blocked matrix product (Goto and van de Geijn 2008, "Anatomy of High-Performance Matrix Multiplication", ACM TOMS 34(3)).
/// <para>
/// Why the bits stay the same: <see cref="VectorMath.SquaredDistance"/> adds the term (aₖ − bₖ)² of element k
/// (widened to double, subtracted, squared, added: no fused multiply-add, which .NET never substitutes) into lane
/// k mod 8 of its accumulators in ascending k, then adds the eight lanes in a fixed order and then the scalar tail.
/// Here the coordinates are taken in chunks, one chunk after another; every pair keeps its eight lanes in memory
/// between chunks, so each lane still receives the same terms in the same order, and the pair is finished with the
/// same lane sum and tail. Within a chunk every pair belongs to exactly one tile, so the result does not depend on
/// how many threads share the tiles or in which order they run.
/// </para>
/// <para>
/// Why not the Gram identity ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, which would turn the pass into one matrix product:
/// it subtracts nearly equal large numbers exactly when a and b are close, as honest updates are, so it cancels
/// catastrophically; the small distances that decide Krum's nearest neighbours would lose most of their digits
/// (and could even come out negative), and the ranking would change.
/// </para>
/// </summary>
public static class PairwiseDistances
{
    /// <summary>Elements per lane group: the eight lanes of <see cref="VectorMath.SquaredDistance"/>.</summary>
    private const int Lanes = 8;

    /// <summary>Doubles in one accumulator vector: a lane group is a lower and an upper quarter of four lanes.</summary>
    private const int Quad = 4;

    /// <summary>A register tile holds this many rows × this many columns of pairs.</summary>
    private const int Tile = 4;

    /// <summary>A panel of columns, widened, should stay in a core's L2 cache: about this many doubles (512 KiB).</summary>
    private const int PanelBudget = 64 * 1024;

    /// <summary>
    /// Elements per chunk, at least: a tile's four rows of widened doubles (16 KiB) then stay in a core's L1 cache.
    /// With few vectors a chunk is longer, so that all of them fill one panel: fewer chunks, fewer barriers.
    /// </summary>
    private const int MinChunk = 512;

    /// <summary>Elements per chunk, at most.</summary>
    private const int MaxChunk = 16 * 1024;

    /// <summary>
    /// The squared distance of every pair as an n × n row-major matrix: entry i·n + j is ‖vᵢ − vⱼ‖², equal bit for
    /// bit to <see cref="VectorMath.SquaredDistance"/>(vᵢ, vⱼ); the diagonal is 0 and the matrix is symmetric.
    /// Uses every core. Working memory: 8 doubles per pair (32 MB at n = 1000) besides the n × n result.
    /// </summary>
    /// <param name="vectors">Equally long vectors (non-finite values give NaN or ∞ distances, as SquaredDistance does).</param>
    public static double[] Squared(IReadOnlyList<float[]> vectors) => Squared(vectors, maxDegreeOfParallelism: -1, chunkLength: 0);

    /// <summary>
    /// <see cref="Squared(IReadOnlyList{float[]})"/> on at most <paramref name="maxDegreeOfParallelism"/> threads
    /// (−1: all cores) with chunks of <paramref name="chunkLength"/> elements (0: sized by n, 512 to 16384; else
    /// rounded up to a multiple of 8). Neither changes a bit of the result; tests vary both to prove it.
    /// </summary>
    internal static double[] Squared(IReadOnlyList<float[]> vectors, int maxDegreeOfParallelism, int chunkLength)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var n = vectors.Count;
        var length = VectorMath.RequireVectors(vectors, nameof(vectors));
        var lanes = new double[(long)n * (n - 1) / 2 * Lanes];
        var grouped = length - length % Lanes;
        var chunk = chunkLength > 0 ? RoundUpToLanes(chunkLength) : Math.Clamp(PanelBudget / Math.Max(n, 1) / Lanes * Lanes, MinChunk, MaxChunk);
        chunk = Math.Min(chunk, grouped);
        if (n > 1 && chunk > 0)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
            var blocks = Blocks(n, Math.Max(Tile, PanelBudget / chunk / Tile * Tile));
            var current = new double[n * chunk];
            var next = new double[n * chunk];
            for (var k = 0; k < n; k++) Widen(vectors[k].AsSpan(0, chunk), current.AsSpan(k * chunk, chunk));
            for (var start = 0; start < grouped; start += chunk)
            {
                var count = Math.Min(chunk, grouped - start);
                var following = start + count;
                var followingCount = Math.Min(chunk, grouped - following);
                var (tiles, widened) = (current, next);
                // Items 0..n − 1 widen the next chunk into the other buffer while the blocks use this one: one barrier per chunk.
                Parallel.For(0, n + blocks.Length, options, item =>
                {
                    if (item >= n) Accumulate(blocks[item - n], n, tiles, chunk, count, lanes);
                    else if (followingCount > 0) Widen(vectors[item].AsSpan(following, followingCount), widened.AsSpan(item * chunk, followingCount));
                });
                (current, next) = (next, current);
            }
        }
        return Finish(vectors, n, grouped, lanes);
    }

    private static int RoundUpToLanes(int length) => (length + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// The pairs cut into blocks: rows in blocks of 4, columns in panels of <paramref name="panel"/> (a multiple of 4),
    /// panel by panel so that consecutive blocks, which one thread tends to take together, share their columns.
    /// </summary>
    private static Block[] Blocks(int n, int panel)
    {
        var blocks = new List<Block>();
        for (var from = 0; from < n; from += panel)
        {
            var to = Math.Min(from + panel, n);
            for (var top = 0; top < to; top += Tile) blocks.Add(new Block(top, from, to));
        }
        return [.. blocks];
    }

    /// <summary>
    /// Widens a chunk to double, the lower quarters of every lane group first, then the upper ones: the first half of
    /// <paramref name="target"/> feeds lanes 0–3, the second half lanes 4–7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Widen(ReadOnlySpan<float> source, Span<double> target)
    {
        var half = source.Length / 2;
        ref var from = ref MemoryMarshal.GetReference(source);
        ref var lower = ref MemoryMarshal.GetReference(target);
        ref var upper = ref target[half];
        for (var g = 0; g < source.Length / Lanes; g++)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref from, (nuint)(g * Lanes)));
            low.StoreUnsafe(ref lower, (nuint)(g * Quad));
            high.StoreUnsafe(ref upper, (nuint)(g * Quad));
        }
    }

    /// <summary>
    /// Adds one chunk's terms for every pair (i, j), i &lt; j, with row i in the block's four rows and column j in its
    /// panel: 4 × 4 tiles, then 4 × 1 tiles for columns left over, and single pairs inside the rows' own square and
    /// for the rows left over after the last full block of four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(Block block, int n, double[] widened, int stride, int count, double[] lanes)
    {
        var (top, from, to) = block;
        var rows = Math.Min(Tile, n - top);
        var half = count / 2;
        for (var quarter = 0; quarter < 2; quarter++)
        {
            var offset = quarter * half;
            var lane = quarter * Quad;
            var j = Math.Max(from, top + rows);
            if (rows == Tile)
            {
                for (; j + Tile <= to; j += Tile)
                    Tile4x4(widened, stride, offset, half, top, j, lanes, PairIndex(n, top, j) * Lanes + lane, n);
                for (; j < to; j++)
                    Tile4x1(widened, stride, offset, half, top, j, lanes, PairIndex(n, top, j) * Lanes + lane, n);
            }
            else
            {
                for (var i = top; i < top + rows; i++)
                    for (var k = j; k < to; k++)
                        Tile1x1(widened, stride, offset, half, i, k, lanes, PairIndex(n, i, k) * Lanes + lane);
            }
            if (from <= top && top < to)
            {
                for (var i = top; i < top + rows; i++)
                    for (var k = i + 1; k < top + rows; k++)
                        Tile1x1(widened, stride, offset, half, i, k, lanes, PairIndex(n, i, k) * Lanes + lane);
            }
        }
    }

    /// <summary>
    /// Four rows against four columns: 16 pairs share 8 loads per step. Pair (top + r, column + c) keeps its lanes at
    /// <paramref name="at"/> + c·8 shifted by the pair-index distance of row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(double[] widened, int stride, int offset, int count, int top, int column, double[] lanes, long at, int n)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(widened);
        ref var r0 = ref Unsafe.Add(ref w, top * stride + offset);
        ref var r1 = ref Unsafe.Add(ref r0, stride);
        ref var r2 = ref Unsafe.Add(ref r1, stride);
        ref var r3 = ref Unsafe.Add(ref r2, stride);
        ref var c0 = ref Unsafe.Add(ref w, column * stride + offset);
        ref var c1 = ref Unsafe.Add(ref c0, stride);
        ref var c2 = ref Unsafe.Add(ref c1, stride);
        ref var c3 = ref Unsafe.Add(ref c2, stride);
        ref var s0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(lanes), (nint)at);
        ref var s1 = ref Unsafe.Add(ref s0, (nint)(RowStep(n, top) * Lanes));
        ref var s2 = ref Unsafe.Add(ref s1, (nint)(RowStep(n, top + 1) * Lanes));
        ref var s3 = ref Unsafe.Add(ref s2, (nint)(RowStep(n, top + 2) * Lanes));

        var a00 = Load(ref s0, 0); var a01 = Load(ref s0, 1); var a02 = Load(ref s0, 2); var a03 = Load(ref s0, 3);
        var a10 = Load(ref s1, 0); var a11 = Load(ref s1, 1); var a12 = Load(ref s1, 2); var a13 = Load(ref s1, 3);
        var a20 = Load(ref s2, 0); var a21 = Load(ref s2, 1); var a22 = Load(ref s2, 2); var a23 = Load(ref s2, 3);
        var a30 = Load(ref s3, 0); var a31 = Load(ref s3, 1); var a32 = Load(ref s3, 2); var a33 = Load(ref s3, 3);
        for (nuint k = 0; k < (nuint)count; k += Quad)
        {
            var b0 = Vector256.LoadUnsafe(ref c0, k);
            var b1 = Vector256.LoadUnsafe(ref c1, k);
            var b2 = Vector256.LoadUnsafe(ref c2, k);
            var b3 = Vector256.LoadUnsafe(ref c3, k);
            var x = Vector256.LoadUnsafe(ref r0, k);
            var d = x - b0; a00 += d * d; d = x - b1; a01 += d * d; d = x - b2; a02 += d * d; d = x - b3; a03 += d * d;
            x = Vector256.LoadUnsafe(ref r1, k);
            d = x - b0; a10 += d * d; d = x - b1; a11 += d * d; d = x - b2; a12 += d * d; d = x - b3; a13 += d * d;
            x = Vector256.LoadUnsafe(ref r2, k);
            d = x - b0; a20 += d * d; d = x - b1; a21 += d * d; d = x - b2; a22 += d * d; d = x - b3; a23 += d * d;
            x = Vector256.LoadUnsafe(ref r3, k);
            d = x - b0; a30 += d * d; d = x - b1; a31 += d * d; d = x - b2; a32 += d * d; d = x - b3; a33 += d * d;
        }
        Store(a00, ref s0, 0); Store(a01, ref s0, 1); Store(a02, ref s0, 2); Store(a03, ref s0, 3);
        Store(a10, ref s1, 0); Store(a11, ref s1, 1); Store(a12, ref s1, 2); Store(a13, ref s1, 3);
        Store(a20, ref s2, 0); Store(a21, ref s2, 1); Store(a22, ref s2, 2); Store(a23, ref s2, 3);
        Store(a30, ref s3, 0); Store(a31, ref s3, 1); Store(a32, ref s3, 2); Store(a33, ref s3, 3);
    }

    /// <summary>Four rows against one column (the columns left over after the 4 × 4 tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1(double[] widened, int stride, int offset, int count, int top, int column, double[] lanes, long at, int n)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(widened);
        ref var r0 = ref Unsafe.Add(ref w, top * stride + offset);
        ref var r1 = ref Unsafe.Add(ref r0, stride);
        ref var r2 = ref Unsafe.Add(ref r1, stride);
        ref var r3 = ref Unsafe.Add(ref r2, stride);
        ref var c0 = ref Unsafe.Add(ref w, column * stride + offset);
        ref var s0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(lanes), (nint)at);
        ref var s1 = ref Unsafe.Add(ref s0, (nint)(RowStep(n, top) * Lanes));
        ref var s2 = ref Unsafe.Add(ref s1, (nint)(RowStep(n, top + 1) * Lanes));
        ref var s3 = ref Unsafe.Add(ref s2, (nint)(RowStep(n, top + 2) * Lanes));

        var a0 = Load(ref s0, 0); var a1 = Load(ref s1, 0); var a2 = Load(ref s2, 0); var a3 = Load(ref s3, 0);
        for (nuint k = 0; k < (nuint)count; k += Quad)
        {
            var b = Vector256.LoadUnsafe(ref c0, k);
            var d = Vector256.LoadUnsafe(ref r0, k) - b; a0 += d * d;
            d = Vector256.LoadUnsafe(ref r1, k) - b; a1 += d * d;
            d = Vector256.LoadUnsafe(ref r2, k) - b; a2 += d * d;
            d = Vector256.LoadUnsafe(ref r3, k) - b; a3 += d * d;
        }
        Store(a0, ref s0, 0); Store(a1, ref s1, 0); Store(a2, ref s2, 0); Store(a3, ref s3, 0);
    }

    /// <summary>One pair (the triangle inside a block of rows, and the rows left over after the last full block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x1(double[] widened, int stride, int offset, int count, int row, int column, double[] lanes, long at)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(widened);
        ref var r = ref Unsafe.Add(ref w, row * stride + offset);
        ref var c = ref Unsafe.Add(ref w, column * stride + offset);
        ref var s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(lanes), (nint)at);
        var a = Load(ref s, 0);
        for (nuint k = 0; k < (nuint)count; k += Quad)
        {
            var d = Vector256.LoadUnsafe(ref r, k) - Vector256.LoadUnsafe(ref c, k);
            a += d * d;
        }
        Store(a, ref s, 0);
    }

    /// <summary>Adds each pair's lanes in <see cref="VectorMath.SquaredDistance"/>'s order, then its scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Finish(IReadOnlyList<float[]> vectors, int n, int grouped, double[] lanes)
    {
        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var a = vectors[i];
            for (var j = i + 1; j < n; j++)
            {
                var b = vectors[j];
                ref var pair = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(lanes), (nint)(PairIndex(n, i, j) * Lanes));
                var sum = VectorMath.AddLanes(Vector256.LoadUnsafe(ref pair), Vector256.LoadUnsafe(ref pair, Quad));
                for (var k = grouped; k < a.Length; k++)
                {
                    var d = (double)a[k] - b[k];
                    sum += d * d;
                }
                result[i * n + j] = sum;
                result[j * n + i] = sum;
            }
        }
        return result;
    }

    /// <summary>The position of pair (i, j), i &lt; j, when the pairs are listed row by row.</summary>
    private static long PairIndex(int n, int i, int j) => (long)i * (2L * n - i - 1) / 2 + (j - i - 1);

    /// <summary>How far pair (i + 1, j) lies after pair (i, j) in the row-by-row list.</summary>
    private static long RowStep(int n, int i) => n - i - 2;

    private static Vector256<double> Load(ref double pair, int column) => Vector256.LoadUnsafe(ref pair, (nuint)(column * Lanes));

    private static void Store(Vector256<double> sum, ref double pair, int column) => sum.StoreUnsafe(ref pair, (nuint)(column * Lanes));

    /// <summary>The rows top..top + 3 (fewer at the end) against the columns from..to − 1 of one panel.</summary>
    private readonly record struct Block(int Top, int From, int To);
}
