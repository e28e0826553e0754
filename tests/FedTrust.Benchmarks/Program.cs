using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line (e.g. --filter '*Krum*' --job short); see README.md.
BenchmarkSwitcher.FromAssembly(typeof(FedTrust.Benchmarks.RoundUpdates).Assembly).Run(args);
