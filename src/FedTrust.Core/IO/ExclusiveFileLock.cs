using System.Globalization;

namespace FedTrust.Core.IO;

/// <summary>
/// An exclusive lock on a lock file, held by one open handle (on Linux, .NET takes it with <c>flock</c>), so the
/// operating system releases it when the holder exits, however it exits: a killed run leaves no stale lock. The
/// holder also writes who it is to a sibling <c>.owner</c> file (a locked file cannot be read by others), so a
/// refused caller can name the holder. The lock file itself is never deleted: deleting it would let a second
/// process lock the unlinked file while a third locks a new one.
/// </summary>
public sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _handle;

    private ExclusiveFileLock(string path, FileStream handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Where the holder describes itself.</summary>
    public static string OwnerPath(string lockPath) => lockPath + ".owner";

    /// <summary>
    /// Takes the lock if nobody holds it, recording <paramref name="owner"/> with this process's id, host and the
    /// time; null when another handle (in this or another process) holds it.
    /// </summary>
    public static ExclusiveFileLock? TryAcquire(string path, string owner)
    {
        FileStream handle;
        try
        {
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            return null; // held by someone else (a sharing violation)
        }
        var held = new ExclusiveFileLock(path, handle);
        try
        {
            WriteOwner(OwnerPath(path), Describe(owner));
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return held;
    }

    /// <summary>Waits for the lock until <paramref name="timeout"/>, calling <paramref name="waiting"/> once if it has to wait.</summary>
    public static async Task<ExclusiveFileLock> AcquireAsync(string path, string owner, TimeSpan timeout, Action<string?>? waiting = null,
        CancellationToken cancellation = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var told = false;
        while (true)
        {
            if (TryAcquire(path, owner) is { } held) return held;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{path}: still held after {timeout.TotalSeconds:F0} s by {HolderOf(path) ?? "another process"}");
            if (!told) waiting?.Invoke(HolderOf(path));
            told = true;
            await Task.Delay(200, cancellation);
        }
    }

    /// <summary>Who holds (or last held) the lock, as its holder described itself; null when unknown.</summary>
    public static string? HolderOf(string lockPath)
    {
        try
        {
            var text = File.ReadAllText(OwnerPath(lockPath)).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(OwnerPath(Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock is released below all the same; a stale owner file is overwritten by the next holder.
        }
        _handle.Dispose();
    }

    private static string Describe(string owner) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{owner} (pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC)");

    private static void WriteOwner(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text + "\n");
        File.Move(temp, path, overwrite: true);
    }
}
