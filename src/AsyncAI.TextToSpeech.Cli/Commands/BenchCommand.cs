using System.CommandLine;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary><c>asyncai-tts bench</c>: points to the benchmark project, which measures latency and CPU properly (Release, BenchmarkDotNet).</summary>
internal static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command("bench", "How to run the benchmarks (latency and CPU against the emulator or --url)");
        command.SetAction(async (_, _) =>
        {
            await console.Out.WriteLineAsync("""
                The benchmarks are a separate project, run in Release from the repository root:

                  dotnet run -c Release --project bench/AsyncAI.TextToSpeech.Benchmarks -- http-latency [--url URL]
                      time from a chunk's arrival to its hand-out, and client CPU per audio-second (HTTP streaming)
                  dotnet run -c Release --project bench/AsyncAI.TextToSpeech.Benchmarks -- --filter '*'
                      the BenchmarkDotNet micro-benchmarks

                Results and the exact commands are in docs/benchmarks.md.
                """);
            return ExitCodes.Success;
        });
        return command;
    }
}
