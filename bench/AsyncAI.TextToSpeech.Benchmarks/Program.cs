using BenchmarkDotNet.Running;

namespace AsyncAI.TextToSpeech.Benchmarks;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        args = BenchRuntime.Apply(args);

        // Harnesses that are not BenchmarkDotNet suites are picked by their first argument.
        if (args.Length > 0 && args[0] == "ws-latency")
        {
            return await WebSockets.WebSocketLatencyHarness.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == Http.HttpLatencyHarness.Command)
        {
            return await Http.HttpLatencyHarness.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == Pipeline.PipelineLatencyHarness.Command)
        {
            return await Pipeline.PipelineLatencyHarness.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == Pipeline.PipelineCapacityHarness.Command)
        {
            return await Pipeline.PipelineCapacityHarness.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == Emulator.EmulatorThroughput.Switch)
        {
            return await Emulator.EmulatorThroughput.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
