namespace FedTrust.Cli.Grid;

/// <summary>
/// The grid's privacy/accuracy sweep: each DP defense of the grid (<see cref="Defenses"/>) at each ε of
/// <c>fedtrust.grid.epsilons</c>, under each entry of <c>fedtrust.grid.sweep-attacks</c> (none: no attack), on each
/// level of <c>fedtrust.grid.populations</c> when it has any. The ε is the per-round ε of local DP (<c>dp.epsilon</c>),
/// or under central DP the total over the planned rounds (<c>dp.target-epsilon</c>). A cell's folder is
/// <c>epsilon-sweep/&lt;defense&gt;[/&lt;attack&gt;-&lt;intensity&gt;][/clients-N]/eps-&lt;ε&gt;/seed-&lt;s&gt;</c>: the attack
/// and population levels only for an attack other than none and on a population axis, so that a sweep without them keeps
/// its folders.
/// </summary>
internal sealed record EpsilonSweep(
    IReadOnlyList<string> Defenses,
    IReadOnlyList<double> Epsilons,
    IReadOnlyList<(string Name, double Intensity)> Attacks,
    IReadOnlyList<PopulationLevel> Populations,
    bool Central)
{
    /// <summary>
    /// The sweep's cells of <paramref name="defense"/> and <paramref name="seed"/> (none unless it is a DP defense), in
    /// the order attack, population, ε. <paramref name="reference"/> is the malicious axis's no-attack counts (honest
    /// clients alone), which a sweep cell without attack takes, as the reference row does.
    /// </summary>
    public IEnumerable<GridCell> Cells(string defense, long seed, (int F, int Clients)? reference)
    {
        if (!Defenses.Contains(defense)) yield break;
        IReadOnlyList<PopulationLevel?> populations = Populations.Count == 0 ? [null] : [.. Populations];
        foreach (var (attack, intensity) in Attacks)
        foreach (var population in populations)
        foreach (var epsilon in Epsilons)
        {
            string[] folder =
            [
                GridPlan.EpsilonSweepFolder, defense,
                .. attack == "none" ? Array.Empty<string>() : [$"{attack}-{GridCell.Format(intensity)}"],
                .. population is null ? Array.Empty<string>() : [population.Folder],
                $"eps-{GridCell.Format(epsilon)}", $"seed-{seed}",
            ];
            yield return new GridCell(defense, attack, intensity, seed, epsilon, Path.Combine(folder))
            {
                Malicious = attack == "none" ? reference : null,
                Population = population,
                CentralDp = Central,
            };
        }
    }
}
