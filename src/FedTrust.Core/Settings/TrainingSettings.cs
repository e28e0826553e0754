namespace FedTrust.Core.Settings;

/// <summary>The local optimisation a client runs each round: SGD with momentum over its own samples.</summary>
public sealed record TrainingSettings(string Model, int LocalEpochs, int BatchSize, double LearningRate, double Momentum, int EvalBatchSize = 1000);
