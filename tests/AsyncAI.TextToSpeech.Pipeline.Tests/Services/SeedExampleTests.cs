using System.Globalization;
using System.Text.RegularExpressions;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

/// <summary>The seed document's three usage examples in C# (the README shows the same code), run end to end against the emulator.</summary>
public class SeedExampleTests
{
    [Fact]
    public async Task BasicSetupExample_WebSocketService_SpeaksIntoAWavFile()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var wav = new MemoryStream();

        // --- the example ---
        var tts = new AsyncAITtsService(new AsyncAITtsServiceOptions
        {
            ApiKey = "sk_emulator", // in an application: Environment.GetEnvironmentVariable("ASYNCAI_API_KEY")
            VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Url = emulator.WebSocketUrl, // omit for wss://api.async.com/text_to_speech/websocket/ws
        });
        tts.Connected += (_, _) => Console.WriteLine("Connected to Async"); // Pipecat's on_connected
        var task = new PipelineTask(new Pipeline(tts, new WavFileSink(wav, leaveOpen: true)));
        task.QueueFrames([new TtsSpeakFrame("Hello from Async."), new EndFrame()]);
        await new PipelineRunner().RunAsync(task).WaitAsync(TimeSpan.FromSeconds(10));
        // --- end of example ---

        Assert.Equal(1, emulator.Journal.ConnectionsAccepted);
        Assert.Equal(WavFileSink.HeaderSize + emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.FinalSent).Sum(e => long.Parse(e.Detail!, CultureInfo.InvariantCulture)), wav.Length);
        Assert.True(wav.Length > WavFileSink.HeaderSize);
    }

    [Fact]
    public async Task LanguageCustomizationExample_Spanish_InitCarriesTheLanguage()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var wav = new MemoryStream();

        // --- the example ---
        var tts = new AsyncAITtsService(new AsyncAITtsServiceOptions
        {
            ApiKey = "sk_emulator", // in an application: Environment.GetEnvironmentVariable("ASYNCAI_API_KEY")
            VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Model = "async_flash_v1.0",
            Url = emulator.WebSocketUrl, // omit for wss://api.async.com/text_to_speech/websocket/ws
            Params = new AsyncAITtsInputParams { Language = Language.Es },
        });
        var task = new PipelineTask(new Pipeline(tts, new WavFileSink(wav, leaveOpen: true)));
        task.QueueFrames([new TtsSpeakFrame("Hola, ¿cómo estás?"), new EndFrame()]);
        await new PipelineRunner().RunAsync(task).WaitAsync(TimeSpan.FromSeconds(10));
        // --- end of example ---

        Assert.True(wav.Length > WavFileSink.HeaderSize);
        Assert.Equal("es", tts.Settings.Language);
        Assert.EndsWith(" es", Assert.Single(emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Init).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpServiceExample_CallerOwnedHttpClient_SpeaksIntoAWavFile()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var wav = new MemoryStream();

        // --- the example: the caller creates and owns the HttpClient ---
        using var httpClient = new HttpClient();
        var tts = new AsyncAIHttpTtsService(httpClient, new AsyncAIHttpTtsServiceOptions
        {
            ApiKey = "sk_emulator", // in an application: Environment.GetEnvironmentVariable("ASYNCAI_API_KEY")
            VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Url = emulator.HttpBaseUrl, // omit for https://api.async.com
            Params = new AsyncAITtsInputParams { Language = Language.Es },
        });
        var task = new PipelineTask(new Pipeline(tts, new WavFileSink(wav, leaveOpen: true)));
        task.QueueFrames([new TtsSpeakFrame("Hola, ¿cómo estás?"), new EndFrame()]);
        await new PipelineRunner().RunAsync(task).WaitAsync(TimeSpan.FromSeconds(10));
        // --- end of example ---

        Assert.True(wav.Length > WavFileSink.HeaderSize);
        Assert.Equal("es", tts.Settings.Language);
    }

    [Fact]
    public void Readme_UsageSection_ShowsExactlyTheExamplesTheseTestsRun()
    {
        var examples = ReadmeExamples.InServicesTest("SeedExampleTests.cs");
        var readme = ReadmeExamples.Readme();
        var section = readme[readme.IndexOf("## Usage (the seed's examples)", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var shown = Regex.Matches(section, @"```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups["code"].Value).ToList();

        Assert.Equal(3, examples.Count);
        Assert.Equal(examples.Select(e => e.ReplaceLineEndings("\n")), shown);
    }
}
