using System.Globalization;
using Akka.Configuration;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;
using ConfigurationException = FedTrust.Core.Configuration.ConfigurationException;

namespace FedTrust.Cli.Grid;

/// <summary>
/// One level of a grid's population axis (<c>fedtrust.grid.populations</c>): N clients of which
/// <see cref="PerRound"/> are sampled per round, <see cref="Malicious"/> are malicious in an attacked cell, and Krum
/// (multi-Krum, the hybrid) is configured for <see cref="KrumF"/> attackers among a round's sample, the number expected
/// there. Every count is rounded half away from zero.
/// </summary>
public sealed record PopulationLevel(int Clients, int PerRound, int Malicious, int KrumF)
{
    /// <summary>The largest client count a level may have (<c>fedtrust.clients</c>'s upper bound).</summary>
    public const int MaxClients = 10_000;

    /// <summary>The level's folder name in a grid: "clients-1000".</summary>
    public string Folder => $"clients-{Clients.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The level for a reader: "clients 1000 (100/round)".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"clients {Clients} ({PerRound}/round)");

    /// <summary>
    /// The level with <paramref name="clients"/> clients, <paramref name="sample"/> of them sampled per round (at least
    /// one) and <paramref name="maliciousShare"/> of them malicious; Krum's f is that share of a round's sample.
    /// </summary>
    public static PopulationLevel Of(int clients, double sample, double maliciousShare)
    {
        var perRound = Math.Max(1, Round(sample * clients));
        return new PopulationLevel(clients, perRound, Round(maliciousShare * clients), Math.Max(0, Round(maliciousShare * perRound)));
    }

    /// <summary>
    /// The HOCON of the level inside <c>fedtrust { … }</c>: the client count, the clients per round, Krum's f, and the
    /// malicious count (<paramref name="attacked"/>; 0 in a no-attack cell, which has no attackers to place).
    /// </summary>
    public string Overrides(bool attacked) => string.Create(CultureInfo.InvariantCulture,
        $" clients = {Clients}\n clients-per-round = {PerRound}\n attack.malicious = {(attacked ? Malicious : 0)}\n krum.f = {KrumF}\n");

    /// <summary>
    /// The levels of <c>fedtrust.grid.populations</c> (repeats dropped, in the order given), each shaped by
    /// <c>fedtrust.grid.population-sample</c> and <c>fedtrust.grid.population-malicious</c>; empty when the list is.
    /// </summary>
    /// <exception cref="ConfigurationException">A count is not a whole number from 1 to 10000, or a share is out of its range; the message names the key.</exception>
    public static IReadOnlyList<PopulationLevel> Read(Config config)
    {
        const string key = "fedtrust.grid.populations";
        var counts = HoconSettings.List(config, key).Select(v =>
                int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxClients
                    ? n
                    : throw new ConfigurationException($"{key}: '{v}' is not a whole number of clients from 1 to {MaxClients}"))
            .Distinct().ToList();
        if (counts.Count == 0) return [];
        var sample = Share(config, "fedtrust.grid.population-sample", zeroAllowed: false, "(0, 1], the share of the clients sampled per round");
        var malicious = Share(config, "fedtrust.grid.population-malicious", zeroAllowed: true, "[0, 1), the share of the clients that are malicious in an attacked cell");
        return counts.Select(n => Of(n, sample, malicious)).ToList();
    }

    /// <summary>A share: in (0, 1] (<paramref name="zeroAllowed"/> false) or [0, 1) (true).</summary>
    private static double Share(Config config, string key, bool zeroAllowed, string expected)
    {
        var text = config.GetString(key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && (zeroAllowed ? v is >= 0 and < 1 : v is > 0 and <= 1)
            ? v
            : throw new ConfigurationException($"{key} = '{text}': expected a number in {expected}");
    }

    private static int Round(double value) => (int)Math.Round(value, MidpointRounding.AwayFromZero);
}
