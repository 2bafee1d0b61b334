using System.Text;
using AsyncAI.TextToSpeech.Cli;

namespace AsyncAI.TextToSpeech.Cli.Tests;

/// <summary>Usage errors, run in-process (the parser stops before any I/O); the process-level case is in <see cref="ErrorHandlingTests"/>.</summary>
public class CommandLineParsingTests
{
    [Theory]
    [InlineData("speak", "Hello.", "--encoding", "mp3")]
    [InlineData("speak", "Hello.", "--sample-rate", "1000")]
    [InlineData("speak", "Hello.", "--sample-rate", "fast")]
    [InlineData("speak", "Hello.", "--transport", "carrier-pigeon")]
    [InlineData("speak")]
    [InlineData("speak", "  ")]
    [InlineData("speak", "Hello.", "--url", "localhost:8765")]
    [InlineData("speak", "Hello.", "--api-key", "")]
    [InlineData("voices", "--gender", "robot")]
    [InlineData("voices", "--limit", "0")]
    [InlineData("serve", "--port", "70000")]
    [InlineData("serve", "--pacing", "-1")]
    [InlineData("no-such-command")]
    [InlineData]
    public async Task RunAsync_BadCommandLine_ExitCode2AndOneErrorLine(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunInProcessAsync(args);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task RunAsync_EncodingNotAllowed_ListsTheAllowedValuesOnOneLine()
    {
        var (_, _, stderr) = await RunInProcessAsync(["speak", "Hi.", "--encoding", "mp3"]);

        Assert.Contains("'pcm_s16le' 'pcm_f32le' 'pcm_mulaw'", stderr, StringComparison.Ordinal);
        Assert.Contains("asyncai-tts speak --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Help_ExitCode0AndListsTheCommands()
    {
        var (exitCode, stdout, _) = await RunInProcessAsync(["--help"]);

        Assert.Equal(0, exitCode);
        foreach (var command in new[] { "speak", "stream", "voices", "serve", "bench" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunInProcessAsync(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var audio = new MemoryStream();
        var console = new CliConsole(new StringReader(""), stdout, stderr, () => audio);
        var exitCode = await CliApplication.RunAsync(args, console);
        return (exitCode, stdout.ToString() + Encoding.UTF8.GetString(audio.ToArray()), stderr.ToString());
    }
}
