using System.Text.Json;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class VoicesCommandTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string DocumentedVoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

    [Fact]
    public async Task Voices_Json_PrintsAParsableArrayOfVoicesWithinTheLimit()
    {
        var result = await CliProcess.RunAsync(["voices", "--json", "--limit", "3", "--url", fixture.Url]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        Assert.InRange(document.RootElement.GetArrayLength(), 1, 3);
        foreach (var voice in document.RootElement.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(voice.GetProperty("voice_id").GetString()));
        }
    }

    [Fact]
    public async Task Voices_LanguageAndGenderFilters_OnlyMatchingVoices()
    {
        var result = await InProcessCli.RunAsync(["voices", "--json", "--language", "en-US", "--gender", "female"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.NotEqual(0, document.RootElement.GetArrayLength());
        foreach (var voice in document.RootElement.EnumerateArray())
        {
            Assert.Equal("Female", voice.GetProperty("gender").GetString());
            Assert.Contains("en", voice.GetProperty("language").GetString()!.Split(','));
        }
    }

    [Fact]
    public async Task Voices_Default_PrintsATableWithHeaderAndTheDocumentedVoice()
    {
        var result = await CliProcess.RunAsync(["voices"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("VOICE ID", lines[0], StringComparison.Ordinal);
        Assert.Contains("NAME", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(DocumentedVoiceId, StringComparison.Ordinal));
        Assert.Matches(@"^\d+ voices?$", lines[^1]);
    }
}
