using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class ErrorHandlingTests
{
    private const string WrongKey = "sk_wrong_secret_key_31337";

    [Fact]
    public async Task Speak_UnknownFlag_ExitCode2AndOneErrorLine()
    {
        var result = await CliProcess.RunAsync(["speak", "Hello.", "--no-such-flag"]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("--no-such-flag", line, StringComparison.Ordinal);
        Assert.Contains("asyncai-tts speak --help", line, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task Speak_OutputIsAPipeNamedAsAFile_OneLineThatPointsToDashNotAParameterName()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /dev/stdout is the redirected pipe on Linux
        }

        await using var emulator = await AsyncAIEmulator.StartAsync();

        var result = await CliProcess.RunAsync(["speak", "Hello.", "-o", "/dev/stdout", "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("/dev/stdout", line, StringComparison.Ordinal);
        Assert.Contains("-o -", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Speak_WrongKeyAgainstStrictServer_ExitCode1OneLineWithoutTheKey(string transport)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { "sk_the_right_key" } });

        var result = await CliProcess.RunAsync(["speak", "Hello.", "-o", "-", "--transport", transport, "--url", emulator.HttpBaseUrl.ToString(), "--api-key", WrongKey]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("401", line, StringComparison.Ordinal);
        Assert.Contains("--api-key", line, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("--api-key", "speak", "ws", true)]
    [InlineData("--api-key", "speak", "http", true)]
    [InlineData("--api-key", "voices", "http", true)]
    [InlineData("--url", "speak", "ws", false)]
    [InlineData("--url", "speak", "http", false)]
    [InlineData("--voice", "speak", "ws", false)]
    [InlineData("--voice", "speak", "http", false)]
    public async Task ClientCommand_ServiceOrNetworkFailure_AdviceNamesTheCliFlagNotTheLibrarysOptions(string flag, string command, string transport, bool wrongKey)
    {
        // The library's messages end with advice for code ("Check AsyncAIHttpOptions.ApiKey", "Check the network and
        // BaseUrl", "Check ApiKey; the client … is now unusable"), which the CLI used to print before its own.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { "sk_the_right_key" } });
        var url = flag == "--url" ? "http://127.0.0.1:1" : emulator.HttpBaseUrl.ToString();
        string[] args = command == "voices" ? ["voices"] : ["speak", "Hello.", "-o", "-", "--transport", transport];
        args = [.. args, "--url", url, "--api-key", wrongKey ? WrongKey : "sk_the_right_key"];
        if (flag == "--voice")
        {
            args = [.. args, "--voice", "no-such-voice"];
        }

        var result = await InProcessCli.RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        if (flag == "--api-key")
        {
            Assert.Contains("ASYNCAI_API_KEY", line, StringComparison.Ordinal);
        }

        foreach (var codeAdvice in new[] { "AsyncAIHttpOptions", "BaseUrl", "ApiKey", "new client", "unusable", "the voice, model, language and output format options", "Fix the request" })
        {
            Assert.DoesNotContain(codeAdvice, line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--language.", "--voice --model --sample-rate --encoding", "voices", "--language", "zz-bogus")]
    [InlineData("--voice, --model, --sample-rate and --encoding.", "--language", "bench", "-n", "1", "--warmup", "0", "--voice", "no-such-voice")]
    public async Task ClientCommand_InvalidRequest_AdviceNamesOnlyTheCommandsOwnOptions(string advice, string notTheCommands, params string[] args)
    {
        // The advice for a refused request named --voice, --model, --language, --sample-rate and --encoding whatever the
        // command: voices has only --language of these, bench has no --language.
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var result = await InProcessCli.RunAsync([.. args, "--url", emulator.HttpBaseUrl.ToString(), "--api-key", "sk_test"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.EndsWith(" Check " + advice, line, StringComparison.Ordinal);
        foreach (var option in notTheCommands.Split(' '))
        {
            Assert.DoesNotContain(option + " ", line, StringComparison.Ordinal);
            Assert.DoesNotContain(option + ",", line, StringComparison.Ordinal);
            Assert.DoesNotContain(option + ".", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Report_SessionRejectedWithAdviceInParentheses_NoSpaceLeftBeforeTheParenthesis()
    {
        // The library's wording when a WebSocket session is refused (AsyncAIWebSocketClient.Reconnect.cs) nests the
        // service error, advice included, in parentheses; which of the two exceptions a run ends with depends on timing.
        // Dropping the inner advice left "not found. );" on the CLI's line.
        var exception = new AsyncAIException(
            "The WebSocket client stopped before the context finished: The service rejected the session (Async sent error VOICE_NOT_FOUND: "
            + "Requested voice with ID nope not found. Check the voice, model, language and output format options.); reconnecting would be "
            + "rejected the same way, so the client gave up for good. Fix the options and create a new client.",
            AsyncAIErrorCategory.InvalidRequest,
            "VOICE_NOT_FOUND");
        var error = new StringWriter();

        ErrorReporter.Report(exception, verbose: false, [], error, ["--voice"]);

        var line = error.ToString().Trim();
        Assert.Contains("with ID nope not found.); reconnecting", line, StringComparison.Ordinal);
        Assert.DoesNotContain("create a new client", line, StringComparison.Ordinal);
        Assert.EndsWith(" Check --voice.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientCommand_StandardErrorFailsLikeAHungUpTerminal_StillReturnsTheExitCode(bool verbose)
    {
        // After the terminal closes (SIGHUP, which takes Ctrl+C's path) every write to it fails with EIO. The error
        // line's write threw out of Main, so the process aborted (SIGABRT, exit 134, a crash report where the system
        // collects them) after its cleanup instead of exiting with the run's code. Seen with a real pseudo-terminal
        // whose master was closed mid-speech.
        string[] args = ["speak", "Hello.", "-o", "-", "--url", "http://127.0.0.1:1"];
        var console = new CliConsole(TextReader.Null, TextWriter.Null, new HungUpTerminalWriter(), () => Stream.Null);

        var exitCode = await CliApplication.RunAsync(verbose ? [.. args, "--verbose"] : args, console);

        Assert.Equal(ExitCodes.RuntimeError, exitCode);
    }

    [Fact]
    public async Task Voices_WrongKeyWithVerboseLogging_KeyAppearsNowhere()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { "sk_the_right_key" } });

        var result = await CliProcess.RunAsync(
            ["voices", "--verbose", "--url", emulator.HttpBaseUrl.ToString()],
            environment: new Dictionary<string, string> { ["ASYNCAI_API_KEY"] = WrongKey });

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.ErrorLines.First(l => l.StartsWith("error", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, result.StandardOutputText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speak_WrongKeyOverWebSocketWithVerboseLogging_KeyAppearsNowhere()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { "sk_the_right_key" } });

        var result = await CliProcess.RunAsync(["speak", "Hello.", "-o", "-", "--verbose", "--url", emulator.HttpBaseUrl.ToString(), "--api-key", WrongKey]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("REDACTED", result.StandardError, StringComparison.Ordinal); // the logged URL, with the key masked
        Assert.DoesNotContain(WrongKey, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speak_UnreachableServer_ExitCode1OneLineNamingTheUrlOption()
    {
        var result = await InProcessCli.RunAsync(["speak", "Hello.", "-o", "-", "--url", "http://127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("--url", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("speak", "ws")]
    [InlineData("speak", "http")]
    [InlineData("stream", "ws")]
    public async Task SpeakOrStream_ServiceRefusesBeforeAnyAudio_LeavesNoWavFileBehind(string command, string transport)
    {
        // A voice the service does not know: it refuses before sending any audio. The file used to be left as a
        // 44-byte header-only WAV (replacing whatever was at that path), indistinguishable by name from a good one.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        string[] args = command == "speak"
            ? ["speak", "Hello.", "--transport", transport]
            : ["stream"];
        args = [.. args, "-o", path, "--voice", "no-such-voice", "--url", emulator.HttpBaseUrl.ToString()];

        var result = await InProcessCli.RunAsync(args, standardInput: "Hello.\n");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(path), "a failed run without audio must not leave a WAV file");
    }

    [Fact]
    public async Task Speak_ServiceRefusesBeforeAnyAudio_DoesNotDeleteAPathThatExistedBeforeTheRun()
    {
        // Only a file the run created is removed. A path that was there before (here a symlink; in practice also
        // -o /dev/null, which a run as root would unlink) is not the run's to delete.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var target = dir.File("kept.wav");
        await File.WriteAllTextAsync(target, "x");
        var link = dir.File("out.wav");
        File.CreateSymbolicLink(link, target);

        var result = await InProcessCli.RunAsync(["speak", "Hello.", "-o", link, "--voice", "no-such-voice", "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.Equal(1, result.ExitCode);
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public async Task Speak_UnreachableServer_LeavesNoWavFileBehind()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");

        var result = await InProcessCli.RunAsync(["speak", "Hello.", "-o", path, "--url", "http://127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(path), "a failed run without audio must not leave a WAV file");
    }

    [Fact]
    public async Task Stream_EmptyStdin_LeavesNoWavFileBehind()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");

        var result = await InProcessCli.RunAsync(["stream", "-o", path, "--url", emulator.HttpBaseUrl.ToString()], standardInput: "\n  \n");

        Assert.Equal(2, result.ExitCode);
        Assert.False(File.Exists(path), "a run that had nothing to speak must not leave a WAV file");
    }

    [Fact]
    public async Task Speak_ToStdoutWhenTheReaderExits_ExitCode1InsteadOfClaimingSuccess()
    {
        // speak -o - | player: the player exits early. Console's stdout stream pretends writes to the closed pipe
        // succeed, so the CLI used to synthesize the whole text (quota, on the real service), print "… s of audio to
        // stdout" and exit 0.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var text = string.Join(' ', Enumerable.Repeat("word", 200)); // about 1.9 MB of audio, far beyond a pipe's buffer
        using var process = System.Diagnostics.Process.Start(CliProcess.CreateStartInfo(["speak", text, "-o", "-", "--url", emulator.HttpBaseUrl.ToString()], Path.GetTempPath()))!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            process.StandardInput.Close();
            await process.StandardOutput.BaseStream.ReadAtLeastAsync(new byte[4096], 1, cancellationToken: timeout.Token); // audio is flowing
            process.StandardOutput.Close();
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(1, process.ExitCode);
            var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("error: stdout was closed", line, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Standard error on a terminal that has hung up: every write fails with EIO, as .NET reports it.</summary>
    private sealed class HungUpTerminalWriter : StringWriter
    {
        public override void Write(char value) => throw HungUp();

        public override void Write(string? value) => throw HungUp();

        public override void Write(char[] buffer, int index, int count) => throw HungUp();

        public override void WriteLine(string? value) => throw HungUp();

        public override Task WriteAsync(string? value) => throw HungUp();

        public override Task WriteLineAsync(string? value) => throw HungUp();

        public override void Flush() => throw HungUp();

        private static IOException HungUp() => new("Input/output error", 5);
    }
}
