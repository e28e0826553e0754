using System.Text.RegularExpressions;

namespace FedTrust.Core.Data;

/// <summary>
/// Checks that a data folder and the data set's files already in it can be used before anything is fetched or
/// written. A folder (or file) that exists but cannot be read — permission denied, a loop of symbolic links,
/// a path through a regular file — is reported as such instead of being taken for missing and fetched again,
/// and a path that is a file is reported as a file. Each problem is a <see cref="DataUnavailableException"/>
/// naming the path.
/// </summary>
internal static partial class DataFolder
{
    /// <summary>
    /// Creates <paramref name="dir"/> when nothing is there yet; throws <see cref="DataUnavailableException"/>
    /// when the folder, or one of the <paramref name="files"/> present in it, cannot be read.
    /// </summary>
    public static void Prepare(string dir, IEnumerable<string> files)
    {
        if (Directory.Exists(dir))
            Probe(dir, () => Directory.EnumerateFileSystemEntries(dir).Any());
        else if (Exists(dir))
            throw new DataUnavailableException(dir, IsLink(dir) ? $"cannot read {dir}: {Unresolvable(dir)}" : $"{dir} is a file, not a folder");
        else
            Create(dir);
        foreach (var name in files)
        {
            var file = Path.Combine(dir, name);
            if (Directory.Exists(file))
                throw new DataUnavailableException(dir, $"{file} is a folder, not a file");
            if (Exists(file))
                Probe(file, () => { using var stream = File.OpenRead(file); return true; }, dir);
        }
    }

    private static void Create(string dir)
    {
        // Nothing answers to the path itself: a part of it may be a file or an unreadable link.
        for (var ancestor = Path.GetDirectoryName(dir); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (Directory.Exists(ancestor)) break;
            if (!Exists(ancestor)) continue;
            throw new DataUnavailableException(dir, IsLink(ancestor)
                ? $"cannot read {dir}: {ancestor}: {Unresolvable(ancestor)}"
                : $"cannot read {dir}: {ancestor} is a file, not a folder");
        }
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataUnavailableException(dir, $"cannot create {dir}: {Reason(e)}", e);
        }
    }

    /// <summary>Runs <paramref name="read"/>; a failure becomes "cannot read <paramref name="path"/>: reason".</summary>
    private static void Probe(string path, Func<bool> read, string? dataDir = null)
    {
        try
        {
            read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException && IsLink(path) ? Unresolvable(path) : Reason(e);
            throw new DataUnavailableException(dataDir ?? path, $"cannot read {path}: {reason}", e);
        }
    }

    /// <summary>Why the symbolic link <paramref name="link"/> leads nowhere usable.</summary>
    private static string Unresolvable(string link)
    {
        try
        {
            Directory.EnumerateFileSystemEntries(link).Any();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The link resolves, to nothing or to something that is not a folder: say which below.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Reason(e); // e.g. too many levels of symbolic links
        }
        var target = Path.GetFullPath(new FileInfo(link).LinkTarget!, Path.GetDirectoryName(link)!);
        return Exists(target)
            ? $"it is a symbolic link to {target}, which is not a folder"
            : $"it is a symbolic link to {target}, which does not exist";
    }

    /// <summary>True when anything (a file, a folder, a link even to nowhere) has this name.</summary>
    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>The operating system's reason without the path .NET appends to it ("… : '/the/path'").</summary>
    private static string Reason(Exception e)
    {
        if (e is UnauthorizedAccessException) return "permission denied";
        var message = TrailingPath().Replace(e.Message, "");
        return message.Length > 1 && char.IsUpper(message[0]) && char.IsLower(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;
    }

    [GeneratedRegex(@"\s*:\s*'[^']*'\.?$")]
    private static partial Regex TrailingPath();
}
