using System.Text.RegularExpressions;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class BenchCommandTests
{
    [Theory]
    [InlineData("ws", "contexts on one WebSocket")]
    [InlineData("http", "HTTP streaming requests")]
    public async Task RunAsync_Bench_ReportsPercentilesOverTheRequestedCount(string transport, string description)
    {
        var result = await InProcessCli.RunAsync(["bench", "-n", "7", "--warmup", "1", "--transport", transport]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.StandardOutputText;
        Assert.StartsWith($"7 {description}", report, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"p50 \d+\.\d{3}\s+p90 \d+\.\d{3}\s+p99 \d+\.\d{3}"), report);
        // 7 runs of the default text (36 non-whitespace characters) at 0.05 s per character.
        Assert.Contains("audio: 12.60 s", report, StringComparison.Ordinal);
    }
}
