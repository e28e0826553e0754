using FedTrust.Actors.Persistence;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>A resumed run keeps its earlier rounds' coalition notes; a round without any writes no attackNotes field.</summary>
public class AttackNotesCheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-attack-notes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Attack_notes_come_back_from_checkpoint_json_and_are_absent_where_there_were_none()
    {
        static RoundResult Round(int round) =>
            new(round, new ClassificationMetrics(0.5, 0.4, 0.3, 0.2), 0.25, 1.5, ["client-0"], [], 1 << 20);
        var rounds = new[]
        {
            Round(1),
            Round(2) with { AttackNotes = ["no valid honest update in the round: ipm sends −ε·μ of the members' own honest updates", "second note"] },
        };
        var file = CheckpointFile.In(_root);
        file.Save(new RunCheckpoint("run-1", "fingerprint", 2, [1f, 2f], rounds));

        var loaded = file.Load()!;

        Assert.Null(loaded.Rounds[0].AttackNotes);
        Assert.Equal(rounds[1].AttackNotes, loaded.Rounds[1].AttackNotes);
        var json = File.ReadAllText(Directory.GetFiles(_root, "checkpoint.json").Single());
        Assert.Equal(1, json.Split("attackNotes").Length - 1);
    }
}
