using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Core.Results;
using FedTrust.Actors.Persistence;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>Whole runs under every rule, pre-aggregator and colluding attack: they finish, decide what they say, and repeat exactly.</summary>
public class DefensePipelineRunTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private async Task<SimulationResult> Run(SyntheticRun run, RunOptions? options = null, Core.Settings.ExperimentSettings? settings = null)
    {
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var root = new ClientRoster(run.Settings, run.Train, run.Test).Root;
        var plan = SimulationHost.Plan(settings ?? run.Settings, run.Workload, run.Clients, (options ?? new RunOptions()) with { Root = root });
        Sys.ActorOf(RunSupervisor.Props(plan, completion), $"run-{Guid.NewGuid():N}");
        return SimulationHostResult(await completion.Task.WaitAsync(Limit), run);
    }

    private static SimulationResult SimulationHostResult(SimulationResult result, SyntheticRun run)
    {
        var malicious = run.Clients.Where(c => c.Malicious).Select(c => c.ClientId).ToHashSet();
        return result with { Clients = result.Clients.Select(c => c with { Malicious = malicious.Contains(c.Id) }).ToList() };
    }

    [Theory]
    [InlineData("median", 0)]
    [InlineData("trimmed-mean", 0)]
    [InlineData("geometric-median", 0)]
    [InlineData("centered-clipping", 0)]
    [InlineData("bulyan", 2)] // θ = n − 2f = 5 of 7 selected
    [InlineData("nnm+krum", 6)]
    [InlineData("nnm+multi-krum", 1)] // m = n − f = 6 of 7
    [InlineData("bucketing+median", 0)]
    [InlineData("clip+mean", 0)]
    [InlineData("nnm+geometric-median+trust", -1)]
    [InlineData("foolsgold", -1)]
    [InlineData("fltrust", -1)]
    public async Task Every_rule_runs_a_whole_attacked_run_and_reports_whose_updates_it_used(string defense, int excluded)
    {
        using var run = new SyntheticRun(clients: 7, rounds: 3, trainPerClient: 40,
            $"fedtrust.defense=\"{defense}\"", "fedtrust.attack.type=sign-flip", "fedtrust.attack.intensity=4", "fedtrust.attack.malicious=1");
        var result = await Run(run);

        Assert.Equal(3, result.Rounds.Count);
        Assert.Null(result.Diverged);
        foreach (var round in result.Rounds)
        {
            Assert.Equal(7, round.Participants.Count);
            Assert.All(round.Excluded, id => Assert.Contains(id, round.Participants));
            if (excluded >= 0) Assert.Equal(excluded, round.Excluded.Count);
            Assert.True(double.IsFinite(round.Loss));
        }
        var malicious = result.Clients.Single(c => c.Malicious).Id;
        // FLTrust gives the sign-flipped update (cosine −1 to the clean direction) a score of 0 every round.
        if (defense == "fltrust") Assert.All(result.Rounds, r => Assert.Contains(malicious, r.Excluded));
    }

    [Fact]
    public async Task A_stateful_rule_repeats_exactly_under_the_same_seed()
    {
        using var run = new SyntheticRun(clients: 6, rounds: 3, trainPerClient: 30, "fedtrust.defense=\"bucketing+centered-clipping\"",
            "fedtrust.attack.type=alie", "fedtrust.attack.malicious=2");
        var a = await Run(run);
        var b = await Run(run);
        Assert.Equal(a.FinalWeights, b.FinalWeights);
        Assert.Equal(a.Rounds.Select(r => (r.Metrics, r.Loss)), b.Rounds.Select(r => (r.Metrics, r.Loss)));
    }

    [Theory]
    [InlineData("centered-clipping", "{rule=centered-clipping, cc-tau=0.05}")] // a radius that clips, so the centre matters
    [InlineData("foolsgold", "foolsgold")]
    public async Task A_stateful_rule_resumed_from_its_checkpoint_file_ends_where_an_uninterrupted_run_ends(string defense, string setting)
    {
        using var run = new SyntheticRun(clients: 5, rounds: 3, trainPerClient: 30, $"fedtrust.defense={setting}",
            "fedtrust.attack.type=sign-flip", "fedtrust.attack.malicious=1");
        var whole = await Run(run, new RunOptions { RunId = $"whole-{defense}" });

        RunCheckpoint? afterOne = null;
        await Run(run, new RunOptions { RunId = $"cut-{defense}", Checkpoint = c => afterOne = c }, run.Settings with { Rounds = 1 });
        var dir = Directory.CreateTempSubdirectory("fedtrust-stateful-").FullName;
        try
        {
            var file = CheckpointFile.In(dir);
            file.Save(afterOne!);
            var loaded = file.Load()!;
            Assert.Equal(defense == "centered-clipping", loaded.PreviousAggregate is not null);
            Assert.Equal(defense == "foolsgold" ? 5 : 0, loaded.Histories?.Count ?? 0);
            var resumed = await Run(run, new RunOptions { ResumeFrom = loaded });
            Assert.Equal(whole.FinalWeights, resumed.FinalWeights);
            Assert.Equal(whole.Rounds.Select(r => (r.Metrics, r.Excluded)), resumed.Rounds.Select(r => (r.Metrics, r.Excluded)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The tolerant trust rule judges each round against the clients trusted before it; a resumed run must take that
    /// set from the checkpoint's rounds. With penalty 1 the sign-flipper is excluded after round 1, so from round 2 on
    /// the reference leaves it out, and a resumed run that forgot the set would score (and weigh) every client differently.
    /// </summary>
    [Fact]
    public async Task The_tolerant_rule_resumed_from_its_checkpoint_judges_against_the_same_trusted_clients()
    {
        using var run = new SyntheticRun(clients: 5, rounds: 3, trainPerClient: 30, "fedtrust.defense=trust", "fedtrust.trust.rule=tolerant",
            "fedtrust.trust.penalty=1", "fedtrust.attack.type=sign-flip", "fedtrust.attack.malicious=1");
        var whole = await Run(run, new RunOptions { RunId = "whole-tolerant" });
        var malicious = whole.Clients.Single(c => c.Malicious).Id;
        Assert.All(whole.Rounds.Skip(1), r => Assert.Equal([malicious], r.Excluded));

        RunCheckpoint? afterOne = null;
        await Run(run, new RunOptions { RunId = "cut-tolerant", Checkpoint = c => afterOne = c }, run.Settings with { Rounds = 1 });
        var dir = Directory.CreateTempSubdirectory("fedtrust-tolerant-").FullName;
        try
        {
            var file = CheckpointFile.In(dir);
            file.Save(afterOne!);
            var resumed = await Run(run, new RunOptions { ResumeFrom = file.Load()! });
            Assert.Equal(whole.FinalWeights, resumed.FinalWeights);
            Assert.Equal(whole.Rounds.Select(r => (r.Metrics, r.Excluded)), resumed.Rounds.Select(r => (r.Metrics, r.Excluded)));
            Assert.Equal(whole.Rounds.Select(r => r.Trust!.ToList()), resumed.Rounds.Select(r => r.Trust!.ToList()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("alie", "colluding")]
    [InlineData("min-max", "omniscient")]
    [InlineData("min-sum", "colluding")]
    [InlineData("ipm", "omniscient")]
    public async Task Every_member_of_a_coalition_sends_the_same_update_so_the_server_scores_them_alike(string attack, string knowledge)
    {
        using var run = new SyntheticRun(clients: 7, rounds: 2, trainPerClient: 30, "fedtrust.defense=trust",
            $"fedtrust.attack.type={attack}", $"fedtrust.attack.knowledge={knowledge}", "fedtrust.attack.malicious=3");
        var result = await Run(run);
        var members = result.Clients.Where(c => c.Malicious).Select(c => c.Id).ToList();
        Assert.Equal(3, members.Count);
        foreach (var round in result.Rounds)
        {
            Assert.Equal(7, round.Participants.Count);
            Assert.Single(members.Select(m => round.Trust![m]).Distinct());
        }
        var again = await Run(run);
        Assert.Equal(result.FinalWeights, again.FinalWeights);
        Assert.Equal(result.Rounds.Select(r => r.Trust), again.Rounds.Select(r => r.Trust));
    }

    [Fact]
    public async Task Omniscient_mimic_members_are_indistinguishable_from_the_honest_client_they_copy()
    {
        using var run = new SyntheticRun(clients: 6, rounds: 2, trainPerClient: 30, "fedtrust.defense=trust",
            "fedtrust.attack.type=mimic", "fedtrust.attack.knowledge=omniscient", "fedtrust.attack.malicious=2", "fedtrust.attack.placement=last");
        var result = await Run(run);
        Assert.Equal(["client-4", "client-5"], result.Clients.Where(c => c.Malicious).Select(c => c.Id));
        // They send client-0's update (the first honest one): the same cosine and norm, so the same trust.
        foreach (var round in result.Rounds)
        {
            Assert.Equal(round.Trust!["client-0"], round.Trust["client-4"]);
            Assert.Equal(round.Trust["client-0"], round.Trust["client-5"]);
        }
    }

    [Fact]
    public async Task A_backdoor_run_reports_its_attack_success_rate_every_round()
    {
        using var run = new SyntheticRun(clients: 5, rounds: 2, trainPerClient: 40, "fedtrust.attack.type=backdoor", "fedtrust.attack.intensity=0.5",
            "fedtrust.attack.malicious=2", "fedtrust.attack.target=3", "fedtrust.attack.boost=3");
        var result = await Run(run);
        Assert.All(result.Rounds, r => Assert.InRange(r.AttackSuccessRate!.Value, 0, 1));
        var poisoned = run.Clients.Where(c => c.Malicious).ToList();
        Assert.Equal(2, poisoned.Count);
        foreach (var client in poisoned)
        {
            Assert.Equal(20, client.Triggered!.Length); // half of 40
            Assert.All(client.Triggered, p => Assert.Equal(3, client.TrainLabels[p]));
        }
        Assert.All(run.Clients.Where(c => !c.Malicious), c => Assert.Null(c.Triggered));

        using var clean = new SyntheticRun(clients: 5, rounds: 1, trainPerClient: 40, "fedtrust.attack.type=sign-flip");
        Assert.All((await Run(clean)).Rounds, r => Assert.Null(r.AttackSuccessRate));
    }

    [Fact]
    public async Task Fltrust_trains_on_a_root_set_no_client_holds()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 1, trainPerClient: 50, "fedtrust.defense={rule=fltrust, root-samples=20}");
        var roster = new ClientRoster(run.Settings, run.Train, run.Test);
        var root = roster.Root!;
        // 20 images, repeated to a client's 45 so that the server takes as many SGD steps as a client.
        Assert.Equal(20, root.TrainIndices.Distinct().Count());
        Assert.Equal(45, root.TrainIndices.Length);
        Assert.Equal(root.TrainIndices[..20], root.TrainIndices[20..40]);
        var held = run.Clients.SelectMany(c => c.TrainIndices).ToHashSet();
        Assert.DoesNotContain(root.TrainIndices, held.Contains);
        Assert.All(run.Clients, c => Assert.Equal((200 - 20) / 4, c.TrainIndices.Length));
        Assert.Single((await Run(run)).Rounds);
    }

    [Fact]
    public void With_placement_last_and_fixed_shares_the_honest_clients_hold_the_same_data_as_f_grows()
    {
        using var run = new SyntheticRun(clients: 10, rounds: 1, trainPerClient: 20, "fedtrust.attack.type=label-flip");
        var honest = new List<IReadOnlyList<int[]>>();
        foreach (var f in new[] { 1, 2, 4 })
        {
            var settings = run.Settings with
            {
                Clients = 6 + f,
                DataShares = 10,
                Attack = run.Settings.Attack with { Malicious = f, Placement = Core.Settings.MaliciousPlacement.Last },
            };
            var clients = new ClientRoster(settings, run.Train, run.Test).All();
            Assert.Equal(6 + f, clients.Count);
            Assert.Equal(Enumerable.Range(6, f).Select(i => $"client-{i}"), clients.Where(c => c.Malicious).Select(c => c.ClientId));
            Assert.All(clients, c => Assert.Equal(20, c.TrainIndices.Length)); // 200 images in 10 shares, whatever f is
            honest.Add(clients.Take(6).Select(c => c.TrainIndices).ToList());
        }
        Assert.Equal(honest[0], honest[1]);
        Assert.Equal(honest[0], honest[2]);
    }
}
