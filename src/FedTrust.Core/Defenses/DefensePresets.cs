namespace FedTrust.Core.Defenses;

/// <summary>
/// The defense presets (fedavg, krum, multi-krum, dp, trust, hybrid): names that stand for compositions, defined in
/// hocon/defenses.conf (shipped inside this assembly), not in code. The file holds one block,
/// <c>defense-presets { name = "parts" ... }</c>, one preset a line, '#' and '//' comments allowed.
/// </summary>
public static class DefensePresets
{
    private const string Resource = "FedTrust.Core.defenses.conf";

    private static readonly Lazy<IReadOnlyList<(string Name, string Composition)>> Shipped = new(() => Read(LoadResource(), "hocon/defenses.conf"));

    /// <summary>The presets, in the file's order: name and composition ("multi-krum+trust+dp").</summary>
    public static IReadOnlyList<(string Name, string Composition)> All => Shipped.Value;

    /// <summary>The presets' names, in the file's order.</summary>
    public static IReadOnlyList<string> Names => All.Select(p => p.Name).ToList();

    /// <summary>The composition <paramref name="name"/> stands for, or null when it is no preset.</summary>
    public static string? CompositionOf(string name)
    {
        foreach (var (preset, composition) in All) if (preset == name) return composition;
        return null;
    }

    /// <summary>
    /// Why a preset a configuration defines itself (<c>fedtrust.defense-presets { name = "parts" }</c>) cannot be one, or
    /// null: the checks of the shipped ones (a name of lower-case letters, digits and '-'; a composition of registered parts,
    /// pre-aggregators first, at most one rule, then trust and dp), and a name that is no shipped preset's, registered
    /// rule's or pre-aggregator's, nor trust or dp (it would shadow it).
    /// </summary>
    public static string? UserProblem(string name, string composition)
    {
        if (!PartNames.Valid(name)) return $"a preset's name is lower-case letters, digits and '-': got '{name}'";
        if (Names.Contains(name)) return $"'{name}' is a shipped preset (hocon/defenses.conf: {name} = \"{CompositionOf(name)}\"); choose another name";
        if (PartNames.Taken(name)) return $"'{name}' is the name of a defense part (a rule, a pre-aggregator, trust or dp); choose another name";
        return DefenseComposition.CompositionProblem(composition) is { } problem
            ? $"\"{composition}\" is no composition: {problem}; expected parts joined with '+': pre-aggregators ({string.Join(", ", PreAggregators.Names)}), " +
              $"at most one rule ({string.Join(", ", AggregationRules.Names)}), trust, dp"
            : null;
    }

    /// <summary>
    /// Reads a presets file's text. <paramref name="source"/> names it in errors ("hocon/defenses.conf:12: ...").
    /// </summary>
    /// <exception cref="FormatException">A line that is not <c>name = "parts"</c>, a repeated name, or a missing block.</exception>
    public static IReadOnlyList<(string Name, string Composition)> Read(string text, string source)
    {
        var presets = new List<(string, string)>();
        var state = 0; // 0 before the block, 1 inside it, 2 after it
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var comment = line.StartsWith('#') || line.StartsWith("//", StringComparison.Ordinal);
            if (line.Length == 0 || comment) continue;
            string Where() => $"{source}:{i + 1}";
            if (state == 0 && line == "defense-presets {") { state = 1; continue; }
            if (state == 1 && line == "}") { state = 2; continue; }
            if (state != 1) throw new FormatException($"{Where()}: expected the block 'defense-presets {{ name = \"parts\" ... }}', found '{line}'");
            var eq = line.IndexOf('=');
            var name = eq > 0 ? line[..eq].Trim() : "";
            var value = eq > 0 ? line[(eq + 1)..].Trim() : "";
            if (name.Length == 0 || value.Length < 2 || value[0] != '"' || value[^1] != '"' || !PartNames.Valid(name))
                throw new FormatException($"{Where()}: expected a preset as name = \"parts\" (e.g. hybrid = \"multi-krum+trust+dp\"), found '{line}'");
            if (presets.Any(p => p.Item1 == name)) throw new FormatException($"{Where()}: the preset '{name}' is defined twice");
            presets.Add((name, value[1..^1]));
        }
        if (state != 2) throw new FormatException($"{source}: expected one block 'defense-presets {{ ... }}', closed with '}}'");
        return presets;
    }

    private static string LoadResource()
    {
        using var stream = typeof(DefensePresets).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"the embedded resource {Resource} (hocon/defenses.conf) is missing from {typeof(DefensePresets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
