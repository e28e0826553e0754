namespace FedTrust.Core.Data;

/// <summary>
/// One entry of the <see cref="DatasetCatalog"/>: a data set of four raw IDX files (28x28 grey images in ten classes,
/// the MNIST layout), the SHA-256 each must have, and where <see cref="DatasetSource"/> may get them when its cache
/// folder lacks them.
/// </summary>
/// <param name="Name">The value of <c>fedtrust.dataset</c> ("fashion-mnist"), and the cache folder's name.</param>
/// <param name="DisplayName">How messages name it ("Fashion-MNIST").</param>
/// <param name="Files">The four raw (uncompressed) file names, training images and labels first, then test images and labels.</param>
/// <param name="Sha256">The expected SHA-256 (lower-case hex) of each raw file, by name.</param>
public sealed record DatasetSpec(string Name, string DisplayName, IReadOnlyList<string> Files, IReadOnlyDictionary<string, string> Sha256)
{
    /// <summary>Folders holding the files as they are or gzipped (<c>&lt;name&gt;.gz</c>), tried first: a system package's.</summary>
    public IReadOnlyList<string> LocalFolders { get; init; } = [];

    /// <summary>npm package (name@version) whose <c>package/data/</c> holds the raw files, or null for none.</summary>
    public string? NpmPackage { get; init; }

    /// <summary>Base URLs serving <c>&lt;name&gt;.gz</c>, tried last.</summary>
    public IReadOnlyList<string> Mirrors { get; init; } = [];

    /// <summary>How its pixels are normalised for the model (its training set's mean and standard deviation).</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.Mnist;

    /// <summary>What to install to get the files system-wide, with the command ("Debian's … package (apt-get install …)"), or null.</summary>
    public string? Install { get; init; }

    /// <summary>
    /// The per-user cache folder the files are kept in unless <c>fedtrust.data.dir</c> says otherwise:
    /// <c>$XDG_CACHE_HOME/fedtrust/&lt;name&gt;</c>, or <c>~/.cache/fedtrust/&lt;name&gt;</c> when that variable is unset.
    /// </summary>
    public string DefaultCacheDir()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "fedtrust", Name);
    }
}
