using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// Gives the calling thread libtorch's intra-op thread count for a run. libtorch keeps that count per OS thread:
/// <c>at::set_num_threads</c> sets OpenMP's and MKL's thread-local counts on the calling thread and a global value that
/// a thread picks up only on its first libtorch call. A pooled thread first used while another run (a test, a bench
/// stage, a grid cell) had set a different count keeps that count, and a float reduction split over a different
/// number of threads sums in another order: measured here, 17 of an MLP update's 159,010 values differed between 1
/// and 2 threads. Every trainer lease calls <see cref="Use"/>, so a run's arithmetic no longer depends on which thread
/// trains a client or what that thread did before.
/// </summary>
public static class LibTorchThreads
{
    [ThreadStatic] private static int _current;

    /// <summary>Sets <paramref name="count"/> on the calling thread (a no-op when it already has it; 0 leaves it as it is).</summary>
    public static void Use(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || _current == count) return;
        // get_num_threads runs ATen's once-per-thread lazy initialisation now, which would otherwise run at this
        // thread's first parallel operation and overwrite the count with whatever the global value is by then.
        get_num_threads();
        set_num_threads(count);
        _current = count;
    }
}
