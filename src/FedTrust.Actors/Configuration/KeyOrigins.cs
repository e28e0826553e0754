using System.Runtime.CompilerServices;
using Akka.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// Where each key of a configuration file was set (file, line, column), which may be a file it includes, so an
/// error about a key can point at the line that set it. Attached to the <see cref="Config"/> parsed from the file.
/// </summary>
internal sealed class KeyOrigins(IReadOnlyDictionary<string, HoconTree.Position> byPath)
{
    private static readonly ConditionalWeakTable<Config, KeyOrigins> Attached = [];

    private readonly IReadOnlyDictionary<string, HoconTree.Position> _byPath = byPath;

    /// <summary>Remembers that <paramref name="config"/>'s keys were set where <paramref name="origins"/> says.</summary>
    public static Config Attach(Config config, KeyOrigins origins)
    {
        Attached.AddOrUpdate(config, origins);
        return config;
    }

    /// <summary>Where <paramref name="path"/> (or, failing that, the nearest object holding it) was set in <paramref name="config"/>, if known.</summary>
    public static HoconTree.Position? Find(Config config, string path)
    {
        if (!Attached.TryGetValue(config, out var origins)) return null;
        while (path.Length > 0)
        {
            if (origins._byPath.TryGetValue(path, out var origin)) return origin;
            path = path[..Math.Max(0, path.LastIndexOf('.'))];
        }
        return null;
    }
}
