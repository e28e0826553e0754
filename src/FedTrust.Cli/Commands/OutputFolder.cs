using FedTrust.Actors.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// An --out folder, checked before any work is done: a path that names an existing file is a usage error then, not an
/// IOException after the work.
/// </summary>
internal static class OutputFolder
{
    /// <summary>The folder's full path, or null when --out was not given.</summary>
    public static string? Checked(DirectoryInfo? option)
    {
        if (option is null) return null;
        if (File.Exists(option.FullName)) throw new ConfigurationException($"--out {option.FullName}: is a file, not a folder");
        return option.FullName;
    }
}
