using Akka.Actor;
using Akka.TestKit.Xunit2;
using Akka.TestKit;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Settings;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>The colluding attacks' message protocol: members report their honest update, the coalition crafts one, every member sends it.</summary>
public class CoalitionTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    /// <summary>
    /// Asserts that <paramref name="actor"/> has sent <paramref name="probe"/> nothing for what it was told so far: an
    /// Identify round trip proves it has handled every earlier message, and what it sent while handling them is already
    /// in the probe's queue (a local Tell enqueues at once). No sleep, so a slow machine cannot make it pass vacuously.
    /// </summary>
    private static void AssertNothingSent(IActorRef actor, TestKitBase probe)
    {
        actor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Assert.False(probe.HasMessages);
    }

    private static AttackSettings Attack(AttackKind kind, AttackKnowledge knowledge = AttackKnowledge.Colluding) =>
        new(kind, 0.5, 2, LabelMapping.Parse("shift", 0, 1), 0) { Knowledge = knowledge };

    [Fact]
    public void The_coalition_answers_every_member_with_one_update_crafted_from_their_reports_in_client_order()
    {
        var coalition = Sys.ActorOf(CoalitionActor.Props(Attack(AttackKind.Alie)));
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        coalition.Tell(new CoalitionRound(1, ["client-2", "client-7"], 5));
        // client-7 reports first: the order of arrival must not matter.
        coalition.Tell(new CoalitionReport(1, "client-7", [3f, -1f, 2f], 10), b.Ref);
        AssertNothingSent(coalition, b);
        coalition.Tell(new CoalitionReport(1, "client-2", [1f, 1f, 0f], 10), a.Ref);

        var expected = Alie.Craft([[1f, 1f, 0f], [3f, -1f, 2f]], Alie.Z(5, 2));
        Assert.Equal(expected, a.ExpectMsg<CraftedUpdate>().Delta);
        Assert.Equal(expected, b.ExpectMsg<CraftedUpdate>().Delta);
        // ALIE's μ − zσ: μ = (2, 0, 1), σ = (1, 1, 1), z = Φ⁻¹(4/5) for n = 5, f = 2 (s = ⌊5/2 + 1⌋ − 2 = 1).
        var z = Alie.Z(5, 2);
        Assert.Equal([(float)(2 - z), (float)(0 - z), (float)(1 - z)], expected);

        // A member retried after a crash reports again and gets the same update at once.
        var retry = CreateTestProbe();
        coalition.Tell(new CoalitionReport(1, "client-2", [1f, 1f, 0f], 10), retry.Ref);
        Assert.Equal(expected, retry.ExpectMsg<CraftedUpdate>().Delta);

        // Reports of another round or from a non-member are ignored.
        coalition.Tell(new CoalitionReport(2, "client-2", [1f, 1f, 0f], 10), a.Ref);
        coalition.Tell(new CoalitionReport(1, "client-3", [1f, 1f, 0f], 10), a.Ref);
        AssertNothingSent(coalition, a);
    }

    [Fact]
    public void An_omniscient_coalition_waits_for_the_honest_updates_and_crafts_from_them()
    {
        var coalition = Sys.ActorOf(CoalitionActor.Props(Attack(AttackKind.Ipm, AttackKnowledge.Omniscient)));
        var member = CreateTestProbe();
        coalition.Tell(new CoalitionRound(3, ["client-4"], 4));
        coalition.Tell(new CoalitionReport(3, "client-4", [100f, 100f], 10), member.Ref);
        AssertNothingSent(coalition, member);
        coalition.Tell(new HonestUpdates(3, [[1f, 2f], [3f, 4f], [5f, 0f]]));
        // IPM: −ε·μ of the honest updates (not the member's own): μ = (3, 2), ε = 0.5.
        Assert.Equal([-1.5f, -1f], member.ExpectMsg<CraftedUpdate>().Delta);
    }

    [Fact]
    public void An_omniscient_coalition_shown_no_honest_update_crafts_from_its_members_at_once_and_notes_it()
    {
        // The case: a round that drew only members (here both participants, so ALIE's f = n as well).
        var parent = CreateTestProbe();
        var coalition = parent.ChildActorOf(CoalitionActor.Props(Attack(AttackKind.Alie, AttackKnowledge.Omniscient)));
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        coalition.Tell(new CoalitionRound(2, ["client-1", "client-5"], 2));
        coalition.Tell(new HonestUpdates(2, []));
        coalition.Tell(new CoalitionReport(2, "client-5", [3f, -1f], 10), b.Ref);
        coalition.Tell(new CoalitionReport(2, "client-1", [1f, 3f], 10), a.Ref);
        // ALIE with f = n = 2 clamps s to 1: z = Φ⁻¹(1/2) = 0, so the members' mean (2, 1).
        Assert.Equal([2f, 1f], a.ExpectMsg<CraftedUpdate>().Delta);
        Assert.Equal([2f, 1f], b.ExpectMsg<CraftedUpdate>().Delta);
        var notes = new[] { parent.ExpectMsg<CoalitionNote>(), parent.ExpectMsg<CoalitionNote>() };
        Assert.All(notes, n => Assert.Equal(2, n.Round));
        Assert.StartsWith("no valid honest update in the round: alie crafts μ − z·σ from the members' own honest updates", notes[0].Note);
        Assert.StartsWith("ALIE with a malicious majority (f = 2 of n = 2", notes[1].Note);
    }

    [Fact]
    public void A_round_without_a_member_crafts_nothing_even_when_shown_the_honest_updates()
    {
        // Before, an omniscient ALIE coalition crafted for nobody with f = 0 and n = 2, and Alie.Z(2, 0) threw (which
        // ended the run: the aggregator escalates; here a failure stops the coalition, so round 5 would get no answer).
        var parent = CreateTestProbe();
        var coalition = parent.ChildActorOf(CoalitionActor.Props(Attack(AttackKind.Alie, AttackKnowledge.Omniscient)),
            new OneForOneStrategy(_ => Directive.Stop));
        coalition.Tell(new CoalitionRound(4, [], 2));
        coalition.Tell(new HonestUpdates(4, [[1f, 2f], [3f, 4f]]));
        // The coalition is alive and answers the next round.
        var member = CreateTestProbe();
        coalition.Tell(new CoalitionRound(5, ["client-3"], 4));
        coalition.Tell(new HonestUpdates(5, [[1f, 2f], [3f, 4f], [5f, 0f]]));
        coalition.Tell(new CoalitionReport(5, "client-3", [9f, 9f], 10), member.Ref);
        Assert.Equal(Alie.Craft([[1f, 2f], [3f, 4f], [5f, 0f]], Alie.Z(4, 1)), member.ExpectMsg<CraftedUpdate>().Delta);
        AssertNothingSent(coalition, parent);
    }

    [Fact]
    public void Mimic_sends_the_first_known_honest_update()
    {
        var update = CoalitionActor.Craft(Attack(AttackKind.Mimic), [[4f, 5f], [6f, 7f]], 5, 1);
        Assert.Equal([4f, 5f], update);
    }

    [Fact]
    public void A_member_reports_its_honest_update_and_sends_what_the_coalition_crafted()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 1, trainPerClient: 30, "fedtrust.attack.type=alie", "fedtrust.attack.malicious=1");
        var client = run.Clients.Single(c => c.Malicious);
        var attacker = Sys.ActorOf(AttackerActor.Props(client, run.Workload, new ClientPolicy(run.Settings.Seed, null), run.Settings.Attack,
            "akka.actor.default-dispatcher"));
        var weights = Core.Learning.ModelZoo.InitialWeights(run.Settings.Model, run.Settings.Seed);

        attacker.Tell(new TrainRound(1, weights), TestActor);
        var report = ExpectMsg<CoalitionReport>();
        Assert.Equal((1, client.ClientId, client.TrainIndices.Length), (report.Round, report.ClientId, report.Samples));
        Assert.Equal(run.Workload.Train(client, 1, weights).Delta, report.Delta);
        AssertNothingSent(attacker, this);

        var crafted = Enumerable.Range(0, report.Delta.Length).Select(i => i * 1e-6f).ToArray();
        attacker.Tell(new CraftedUpdate(1, crafted), TestActor);
        var sent = ExpectMsg<LocalUpdate>();
        Assert.Equal(crafted, sent.Delta);
        Assert.Equal(client.TrainIndices.Length, sent.Samples);
        // An update for another round is not sent.
        attacker.Tell(new CraftedUpdate(2, crafted), TestActor);
        AssertNothingSent(attacker, this);
    }

    [Fact]
    public void Under_dp_a_member_privatises_the_crafted_update_like_any_update()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 1, trainPerClient: 30, "fedtrust.attack.type=ipm", "fedtrust.attack.malicious=1", "fedtrust.defense=dp",
            "fedtrust.dp.clip=0.5");
        var client = run.Clients.Single(c => c.Malicious);
        var attacker = Sys.ActorOf(AttackerActor.Props(client, run.Workload, new ClientPolicy(run.Settings.Seed, run.Settings.Dp), run.Settings.Attack,
            "akka.actor.default-dispatcher"));
        var weights = Core.Learning.ModelZoo.InitialWeights(run.Settings.Model, run.Settings.Seed);
        attacker.Tell(new TrainRound(1, weights), TestActor);
        var report = ExpectMsg<CoalitionReport>();
        var crafted = report.Delta.Select(v => v * 100).ToArray();
        attacker.Tell(new CraftedUpdate(1, crafted), TestActor);
        var sent = ExpectMsg<LocalUpdate>();
        // ε = inf: clipping only, so the sent update is the crafted one scaled to the clip norm.
        Assert.Equal(0.5, VectorMath.Norm(sent.Delta), 4);
        Assert.Equal(1.0, VectorMath.Cosine(sent.Delta, crafted), 6);
        Assert.True(double.IsNaN(sent.TrainLoss));
    }
}
