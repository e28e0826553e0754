namespace FedTrust.Core.Learning;

/// <summary>The local optimisation a client runs each round: SGD with momentum over its own samples.</summary>
public sealed record TrainingOptions(string Model, int LocalEpochs, int BatchSize, double LearningRate, double Momentum, int EvalBatchSize = 1000);
