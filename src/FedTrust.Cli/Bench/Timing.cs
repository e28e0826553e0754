using System.Diagnostics;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;

namespace FedTrust.Cli.Bench;

/// <summary>
/// How the suite times things: a measurement taken with <see cref="Seconds"/> or <see cref="AfterCollectionAsync"/>
/// starts after a full, blocking garbage collection (so one measurement's garbage is not collected on another's
/// clock); repetitions are reported by their median; and a figure and its reference are measured alternately, so
/// that a machine that slows down or speeds up during the run (other processes, thermal limits) weighs on both alike.
/// </summary>
internal static class Timing
{
    /// <summary>The wall seconds <paramref name="work"/> takes, after a full collection.</summary>
    public static double Seconds(Action work)
    {
        Collect();
        var clock = Stopwatch.StartNew();
        work();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs each measurement <paramref name="repetitions"/> times, alternating which goes first (reference then
    /// ours, then ours then reference, …), after one untimed run of each when <paramref name="warmUp"/>; returns the
    /// results of the timed runs.
    /// </summary>
    public static async Task<(List<TReference> Reference, List<TOurs> Ours)> AlternateAsync<TReference, TOurs>(
        int repetitions, Func<Task<TReference>> reference, Func<Task<TOurs>> ours, bool warmUp = true)
    {
        if (warmUp)
        {
            await reference();
            await ours();
        }
        var (r, o) = (new List<TReference>(), new List<TOurs>());
        for (var i = 0; i < repetitions; i++)
        {
            if (i % 2 == 0)
            {
                r.Add(await reference());
                o.Add(await ours());
            }
            else
            {
                o.Add(await ours());
                r.Add(await reference());
            }
        }
        return (r, o);
    }

    /// <summary>What <paramref name="measure"/> reports (a time it took itself), measured after a full collection.</summary>
    public static async Task<T> AfterCollectionAsync<T>(Func<Task<T>> measure)
    {
        Collect();
        return await measure();
    }

    public static double Median(IReadOnlyList<double> values) => VectorMath.Median(values);

    /// <summary>A full, blocking, compacting collection, and the finalizers it queued.</summary>
    public static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}
