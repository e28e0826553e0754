using System.Diagnostics;
using Spectre.Console;
using TorchSharp;

namespace FedTrust.Cli.Bench;

/// <summary>
/// <c>fedtrust bench --quick | --suite | --json FILE</c>: measures every stage of a round against a reference run in
/// the same process (stage 1 <see cref="TrainingStage"/>, 2 <see cref="OverheadStage"/>, 3
/// <see cref="AggregationStage"/>, 4 <see cref="ScaleStage"/>, 5 <see cref="PyTorchStage"/>), prints a table per stage as it finishes and then the
/// summary, and returns the figures (<see cref="SuiteReport"/>).
/// </summary>
internal static class BenchSuite
{
    public static async Task<SuiteReport> RunAsync(SuiteContext context)
    {
        TrainingStage.Check(context);
        OverheadStage.Check(context);
        var console = context.Console;
        var clock = Stopwatch.StartNew();
        torch.set_num_threads(context.Settings.TorchThreads); // as a run sets it; every stage's reference shares it

        console.MarkupLine("[grey]stage 1/5:[/] local training, client actors vs the bare TorchSharp loop…");
        var training = await TrainingStage.RunAsync(context);
        console.Write(TrainingStage.Table(training));

        console.MarkupLine("[grey]stage 2/5:[/] whole rounds through the actors vs their parts done bare…");
        var overhead = await OverheadStage.RunAsync(context);
        console.Write(OverheadStage.Table(overhead));

        console.MarkupLine("[grey]stage 3/5:[/] the server's side of each defense on synthetic updates…");
        var aggregation = AggregationStage.Run(context);
        console.Write(AggregationStage.Table(aggregation));

        console.MarkupLine("[grey]stage 4/5:[/] peak RSS and round time as the clients grow…");
        var scale = await ScaleStage.RunAsync(context);
        console.Write(ScaleStage.Table(scale));

        var pytorch = await RunPyTorchStageAsync(context, "5/5");

        var report = new SuiteReport(context.Sizes.Name, MachineInfo.Of(context.Settings), clock.Elapsed.TotalSeconds, training, overhead, aggregation, scale)
        {
            PyTorch = pytorch,
        };
        console.Write(report.SummaryTable());
        console.WriteLine(report.Line());
        return report;
    }

    /// <summary>
    /// <c>fedtrust bench --pytorch</c>: stage 5 alone (<see cref="PyTorchStage"/>), at the suite's size; returns its
    /// figures in a report whose other stages are empty.
    /// </summary>
    public static async Task<SuiteReport> RunPyTorchOnlyAsync(SuiteContext context)
    {
        var clock = Stopwatch.StartNew();
        var pytorch = await RunPyTorchStageAsync(context, "5");
        return new SuiteReport(context.Sizes.Name, MachineInfo.Of(context.Settings), clock.Elapsed.TotalSeconds, [], [], new AggregationResult([], []),
            new ScaleResult([], [])) { PyTorch = pytorch, Stages = "pytorch" };
    }

    private static async Task<PyTorchResult> RunPyTorchStageAsync(SuiteContext context, string number)
    {
        context.Console.MarkupLineInterpolated($"[grey]stage {number}:[/] FedTrust vs a plain PyTorch FedAvg loop doing the same experiment…");
        var pytorch = await PyTorchStage.RunAsync(context);
        context.Console.Write(PyTorchStage.Table(pytorch));
        return pytorch;
    }
}
