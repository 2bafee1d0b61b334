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
}
