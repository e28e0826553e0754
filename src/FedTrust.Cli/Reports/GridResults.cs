using System.Text.Json;
using System.Text.Json.Serialization;
using FedTrust.Cli.Grid;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Reports;

/// <summary>
/// One finished run of a grid: its defense, attack, intensity and seed (from its result.json's config, names
/// lower-cased, intensity 0 for the no-attack reference "none"), the folder holding it and its parsed result.
/// </summary>
public sealed record CellResult(string Defense, string Attack, double Intensity, long Seed, string Folder, ResultFile Result)
{
    /// <summary>The run's malicious clients f (<c>config.attack.malicious</c>; a robustness grid varies it).</summary>
    public int Malicious => Result.Config.Attack?.Malicious ?? 0;

    /// <summary>The run's client count, honest and malicious (<c>config.clients</c>; 0 when the file does not say).</summary>
    public int Clients => Result.Config.Clients;

    /// <summary>The run's data set (<c>config.dataset</c>; mnist when the file does not say, as before the key existed).</summary>
    public string Dataset => Result.Config.Dataset.Trim().ToLowerInvariant();

    /// <summary>The run's partition as a level, its kind with the parameter that shapes it (<c>config.partition</c>; iid when the file does not say).</summary>
    public PartitionLevel Partition => (Result.Config.Partition ?? new ResultPartition()).Level;
}

/// <summary>
/// The parts of result.json (schema 1, described by result.schema.json beside this file: every key read here is in it
/// with a compatible type, as ResultSchemaTests checks) that reports read; unknown properties are ignored.
/// <c>trust</c>, <c>excluded</c>, <c>epsilon</c> and <c>detection</c> are absent for defenses that do not produce them.
/// <c>privacy</c> (a central-DP run's accounting) and <c>stopped</c> (a run that ended at its privacy budget) are kept
/// as JSON and read by name (<see cref="RunPrivacy"/>), so that a value of an unexpected shape never makes the file unreadable.
/// </summary>
public sealed record ResultFile(
    int Schema,
    ResultConfig Config,
    IReadOnlyList<ResultRound> Rounds,
    ResultMetrics Final,
    IReadOnlyList<ResultClient>? Clients = null,
    ResultDetection? Detection = null,
    JsonElement? Privacy = null,
    JsonElement? Stopped = null);

/// <summary>
/// The run's resolved configuration, as far as reports need it (<c>config</c> in result.json). The data set and the
/// partition default to what a run used before those keys existed (mnist, iid). <c>clients-per-round</c> (a number or
/// "all") and the <c>dp</c> block are kept as JSON and read by name.
/// </summary>
public sealed record ResultConfig(
    long Seed, string? Defense = null, ResultAttack? Attack = null, int Rounds = 0, int Clients = 0, string Dataset = "mnist", ResultPartition? Partition = null,
    [property: JsonPropertyName("clients-per-round")] JsonElement? ClientsPerRound = null,
    JsonElement? Dp = null)
{
    /// <summary>The clients sampled per round (<c>clients-per-round</c>): its number, or <see cref="Clients"/> for "all" or when the file does not say.</summary>
    public int PerRound => ClientsPerRound is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var perRound) ? perRound : Clients;
}

/// <summary>
/// The partition of a run (<c>config.partition</c>): its kind and the parameters that shape the grid's levels, each at
/// its default (<c>hocon/fedtrust.conf</c>) when absent.
/// </summary>
public sealed record ResultPartition(
    string Kind = "iid",
    double Alpha = 0.5,
    [property: JsonPropertyName("shards-per-client")] int ShardsPerClient = 2)
{
    /// <summary>The partition as a grid level (<see cref="GridResults.Read"/> refuses a file whose kind is not one of <see cref="PartitionKinds.Names"/>).</summary>
    public PartitionLevel Level => PartitionLevel.Of(PartitionKinds.Parse(Kind.Trim().ToLowerInvariant()), Alpha, ShardsPerClient);
}

/// <summary>The attack of a run (<c>config.attack</c>): its type name, intensity and number of malicious clients.</summary>
public sealed record ResultAttack(string? Type = null, double Intensity = 0, int Malicious = 0);

/// <summary>
/// One round of a run: the global model's metrics after aggregation, each client's trust score, the clients whose
/// valid update arrived (<c>participants</c>), those of them the defense did not aggregate (<c>excluded</c>), those
/// whose update was invalid (<c>rejected</c>), the privacy budget spent so far, and under the backdoor the global
/// model's attack success rate. Each of those is absent when the run did not record it.
/// </summary>
public sealed record ResultRound(
    int Round,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    double? Loss = null,
    double Seconds = double.NaN,
    IReadOnlyDictionary<string, double>? Trust = null,
    IReadOnlyList<string>? Excluded = null,
    double? Epsilon = null,
    IReadOnlyList<string>? Participants = null,
    IReadOnlyList<string>? Rejected = null,
    double? AttackSuccessRate = null);

/// <summary>Accuracy and macro-averaged precision, recall and F1 of a model on the test set.</summary>
public sealed record ResultMetrics(double Accuracy, double Precision, double Recall, double F1);

/// <summary>One client of a run: its id, whether it was malicious, its training-set size and local test accuracy.</summary>
public sealed record ResultClient(string Id, bool Malicious = false, int TrainSamples = 0, double? TestAccuracy = null);

/// <summary>How well the defense told malicious clients from honest ones: true- and false-positive rates.</summary>
public sealed record ResultDetection(double Tpr, double Fpr);

/// <summary>Reads the result.json files of a grid output folder.</summary>
public static class GridResults
{
    /// <summary>The file name every cell writes.</summary>
    public const string FileName = "result.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>
    /// Every result.json below <paramref name="dir"/>, at any depth (cell folders, or cell/seed folders), ordered by path.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// No result.json was found; a file is not valid JSON of the schema, lacks the defense or the attack, or has a schema
    /// version other than 1 (the message starts with the file's path); or two files describe the same data set, partition,
    /// defense, attack, intensity, malicious count, client count and seed (averaging them would count that seed twice).
    /// Cells that differ only by their malicious clients f, as a robustness grid's do, or only by their data set or
    /// partition, as a heterogeneity grid's do, are different cells.
    /// </exception>
    public static IReadOnlyList<CellResult> Load(string dir, Func<string, bool>? include = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"grid folder '{dir}' does not exist");

        var files = Directory.EnumerateFiles(dir, FileName, SearchOption.AllDirectories)
            .Where(f => include?.Invoke(Path.GetRelativePath(dir, f)) ?? true)
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"no {FileName} found under '{dir}'");

        var cells = new List<CellResult>(files.Count);
        var seen = new Dictionary<(string, PartitionLevel, string, string, double, int, int, long), string>();
        foreach (var file in files)
        {
            var cell = Read(file);
            var key = (cell.Dataset, cell.Partition, cell.Defense, cell.Attack, cell.Intensity, cell.Malicious, cell.Clients, cell.Seed);
            if (seen.TryGetValue(key, out var other))
            {
                throw new InvalidDataException(
                    $"{file}: same cell as {other} (data set {cell.Dataset}, partition {cell.Partition.Label}, defense {cell.Defense}, attack {cell.Attack}, " +
                    $"intensity {cell.Intensity}, {cell.Malicious} malicious of {cell.Clients} clients, seed {cell.Seed}); remove one of them");
            }
            seen[key] = file;
            cells.Add(cell);
        }
        return cells;
    }

    /// <summary>One result.json as a cell, read once it conforms to result.schema.json (<see cref="ResultFileSchema"/>).</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not JSON, departs from the schema (the message names the JSON path), or is incomplete; one line, starting with its path.
    /// </exception>
    public static CellResult Read(string file)
    {
        ResultFile? result;
        var document = ResultFileSchema.Checked(file);
        try
        {
            result = document.Deserialize<ResultFile>(Options);
        }
        catch (JsonException e)
        {
            // JsonException's message repeats the path and a 0-based line number at its end; say them once, 1-based.
            var detail = e.Message;
            var cut = detail.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut >= 0) detail = detail[..cut];
            var where = e.LineNumber is long line ? $" at line {line + 1}" + (string.IsNullOrEmpty(e.Path) ? "" : $", {e.Path}") : "";
            throw new InvalidDataException($"{file}: not a valid {FileName}{where}: {detail}", e);
        }

        if (result is null) throw new InvalidDataException($"{file}: is 'null', expected a {FileName} object");
        if (result.Schema != 1) throw new InvalidDataException($"{file}: schema {result.Schema} is not supported (expected 1)");
        if (string.IsNullOrWhiteSpace(result.Config.Defense)) throw new InvalidDataException($"{file}: config.defense is missing");
        if (result.Config.Attack is null) throw new InvalidDataException($"{file}: config.attack is missing");
        if (string.IsNullOrWhiteSpace(result.Config.Attack.Type)) throw new InvalidDataException($"{file}: config.attack.type is missing");

        var defense = result.Config.Defense.Trim().ToLowerInvariant();
        var attack = result.Config.Attack.Type.Trim().ToLowerInvariant();
        var intensity = attack == "none" ? 0.0 : result.Config.Attack.Intensity;
        if (!double.IsFinite(intensity) || intensity < 0)
            throw new InvalidDataException($"{file}: config.attack.intensity {intensity} must be a non-negative number");
        if (result.Config.Attack.Malicious < 0)
            throw new InvalidDataException($"{file}: config.attack.malicious {result.Config.Attack.Malicious} must be a whole number ≥ 0");
        if (result.Config.Partition is { } partition && !PartitionKinds.Names.Contains(partition.Kind.Trim().ToLowerInvariant()))
            throw new InvalidDataException($"{file}: config.partition.kind '{partition.Kind}' is not one of {string.Join(", ", PartitionKinds.Names)}");
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        return new CellResult(defense, attack, intensity, result.Config.Seed, folder, result);
    }
}
