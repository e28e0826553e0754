using System.Text.Json;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Persistence;
using FedTrust.Core.IO;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Cli.Commands;

/// <summary>
/// The folder a run or a grid writes into, held with an exclusive lock (<c>DIR/.fedtrust.lock</c>) for as long as it
/// writes, so two commands never write one folder at once; the second is refused with the holder's name. It also
/// knows what an earlier run left there (result.json, checkpoint.json, the folder's own journal.db), so that a new
/// run never replaces another run's files unless told to (<c>--overwrite</c>).
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    public const string LockFileName = ".fedtrust.lock";

    private readonly ExclusiveFileLock _lock;
    private readonly bool _created;

    private OutputFolder(string path, ExclusiveFileLock held, bool created)
    {
        Path = path;
        _lock = held;
        _created = created;
    }

    public string Path { get; }

    public string ResultFile => System.IO.Path.Combine(Path, "result.json");

    public CheckpointFile Checkpoints => CheckpointFile.In(Path);

    /// <summary>
    /// An --out option checked before any work is done: its full path, or null when it was not given; a path naming
    /// an existing file is a usage error now, not an IOException after the work.
    /// </summary>
    public static string? Checked(DirectoryInfo? option)
    {
        if (option is null) return null;
        if (File.Exists(option.FullName)) throw new ConfigurationException($"--out {option.FullName}: is a file, not a folder");
        return option.FullName;
    }

    /// <summary>Creates the folder if needed and takes its lock; refuses a path that is a file, or a folder another command holds.</summary>
    public static OutputFolder Claim(string dir, string owner)
    {
        dir = System.IO.Path.GetFullPath(dir);
        if (File.Exists(dir)) throw new ConfigurationException($"--out {dir}: is a file, not a folder");
        try
        {
            var created = !Directory.Exists(dir);
            Directory.CreateDirectory(dir);
            var lockPath = System.IO.Path.Combine(dir, LockFileName);
            var held = ExclusiveFileLock.TryAcquire(lockPath, $"{owner} --out {dir}")
                       ?? throw new FolderInUseException(
                           $"{dir} is in use by {ExclusiveFileLock.HolderOf(lockPath) ?? "another fedtrust command"}; wait for it to finish or choose another --out");
            return new OutputFolder(dir, held, created);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FolderInUseException($"cannot write to {dir}: {e.Message}", e);
        }
    }

    /// <summary>
    /// What an earlier run left in the folder, described for a message, or null when it holds none of a run's files.
    /// With a journal elsewhere (a shared SQLite file, PostgreSQL) only result.json and checkpoint.json count.
    /// </summary>
    public string? EarlierRun(PersistenceSettings persistence)
    {
        if (File.Exists(ResultFile)) return $"the finished run {RunIdIn(ResultFile) ?? "(unreadable result.json)"} (result.json)";
        if (File.Exists(Checkpoints.Path))
        {
            try
            {
                return Checkpoints.Load() is { } c ? $"the unfinished run {c.RunId}, stopped after round {c.Round} (checkpoint.json)" : null;
            }
            catch (JournalException)
            {
                return "an unfinished run with a damaged checkpoint.json";
            }
        }
        if (OwnJournal(persistence) is not { } journal || !File.Exists(journal)) return null;
        // A file there that is not an intact journal is not another run's: it is refused as what it is (exit 1).
        JournalSetup.RequireIntact(journal);
        // A journal with nothing in it (the run stopped before it journaled anything) holds no run: it is reused.
        return JournalSetup.IsEmpty(journal)
            ? null
            : $"the trust journal of a run that stopped before its first round completed ({System.IO.Path.GetFileName(journal)})";
    }

    /// <summary>
    /// Makes the folder ready for a new run: refuses (a usage error) when it holds another run's files, unless
    /// <paramref name="overwrite"/>, which deletes them (result.json, checkpoint.json and the folder's own journal,
    /// even a damaged one). Returns what was replaced, or null. A journal.db there that is not an intact SQLite
    /// database is refused as such (exit 1), not taken for another run's.
    /// </summary>
    public string? PrepareForNewRun(PersistenceSettings persistence, bool overwrite, bool resumable = true)
    {
        if (overwrite)
        {
            string? replaced;
            try
            {
                replaced = EarlierRun(persistence);
            }
            catch (JournalException)
            {
                replaced = "a damaged journal.db";
            }
            if (replaced is not null) Clear(persistence);
            return replaced;
        }
        var earlier = EarlierRun(persistence);
        if (earlier is null) return null;
        var unfinished = !File.Exists(ResultFile) && File.Exists(Checkpoints.Path);
        throw new ConfigurationException(
            $"{Path} holds {earlier}; choose another --out{(unfinished && resumable ? ", continue it with --resume" : "")}, or replace it with --overwrite");
    }

    /// <summary>Deletes the files of an earlier run: result.json, checkpoint.json (and their temporary files), the folder's own journal.</summary>
    public void Clear(PersistenceSettings persistence)
    {
        var files = new List<string> { ResultFile, ResultFile + ".tmp", Checkpoints.Path, Checkpoints.Path + ".tmp" };
        if (OwnJournal(persistence) is { } journal) files.AddRange([journal, journal + "-wal", journal + "-shm", journal + "-journal"]);
        foreach (var file in files.Where(File.Exists)) File.Delete(file);
    }

    /// <summary>The folder's own SQLite journal (DIR/journal.db), when the run journals there; null for a journal kept elsewhere.</summary>
    private string? OwnJournal(PersistenceSettings persistence)
    {
        if (persistence.Provider != "sqlite") return null;
        var journal = persistence.SqlitePath(Path);
        return string.Equals(System.IO.Path.GetDirectoryName(journal), Path, StringComparison.Ordinal) ? journal : null;
    }

    /// <summary>The <c>runId</c> recorded in a result.json, or null when it cannot be read.</summary>
    public static string? RunIdIn(string resultFile)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(resultFile));
            return doc.RootElement.TryGetProperty("runId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the folder; one this command created and then wrote nothing into is removed again.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        if (!_created) return;
        try
        {
            if (Directory.EnumerateFileSystemEntries(Path).All(e => System.IO.Path.GetFileName(e) == LockFileName))
            {
                File.Delete(_lock.Path);
                Directory.Delete(Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left as it is: an empty folder with a lock file is harmless.
        }
    }
}

/// <summary>An output folder another command is writing to, or that cannot be written: exit 1, naming it and the holder.</summary>
internal sealed class FolderInUseException(string message, Exception? inner = null) : Exception(message, inner);
