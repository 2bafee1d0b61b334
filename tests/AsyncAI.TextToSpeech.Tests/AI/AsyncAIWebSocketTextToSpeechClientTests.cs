#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Diagnostics;
using AsyncAI.TextToSpeech.AI;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Tests.Tracing;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.AI;

public sealed class AsyncAIWebSocketTextToSpeechClientTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task GetStreamingAudioAsync_NotConnectedYet_ConnectsThenOpenAudioUpdatedCloseWithOneContextAsResponseId()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        const string Text = "Streamed over the socket.";

        var updates = new List<TextToSpeechResponseUpdate>();
        await Within(Task.Run(async () =>
        {
            await foreach (var update in tts.GetStreamingAudioAsync(Text))
            {
                updates.Add(update);
            }
        }), "the stream");

        Assert.Equal(TextToSpeechResponseUpdateKind.SessionOpen, updates[0].Kind);
        Assert.Equal([TextToSpeechResponseUpdateKind.AudioUpdated, TextToSpeechResponseUpdateKind.SessionClose], updates.TakeLast(2).Select(u => u.Kind));
        var audio = updates.Where(u => u.Kind == TextToSpeechResponseUpdateKind.AudioUpdating).ToList();
        Assert.True(audio.Count > 1, "one update per chunk");
        Assert.All(audio, u => Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", Assert.IsType<DataContent>(Assert.Single(u.Contents)).MediaType));
        Assert.All(audio, u => Assert.IsType<AudioChunk>(u.RawRepresentation));
        Assert.Equal(ExpectedBytes(Text, _emulator), audio.Sum(u => ((DataContent)u.Contents[0]).Data.Length));

        var contextId = Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.All(updates, u => Assert.Equal("async_flash_v1.0", u.ModelId));
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(Text.Length, usage.Details.AdditionalCounts![AsyncAITextToSpeechPropertyNames.InputCharacterCount]);

        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == contextId), "close_context");
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);
    }

    [Fact]
    public async Task GetAudioAsync_ConcurrentCalls_ShareOneSocketAndEachGetsItsOwnAudio()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        using var tts = client.AsITextToSpeechClient();
        string[] texts = ["The first of three.", "A second, longer sentence than the first.", "Third."];

        var responses = await Within(Task.WhenAll(texts.Select(t => tts.GetAudioAsync(t, new TextToSpeechOptions { VoiceId = VoiceId, ModelId = "async_flash_v1.0", Language = null }))), "three calls");

        for (var i = 0; i < texts.Length; i++)
        {
            var data = Assert.IsType<DataContent>(Assert.Single(responses[i].Contents));
            Assert.Equal(ExpectedBytes(texts[i], _emulator), data.Data.Length);
            Assert.Equal(ExpectedBytes(texts[i], _emulator), _emulator.Journal.AudioBytesSent(responses[i].ResponseId!));
            var raw = Assert.IsType<AsyncAISpeechAudio>(responses[i].RawRepresentation);
            Assert.Equal(24000, raw.SampleRate);
        }

        Assert.Equal(3, responses.Select(r => r.ResponseId).Distinct().Count());
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_ConsumerStopsAfterTheFirstChunk_ContextInterruptedAndClosed()
    {
        _emulator.Options.PacingRate = 1;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();

        string? contextId = null;
        await Within(Task.Run(async () =>
        {
            await foreach (var update in tts.GetStreamingAudioAsync("A sentence long enough to take a few seconds of paced audio."))
            {
                contextId = update.ResponseId;
                if (update.Kind == TextToSpeechResponseUpdateKind.AudioUpdating)
                {
                    break;
                }
            }
        }), "the first chunk");

        Assert.NotNull(contextId);
        var close = await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == contextId), "close_context of the abandoned call");

        // Interrupted, not completed: the close goes out at once, seconds before the paced audio would have ended.
        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == contextId && e.Sequence < close.Sequence);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_Cancelled_ThrowsAndInterruptsTheContext()
    {
        _emulator.Options.PacingRate = 1;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        using var cancel = new CancellationTokenSource();

        string? contextId = null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(Task.Run(async () =>
        {
            await foreach (var update in tts.GetStreamingAudioAsync("Another sentence that streams at the pace of speech.", cancellationToken: cancel.Token))
            {
                contextId = update.ResponseId;
                if (update.Kind == TextToSpeechResponseUpdateKind.AudioUpdating)
                {
                    await cancel.CancelAsync();
                }
            }
        }), "the cancelled stream"));

        Assert.NotNull(contextId);
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == contextId), "close_context of the cancelled call");
    }

    [Fact]
    public async Task GetAudioAsync_ConnectionDropsMidContext_AsyncAIExceptionWithItsCategory()
    {
        await using var client = new AsyncAIWebSocketClient(Options(WithFaults(_emulator.WebSocketUrl, "close-mid-context")));
        using var tts = client.AsITextToSpeechClient();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => Within(tts.GetAudioAsync("This sentence is cut off after its first chunk."), "the failing call"));

        Assert.Equal(AsyncAIErrorCategory.Connectivity, error.Category);
    }

    [Theory]
    [InlineData("VoiceId")]
    [InlineData("ModelId")]
    [InlineData("Language")]
    [InlineData("AudioFormat")]
    [InlineData("Speed")]
    [InlineData("AdditionalProperties[\"stability\"]")]
    [InlineData("AdditionalProperties[\"sample_rate\"]")]
    [InlineData("RawRepresentationFactory")]
    public async Task Options_ThatDifferFromTheSocket_ThrowAtTheCallNamingTheOption(string option)
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Language = "en"));
        using var tts = client.AsITextToSpeechClient();
        var options = option switch
        {
            "VoiceId" => new TextToSpeechOptions { VoiceId = "another-voice" },
            "ModelId" => new TextToSpeechOptions { ModelId = "async_english_v1.0" },
            "Language" => new TextToSpeechOptions { Language = "de-DE" },
            "AudioFormat" => new TextToSpeechOptions { AudioFormat = "audio/pcm;codec=s16le;rate=44100" },
            "Speed" => new TextToSpeechOptions { Speed = 1.2f },
            "AdditionalProperties[\"stability\"]" => new TextToSpeechOptions { AdditionalProperties = new() { ["stability"] = 40 } },
            "AdditionalProperties[\"sample_rate\"]" => new TextToSpeechOptions { AdditionalProperties = new() { ["sample_rate"] = 16000 } },
            _ => new TextToSpeechOptions { RawRepresentationFactory = _ => new AsyncAIHttpRequestOptions() },
        };

        var streaming = Assert.Throws<ArgumentException>(() => tts.GetStreamingAudioAsync("Hi.", options));
        var whole = await Assert.ThrowsAsync<ArgumentException>(() => tts.GetAudioAsync("Hi.", options));

        Assert.Equal("options", streaming.ParamName);
        Assert.Contains(option, streaming.Message, StringComparison.Ordinal);
        Assert.Equal(streaming.Message, whole.Message);
        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);
    }

    [Theory]
    [InlineData("audio/pcmu;codec=s16le")]
    [InlineData("audio/pcm;codec=f32le;codec=s16le")]
    [InlineData("audio/pcm;codec=s16le;rate=16000;rate=24000")]
    public async Task AudioFormat_Contradictory_ThrowsAtTheCallEvenWhenItsLastPartMatchesTheSocket(string format)
    {
        // Each ends on what the socket makes (s16le, 24000), which is how a contradictory format used to pass.
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        var options = new TextToSpeechOptions { AudioFormat = format };

        var streaming = Assert.Throws<ArgumentException>("options", () => tts.GetStreamingAudioAsync("Hi.", options));
        var whole = await Assert.ThrowsAsync<ArgumentException>("options", () => tts.GetAudioAsync("Hi.", options));

        Assert.StartsWith($"TextToSpeechOptions.AudioFormat '{format}'", streaming.Message, StringComparison.Ordinal);
        Assert.Contains("contradicts", streaming.Message, StringComparison.Ordinal);
        Assert.Equal(streaming.Message, whole.Message);
        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task Options_ThatRepeatTheSocket_AreAccepted()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Language = "en"));
        using var tts = client.AsITextToSpeechClient();
        var options = new TextToSpeechOptions
        {
            VoiceId = VoiceId,
            ModelId = "async_flash_v1.0",
            Language = "en-US",
            AudioFormat = "audio/pcm;codec=s16le;rate=24000",
            AdditionalProperties = new() { ["sample_rate"] = 24000 },
        };

        var response = await Within(tts.GetAudioAsync("Same settings.", options), "the call");

        Assert.Equal(ExpectedBytes("Same settings.", _emulator), Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Length);
    }

    [Theory]
    [InlineData("decimal")]
    [InlineData("string")]
    [InlineData("double")]
    public async Task SampleRateProperty_SameRateAsAnotherNumberType_IsAcceptedAsOverHttp(string type)
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        object rate = type switch { "decimal" => 24000.0m, "string" => "24000", _ => 24000.0 };
        var options = new TextToSpeechOptions { AdditionalProperties = new() { ["sample_rate"] = rate } };

        var response = await Within(tts.GetAudioAsync("Same rate.", options), "the call");

        Assert.Equal(ExpectedBytes("Same rate.", _emulator), Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Length);
    }

    [Fact]
    public async Task SampleRateProperty_NotANumber_ThrowsAsOverHttp()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        var options = new TextToSpeechOptions { AdditionalProperties = new() { ["sample_rate"] = "fast" } };

        var error = Assert.Throws<ArgumentException>("options", () => tts.GetStreamingAudioAsync("Hi.", options));

        Assert.Contains("AdditionalProperties[\"sample_rate\"] must be a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BitRateProperty_CheckedAsOverHttp_ThenIgnoredByTheRawOnlySocket()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();
        var outOfRange = new TextToSpeechOptions { AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = 400000 } };

        var error = Assert.Throws<ArgumentOutOfRangeException>("options", () => tts.GetStreamingAudioAsync("Hi.", outOfRange));
        Assert.Contains("AdditionalProperties[\"bit_rate\"] must be between 32000 and 320000", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);

        var inRange = new TextToSpeechOptions { AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = 128000 } };
        var response = await Within(tts.GetAudioAsync("Raw as always.", inRange), "the call");

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", audio.MediaType);
        Assert.Equal(ExpectedBytes("Raw as always.", _emulator), audio.Data.Length);
    }

    [Fact]
    public async Task WithLoggingOpenTelemetryAndConfigureOptions_SpeaksReachesTheSocketAndOurSpansNestUnderMeais()
    {
        const string MeaiSource = "AsyncAI.Tests.Meai.WebSocket";
        const string Text = "Through the middleware and over the socket.";
        using var spans = new SpanCollector(AsyncAITelemetry.Name, MeaiSource);
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        await using var socket = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = socket.AsITextToSpeechClient()
            .AsBuilder()
            .UseLogging(loggerFactory)
            .UseOpenTelemetry(sourceName: MeaiSource)
            .ConfigureOptions(o => o.VoiceId ??= VoiceId) // the socket's own voice, so the adapter accepts it
            .Build();

        var updates = new List<TextToSpeechResponseUpdate>();
        await Within(Task.Run(async () =>
        {
            await foreach (var update in tts.GetStreamingAudioAsync(Text))
            {
                updates.Add(update);
            }
        }), "the stream");
        var whole = await Within(tts.GetAudioAsync(Text), "the whole audio");

        Assert.IsType<LoggingTextToSpeechClient>(tts);
        Assert.Equal(TextToSpeechResponseUpdateKind.SessionClose, updates[^1].Kind);
        Assert.Equal(ExpectedBytes(Text, _emulator), updates.SelectMany(u => u.Contents.OfType<DataContent>()).Sum(d => d.Data.Length));
        var audio = Assert.IsType<DataContent>(Assert.Single(whole.Contents));
        Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", audio.MediaType);
        Assert.Equal(ExpectedBytes(Text, _emulator), audio.Data.Length);
        Assert.Same(socket, tts.GetService<AsyncAIWebSocketClient>());
        Assert.Equal("asyncai", tts.GetService<TextToSpeechClientMetadata>()!.ProviderName);
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("GetStreamingAudioAsync", StringComparison.Ordinal));
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("GetAudioAsync", StringComparison.Ordinal));
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);

        // Each call's context span (found by its id, the call's ResponseId) is the child of that call's generate_content.
        string[] contextIds = [updates[0].ResponseId!, whole.ResponseId!];
        Assert.NotEqual(contextIds[0], contextIds[1]);
        foreach (var contextId in contextIds)
        {
            var ours = await spans.WaitForStoppedAsync(
                a => SpanCollector.IsOurs(a) && Equals(a.GetTagItem("asyncai.context.id"), contextId), "the context's span " + contextId);
            var meai = Assert.Single(spans.Stopped(a => a.Source.Name == MeaiSource && a.SpanId == ours.ParentSpanId));
            Assert.Equal(meai.TraceId, ours.TraceId);
            Assert.StartsWith("generate_content", meai.DisplayName, StringComparison.Ordinal);
            Assert.Equal("asyncai", meai.GetTagItem("gen_ai.provider.name"));
            Assert.Equal(_emulator.WebSocketUrl.Port, meai.GetTagItem("server.port"));
            Assert.Equal(meai.GetTagItem("gen_ai.provider.name"), ours.GetTagItem("gen_ai.provider.name"));
            SpanCollector.AssertSynthesisSpan(ours, VoiceId, _emulator.WebSocketUrl.Host);
        }
    }

    [Fact]
    public async Task GetService_Metadata_InnerClient_Itself_AndNothingForAKey_NoKeyInTheMetadata()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        using var tts = client.AsITextToSpeechClient();

        var metadata = Assert.IsType<TextToSpeechClientMetadata>(tts.GetService(typeof(TextToSpeechClientMetadata)));
        Assert.Equal("asyncai", metadata.ProviderName);
        Assert.Equal(_emulator.WebSocketUrl, metadata.ProviderUri);
        Assert.DoesNotContain(ApiKey, metadata.ProviderUri!.ToString(), StringComparison.Ordinal);
        Assert.Equal("async_flash_v1.0", metadata.DefaultModelId);
        Assert.Same(client, tts.GetService(typeof(AsyncAIWebSocketClient)));
        Assert.Same(tts, tts.GetService(typeof(ITextToSpeechClient)));
        Assert.Null(tts.GetService(typeof(AsyncAIWebSocketClient), "key"));
        Assert.Throws<ArgumentNullException>(() => ((AsyncAIWebSocketClient)null!).AsITextToSpeechClient());
        Assert.Throws<ArgumentException>(() => tts.GetStreamingAudioAsync(" "));
    }
}
