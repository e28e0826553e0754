using FedTrust.Cli;

return await FedTrustCli.RunAsync(args, Console.Out, Console.Error);
