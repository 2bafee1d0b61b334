using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

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
        var result = await InProcessCli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("--pacing must be 0 or more", "serve", "--pacing", "-1")]
    [InlineData("--pacing must be 0 or more", "serve", "--pacing", "NaN")]
    [InlineData("--pacing must be 0 or more", "serve", "--pacing", "Infinity")]
    [InlineData("--time-to-first-audio-ms must be between 0 and 3600000", "serve", "--time-to-first-audio-ms", "-5")]
    [InlineData("--time-to-first-audio-ms must be between 0 and 3600000", "serve", "--time-to-first-audio-ms", "1e300")]
    [InlineData("--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s)", "serve", "--chunk-ms", "0")]
    [InlineData("--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s)", "serve", "--chunk-ms", "NaN")]
    [InlineData("--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s)", "serve", "--chunk-ms", "0.00001")]
    [InlineData("--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s)", "serve", "--chunk-ms", "0.00009")]
    [InlineData("--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s)", "serve", "--chunk-ms", "10000.0001")]
    [InlineData("--seconds-per-char must be greater than 0 and at most 10", "serve", "--seconds-per-char", "11")]
    [InlineData("--host is empty", "serve", "--host", " ")]
    [InlineData("--voice is empty", "speak", "Hello.", "--voice", " ", "--url", "http://127.0.0.1:1")]
    [InlineData("--model is empty", "speak", "Hello.", "--model", "", "--transport", "http", "--url", "http://127.0.0.1:1")]
    [InlineData("--voice is empty", "stream", "--voice", "", "--url", "http://127.0.0.1:1")]
    [InlineData("--model is empty", "bench", "--model", " ", "--url", "http://127.0.0.1:1")]
    public async Task RunAsync_OptionValueOutOfRange_UsageErrorNamingTheFlagAndTheRange(string expected, params string[] args)
    {
        // These used to name the library's or emulator's property ("(Parameter 'PacingRate') Actual value was -1"),
        // a different flag (--chunk-ms NaN blamed --host), or fail as "unexpected OverflowException" with exit code 1.
        var result = await InProcessCli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: " + expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BlankBenchText_UsageErrorThatSaysWhatToDo()
    {
        // It was "error: --text is empty." and nothing more, from the command's action: no advice, unlike every other
        // blank value (--voice, --model, --host), which the parser refuses with what to pass instead.
        var result = await InProcessCli.RunAsync(["bench", "--text", " ", "--url", "http://127.0.0.1:1"]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: --text is empty. Pass ", line, StringComparison.Ordinal);
        Assert.Contains("asyncai-tts bench --help", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EncodingNotAllowed_ListsTheAllowedValuesOnOneLine()
    {
        var stderr = (await InProcessCli.RunAsync(["speak", "Hi.", "--encoding", "mp3"])).StandardError;

        Assert.Contains("'pcm_s16le' 'pcm_f32le' 'pcm_mulaw'", stderr, StringComparison.Ordinal);
        Assert.Contains("asyncai-tts speak --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Help_ExitCode0AndListsTheCommands()
    {
        var result = await InProcessCli.RunAsync(["--help"]);
        var stdout = result.StandardOutputText;

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "speak", "stream", "voices", "serve", "bench" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_RawAudioToATerminal_UsageErrorBeforeConnecting()
    {
        var stderr = new StringWriter();
        var console = new CliConsole(new StringReader(""), new StringWriter(), stderr, () => new MemoryStream(), StandardOutputIsTerminal: true);

        var exitCode = await CliApplication.RunAsync(["speak", "Hello.", "-o", "-"], console);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("terminal", line, StringComparison.Ordinal);
    }
}
