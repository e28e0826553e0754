using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>The model architectures a run can choose with <c>fedtrust.model</c>.</summary>
public static class ModelZoo
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn", "cnn-large"];

    /// <summary>Builds a fresh, randomly initialised model of the named architecture (initialisation draws from torch's global generator).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "mlp" => new Mlp(),
        "cnn" => new Cnn(),
        "cnn-large" => new CnnLarge(),
        _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>
    /// The initial global weights for a run: torch's global generator is seeded once here and the model built,
    /// so every client starts from the same, reproducible point. Call it once per run, before any training thread starts.
    /// </summary>
    public static float[] InitialWeights(string name, long seed)
    {
        lock (InitLock)
        {
            torch.manual_seed(seed);
            using var model = Create(name);
            return ParameterVector.Get(model);
        }
    }

    /// <summary>The number of parameters (the length of every weight vector and update) of the named architecture.</summary>
    public static int ParameterCount(string name) => ParameterCounts.GetOrAdd(name, n =>
    {
        lock (InitLock)
        {
            using var model = Create(n);
            return ParameterVector.Length(model);
        }
    });

    private static readonly object InitLock = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> ParameterCounts = new(StringComparer.Ordinal);
}

/// <summary>A 784-200-10 perceptron with one ReLU hidden layer (the classic MNIST MLP).</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear _hidden = nn.Linear(28 * 28, 200);
    private readonly Linear _output = nn.Linear(200, 10);

    public Mlp() : base("mlp") => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var flat = input.flatten(1);
        using var hidden = _hidden.forward(flat);
        using var activated = nn.functional.relu(hidden);
        return _output.forward(activated);
    }
}

/// <summary>Two 5x5 convolutions (16 and 32 channels, each followed by ReLU and 2x2 max-pooling) and a linear head: ~29k parameters.</summary>
internal sealed class Cnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1 = nn.Conv2d(1, 16, kernel_size: 5, padding: 2);
    private readonly Conv2d _conv2 = nn.Conv2d(16, 32, kernel_size: 5, padding: 2);
    private readonly Linear _head = nn.Linear(32 * 7 * 7, 10);

    public Cnn() : base("cnn") => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var image = input.reshape(-1, 1, 28, 28);
        using var c1 = _conv1.forward(image);
        using var r1 = nn.functional.relu(c1);
        using var p1 = nn.functional.max_pool2d(r1, 2);
        using var c2 = _conv2.forward(p1);
        using var r2 = nn.functional.relu(c2);
        using var p2 = nn.functional.max_pool2d(r2, 2);
        using var flat = p2.flatten(1);
        return _head.forward(flat);
    }
}
