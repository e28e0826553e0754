namespace FedTrust.Testing;

/// <summary>Locates the repository root (the folder with FedTrust.Actors.sln) from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FedTrust.Actors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no FedTrust.Actors.sln above {AppContext.BaseDirectory}");
    }
}
