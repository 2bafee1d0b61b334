using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>AsyncAITtsService (WebSocket) against the in-process emulator: derived sequences, interruption, reconnect, auth, language.</summary>
public sealed class AsyncAITtsServiceTests : IAsyncLifetime
{
    private const string OtherVoiceId = "cab5c9a4-a4ee-43ef-830c-99a4cd20b591";

    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Speak_Hello_DerivedWebSocketSequenceAndJournal()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out var sink);
        harness.Queue(new TtsSpeakFrame("Hello"));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var frames = WithoutBotFrames(harness.DownFrames);
        var context = stopped.ContextId!;

        // The text frame normally precedes the audio (the send returns before synthesis); only its place among the audio may vary.
        Assert.Equal(
            ["Aggregated(Hello)", "TtsStarted", "Audio*", "LlmAssistantPushAggregation", "TtsStopped"],
            FrameAssert.Shape(frames.Where(f => f is not TtsTextFrame)));
        AssertTextInsideContext(frames, context, "Hello");
        Assert.All(frames.OfType<TtsStartedFrame>(), s => Assert.Equal(context, s.ContextId));

        var audio = frames.OfType<TtsAudioRawFrame>().ToList();
        Assert.All(audio, a => Assert.Equal(context, a.ContextId));
        Assert.Equal(_emulator.Journal.AudioBytesSent(context), audio.Sum(a => a.Audio.Length));
        Assert.Equal(Expected("Hello ", 24000), audio.Sum(a => a.Audio.Length));
        Assert.Equal(audio.Sum(a => a.Audio.Length), sink.BytesWritten);

        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context);
        // The emulator confirms the close_context with another final; the client ignores it.
        Assert.Equal(
            ["Init", "Text:Hello ", "EndOfInput", "FinalSent", "CloseContext"],
            ClientJournal(context).Take(5));
        Assert.Empty(harness.Errors);
    }

    private static IReadOnlyList<Frame> WithoutBotFrames(IEnumerable<Frame> frames) =>
        [.. frames.Where(f => f is not BotStartedSpeakingFrame and not BotStoppedSpeakingFrame and not MetricsFrame)];

    /// <summary>Exactly one TtsText with <paramref name="text"/> for the context, between its Started and Stopped.</summary>
    private static void AssertTextInsideContext(IReadOnlyList<Frame> frames, string context, string text)
    {
        var list = frames.ToList();
        var started = list.FindIndex(f => f is TtsStartedFrame s && s.ContextId == context);
        var stopped = list.FindIndex(f => f is TtsStoppedFrame s && s.ContextId == context);
        var texts = list.Select((f, i) => (f, i)).Where(x => x.f is TtsTextFrame t && t.ContextId == context && t.Text == text).ToList();
        var single = Assert.Single(texts);
        Assert.InRange(single.i, started + 1, stopped - 1);
    }

    private static int Expected(string transcript, int sampleRate) =>
        EmulatorAudio.ExpectedByteCount(transcript, sampleRate, AudioEncodings.PcmS16Le, new EmulatorOptions().SecondsPerCharacter);

    private static PipelineHarness Start(AsyncAITtsService tts, out PcmStreamSink sink, PipelineParams? parameters = null)
    {
        sink = new PcmStreamSink(new MemoryStream());
        return PipelineHarness.Start([tts, sink], parameters);
    }

    /// <summary>What the emulator journaled for the context (and the connection's init), in order: "Init", "Text:…", "EndOfInput", …</summary>
    private List<string> ClientJournal(string context)
    {
        var events = _emulator.Journal.Snapshot();
        var connection = events.First(e => e.ContextId == context).ConnectionId;
        return
        [
            .. events
                .Where(e => e.ConnectionId == connection && (e.Kind == EmulatorEventKind.Init || (e.ContextId == context && e.Kind != EmulatorEventKind.AudioSent)))
                .Select(e => e.Kind == EmulatorEventKind.Text ? $"Text:{e.Detail}" : e.Kind.ToString()),
        ];
    }

    private AsyncAITtsServiceOptions Options() => new()
    {
        ApiKey = "sk_test",
        VoiceId = VoiceIds.Default,
        Url = _emulator.WebSocketUrl,
    };

    private AsyncAITtsService CreateService(Action<AsyncAITtsServiceOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return new AsyncAITtsService(options);
    }

    private static class VoiceIds
    {
        public const string Default = "e0f39dc4-f691-4e78-bba5-5c636692cc04";
    }
}
