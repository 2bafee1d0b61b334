using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class StreamCommandTests
{
    [Fact]
    public async Task Stream_LinesOnStdin_SpeaksEachLineAsASentenceOfOneContext()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        string[] lines = ["First line of text.", "", "And a second one."];

        var result = await CliProcess.RunAsync(
            ["stream", "-o", "-", "--url", emulator.WebSocketUrl.ToString()],
            standardInput: string.Join('\n', lines) + "\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = EmulatorAudio.ExpectedByteCount(string.Concat(lines), 24000, "pcm_s16le", 0.05);
        Assert.Equal(expected, result.StandardOutput.Length);
        var texts = emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Text).ToList();
        Assert.True(texts.Count >= 2, $"expected one text message per non-empty line, saw {texts.Count}");
        Assert.Single(texts.Select(e => e.ContextId).Distinct());
        Assert.Equal(1, emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task Stream_EmptyStdin_FailsWithOneLineAndUsageExitCode()
    {
        var result = await InProcessCli.RunAsync(["stream", "-o", "-"], standardInput: "\n  \n");

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("stdin", error, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }
}
