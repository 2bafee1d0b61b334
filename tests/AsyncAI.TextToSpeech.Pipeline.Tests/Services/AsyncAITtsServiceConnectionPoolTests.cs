using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;
namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

/// <summary>AsyncAITtsService on a shared AsyncAIWebSocketConnectionPool: pipelines share sockets, not contexts.</summary>
public sealed class AsyncAITtsServiceConnectionPoolTests : IAsyncLifetime
{
    private const string OtherVoiceId = "cab5c9a4-a4ee-43ef-830c-99a4cd20b591";

    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task TwoPipelines_OnePool_ShareOneSocketEachGetsItsOwnAudioAndEvents()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (first, firstEvents) = CreateService(pool);
        var (second, secondEvents) = CreateService(pool);
        await using var a = Start(first, out var sinkA);
        await firstEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout);
        await using var b = Start(second, out var sinkB);

        // The second service leased a socket the first had connected already: it hears Connected all the same.
        await secondEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout);
        a.Queue(new TtsSpeakFrame("Spoken by the first pipeline."));
        b.Queue(new TtsSpeakFrame("And the second pipeline says something longer."));
        var stoppedA = await a.WaitDownAsync<TtsStoppedFrame>();
        var stoppedB = await b.WaitDownAsync<TtsStoppedFrame>();

        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        AssertOwnAudio(a, stoppedA.ContextId!, "Spoken by the first pipeline. ", sinkA);
        AssertOwnAudio(b, stoppedB.ContextId!, "And the second pipeline says something longer. ", sinkB);

        // The first pipeline ends: it hears Disconnected, the socket stays open for the second, which speaks on.
        await WaitForCloseContextAsync(stoppedA.ContextId!);
        await a.EndAsync();
        Assert.Equal(1, firstEvents.Disconnects);
        Assert.Equal(0, secondEvents.Disconnects);
        b.Queue(new TtsSpeakFrame("Still here."));
        var again = await b.WaitDownAsync<TtsStoppedFrame>(s => s.ContextId != stoppedB.ContextId);
        await WaitForCloseContextAsync(again.ContextId!);
        await b.EndAsync();

        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind is EmulatorEventKind.Disconnected or EmulatorEventKind.Terminate);
        Assert.Equal(1, secondEvents.Disconnects);
        Assert.Equal(1, firstEvents.Connects);
        Assert.Equal(1, secondEvents.Connects);
        Assert.Empty(a.Errors);
        Assert.Empty(b.Errors);

        // The pool owns the socket: it closes with the pool.
        await pool.DisposeAsync();
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, PipelineHarness.Timeout);
    }

    [Fact]
    public async Task Interruption_InOnePipeline_StopsOnlyItsContextTheOtherStreamsOn()
    {
        _emulator.Options.PacingRate = 2;
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (first, _) = CreateService(pool);
        var (second, _) = CreateService(pool);
        await using var a = Start(first, out _);
        await using var b = Start(second, out var sinkB);
        const string Long = "A long sentence that takes a few seconds of real time to stream out at pace.";
        a.Queue(new TtsSpeakFrame(Long));
        b.Queue(new TtsSpeakFrame(Long));
        var interrupted = (await a.WaitDownAsync<TtsAudioRawFrame>()).ContextId!;
        await b.WaitDownAsync<TtsAudioRawFrame>();

        a.Queue(new InterruptionFrame());
        await a.WaitDownAsync<InterruptionFrame>();
        await WaitForCloseContextAsync(interrupted);
        var stoppedB = await b.WaitDownAsync<TtsStoppedFrame>();

        var framesA = a.DownFrames.ToList();
        var interruption = framesA.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(framesA.Skip(interruption), f => f is TtsAudioRawFrame);
        Assert.DoesNotContain(framesA, f => f is TtsStoppedFrame);
        AssertOwnAudio(b, stoppedB.ContextId!, Long + " ", sinkB);
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Empty(a.Errors);
        Assert.Empty(b.Errors);
    }

    [Fact]
    public async Task SettingsUpdate_InOnePipeline_MovesItToAnotherSocketTheOtherStays()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (first, firstEvents) = CreateService(pool);
        var (second, _) = CreateService(pool);
        await using var a = Start(first, out _);
        await using var b = Start(second, out _);
        await firstEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout);

        a.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Voice = OtherVoiceId }), new TtsSpeakFrame("With the other voice."));
        b.Queue(new TtsSpeakFrame("With the first voice."));
        var stoppedA = await a.WaitDownAsync<TtsStoppedFrame>();
        var stoppedB = await b.WaitDownAsync<TtsStoppedFrame>();

        var events = _emulator.Journal.Snapshot();
        var inits = events.Where(e => e.Kind == EmulatorEventKind.Init).ToList();
        Assert.Equal(2, inits.Count);
        var textA = Assert.Single(events, e => e.Kind == EmulatorEventKind.Text && e.ContextId == stoppedA.ContextId);
        var textB = Assert.Single(events, e => e.Kind == EmulatorEventKind.Text && e.ContextId == stoppedB.ContextId);
        Assert.Contains(OtherVoiceId, Assert.Single(inits, i => i.ConnectionId == textA.ConnectionId).Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherVoiceId, Assert.Single(inits, i => i.ConnectionId == textB.ConnectionId).Detail, StringComparison.Ordinal);

        // The first socket is still the second pipeline's: the move closed nothing.
        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Disconnected);
        Assert.Equal(2, pool.ConnectionCount);
        Assert.Empty(a.Errors);
        Assert.Empty(b.Errors);
    }

    [Fact]
    public async Task Reconnect_SharedSocketClosedByTheServer_BothServicesHearItAndSpeakOnOneNewSocket()
    {
        _emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(300);
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (first, firstEvents) = CreateService(pool);
        var (second, secondEvents) = CreateService(pool);
        var reconnects = new[] { new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var connects = new int[2];
        first.Connected += (_, _) => { if (Interlocked.Increment(ref connects[0]) == 2) { reconnects[0].TrySetResult(); } };
        second.Connected += (_, _) => { if (Interlocked.Increment(ref connects[1]) == 2) { reconnects[1].TrySetResult(); } };
        await using var a = Start(first, out _);
        await using var b = Start(second, out _);
        await firstEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout);
        await secondEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout);

        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, PipelineHarness.Timeout);
        _emulator.Options.Faults.CloseAfterIdle = null;
        await Task.WhenAll(reconnects.Select(r => r.Task)).WaitAsync(PipelineHarness.Timeout);
        a.Queue(new TtsSpeakFrame("After the reconnect."));
        b.Queue(new TtsSpeakFrame("Me too."));
        var stoppedA = await a.WaitDownAsync<TtsStoppedFrame>();
        var stoppedB = await b.WaitDownAsync<TtsStoppedFrame>();

        Assert.Equal(1, firstEvents.Disconnects);
        Assert.Equal(1, secondEvents.Disconnects);
        Assert.Equal([2, 2], connects);
        var events = _emulator.Journal.Snapshot();
        var socketA = Assert.Single(events, e => e.Kind == EmulatorEventKind.Text && e.ContextId == stoppedA.ContextId).ConnectionId;
        Assert.Equal(socketA, Assert.Single(events, e => e.Kind == EmulatorEventKind.Text && e.ContextId == stoppedB.ContextId).ConnectionId);
        Assert.NotEqual(Assert.Single(events, e => e.Kind == EmulatorEventKind.Disconnected).ConnectionId, socketA);
        Assert.Equal(1, pool.ConnectionCount);
        Assert.Equal(_emulator.Journal.AudioBytesSent(stoppedB.ContextId!), b.DownFrames.OfType<TtsAudioRawFrame>().Sum(f => f.Audio.Length));
        Assert.Empty(a.Errors);
        Assert.Empty(b.Errors);
    }

    [Fact]
    public async Task Errors_KeyRejectedOnASharedSocket_EachServiceOneAuthenticationErrorAndUnusable()
    {
        _emulator.Options.ApiKeys.Add("sk_right");
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var services = new[] { new AsyncAITtsService(pool, Options(o => o.ApiKey = "sk_wrong")), new AsyncAITtsService(pool, Options(o => o.ApiKey = "sk_wrong")) };
        var harnesses = services.Select(s => Start(s, out _)).ToArray();
        try
        {
            foreach (var harness in harnesses)
            {
                harness.Queue(new TtsSpeakFrame("First."), new TtsSpeakFrame("Second."), new MarkerFrame(1));
            }

            foreach (var harness in harnesses)
            {
                await harness.WaitDownAsync<MarkerFrame>();
                await harness.EndAsync();
            }
        }
        finally
        {
            foreach (var harness in harnesses)
            {
                await harness.DisposeAsync();
            }
        }

        foreach (var (harness, service) in harnesses.Zip(services))
        {
            var error = Assert.Single(harness.Errors);
            Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
            Assert.DoesNotContain("sk_wrong", error.Message, StringComparison.Ordinal);
            Assert.False(service.IsUsable);
        }

        // At most one handshake per service, however the two raced for the shared client: no retry storm.
        Assert.InRange(_emulator.Journal.HandshakesRejected, 1, 2);
        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task ConnectFailure_OfOneService_IsReportedOnlyInItsOwnPipeline()
    {
        _emulator.Options.Faults.RejectHandshakeStatus = 503;
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (first, firstEvents) = CreateService(pool);
        var (second, _) = CreateService(pool);
        var firstConnectionErrors = 0;
        first.ConnectionError += (_, _) => Interlocked.Increment(ref firstConnectionErrors);

        await using var a = Start(first, out _);
        await a.WaitUpAsync<ErrorFrame>(); // its own failed start
        await using var b = Start(second, out _);
        await b.WaitUpAsync<ErrorFrame>(); // the second service's own attempt, on the same shared client
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HandshakeRejected, TimeSpan.FromSeconds(10));

        // Both pipelines' queues have drained past the second failure: a stray report would be in by now.
        a.Queue(new MarkerFrame(1));
        b.Queue(new MarkerFrame(1));
        await a.WaitDownAsync<MarkerFrame>();
        await b.WaitDownAsync<MarkerFrame>();
        a.Queue(new MarkerFrame(2));
        await a.WaitDownAsync<MarkerFrame>(m => m.Number == 2);

        Assert.Equal(2, _emulator.Journal.HandshakesRejected);
        Assert.Single(a.Errors);
        Assert.Single(b.Errors);
        Assert.Equal(1, firstConnectionErrors);
        Assert.Equal(0, firstEvents.Connects);
    }

    [Fact]
    public async Task LateConnectedEvent_AfterTheServiceReturnedItsLease_IsNotRaised()
    {
        _emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(300);
        await using var pool = new AsyncAIWebSocketConnectionPool();
        var (blocker, blockerEvents) = CreateService(pool);
        var (service, events) = CreateService(pool);
        using var gate = new ManualResetEventSlim();
        var blocking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blockerConnects = 0;
        blocker.Connected += (_, _) =>
        {
            if (Interlocked.Increment(ref blockerConnects) == 2)
            {
                // Holds the shared client's event loop after the reconnect, before it reaches the other service's handler.
                blocking.TrySetResult();
                gate.Wait(TimeSpan.FromSeconds(10));
            }
        };
        var blockerDownTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blockerDowns = 0;
        blocker.Disconnected += (_, _) =>
        {
            if (Interlocked.Increment(ref blockerDowns) == 2)
            {
                blockerDownTwice.TrySetResult();
            }
        };
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Disconnected += (_, _) => down.TrySetResult();

        await using var b = Start(blocker, out _);
        await blockerEvents.Connected.Task.WaitAsync(PipelineHarness.Timeout); // the blocker subscribed first
        await using var a = Start(service, out _);
        await events.Connected.Task.WaitAsync(PipelineHarness.Timeout);
        await down.Task.WaitAsync(PipelineHarness.Timeout); // the server closed the shared socket
        _emulator.Options.Faults.CloseAfterIdle = null;
        await blocking.Task.WaitAsync(PipelineHarness.Timeout); // reconnected; the loop is inside the blocker's handler

        await a.EndAsync();
        var connectsAtEnd = Volatile.Read(ref events.Connects);
        var disconnectsAtEnd = Volatile.Read(ref events.Disconnects);
        gate.Set();

        // Events come in order on one loop: once the blocker hears the socket drop again, the loop has long passed the
        // reconnect's Connected, which it delivered to the ended service's handler too (it had copied the handler list).
        // (The fault is read when the emulator's writer wakes, so a turn on the blocker wakes it.)
        _emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(300);
        b.Queue(new TtsSpeakFrame("Wake up."));
        await blockerDownTwice.Task.WaitAsync(PipelineHarness.Timeout);
        _emulator.Options.Faults.CloseAfterIdle = null;

        Assert.Equal(1, connectsAtEnd);
        Assert.Equal(1, disconnectsAtEnd);
        Assert.Equal(connectsAtEnd, Volatile.Read(ref events.Connects));
        Assert.Equal(disconnectsAtEnd, Volatile.Read(ref events.Disconnects));
    }

    [Fact]
    public async Task ReadmeExample_ManyPipelinesOnePool_RunsAndIsShownVerbatim()
    {
        var emulator = _emulator;
        var wavs = Enumerable.Range(0, 3).Select(_ => new MemoryStream()).ToArray();
        string[] lines = ["One.", "Two.", "Three."];

        // --- the example ---
        await using var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { MaxLeasesPerConnection = 16 });
        var runs = lines.Select(async (line, i) =>
        {
            var tts = new AsyncAITtsService(pool, new AsyncAITtsServiceOptions
            {
                ApiKey = "sk_emulator", // in an application: Environment.GetEnvironmentVariable("ASYNCAI_API_KEY")
                VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04",
                Url = emulator.WebSocketUrl, // omit for wss://api.async.com/text_to_speech/websocket/ws
            });
            var task = new PipelineTask(new Pipeline(tts, new WavFileSink(wavs[i], leaveOpen: true)));
            task.QueueFrames([new TtsSpeakFrame(line), new EndFrame()]);
            await new PipelineRunner().RunAsync(task);
        });
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(10));
        // --- end of example ---

        Assert.All(wavs, wav => Assert.True(wav.Length > WavFileSink.HeaderSize));
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);

        var shown = Assert.Single(ReadmeExamples.InServicesTest(nameof(AsyncAITtsServiceConnectionPoolTests) + ".cs"));
        var readme = ReadmeExamples.Readme();
        Assert.Contains("```csharp\n" + shown + "\n```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullPool_Throws()
    {
        Assert.Throws<ArgumentNullException>("connectionPool", () => new AsyncAITtsService(null!, Options()));
    }

    private static void AssertOwnAudio(PipelineHarness harness, string context, string transcript, PcmStreamSink sink)
    {
        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().ToList();
        Assert.All(audio, f => Assert.Equal(context, f.ContextId));
        Assert.Equal(EmulatorAudio.ExpectedByteCount(transcript, 24000, AudioEncodings.PcmS16Le, new EmulatorOptions().SecondsPerCharacter), audio.Sum(f => f.Audio.Length));
        Assert.Equal(audio.Sum(f => f.Audio.Length), sink.BytesWritten);
    }

    private static PipelineHarness Start(AsyncAITtsService tts, out PcmStreamSink sink)
    {
        sink = new PcmStreamSink(new MemoryStream());
        return PipelineHarness.Start([tts, sink]);
    }

    private Task<EmulatorEvent> WaitForCloseContextAsync(string context) =>
        _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context, PipelineHarness.Timeout);

    private (AsyncAITtsService Service, ServiceEvents Events) CreateService(AsyncAIWebSocketConnectionPool pool)
    {
        var service = new AsyncAITtsService(pool, Options());
        var events = new ServiceEvents();
        service.Connected += (_, _) =>
        {
            Interlocked.Increment(ref events.Connects);
            events.Connected.TrySetResult();
        };
        service.Disconnected += (_, _) => Interlocked.Increment(ref events.Disconnects);
        return (service, events);
    }

    private AsyncAITtsServiceOptions Options(Action<AsyncAITtsServiceOptions>? configure = null)
    {
        var options = new AsyncAITtsServiceOptions
        {
            ApiKey = "sk_test",
            VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Url = _emulator.WebSocketUrl,
        };
        configure?.Invoke(options);
        return options;
    }

    private sealed class ServiceEvents
    {
        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

#pragma warning disable SA1401 // counters incremented with Interlocked
        public int Connects;

        public int Disconnects;
#pragma warning restore SA1401
    }
}
