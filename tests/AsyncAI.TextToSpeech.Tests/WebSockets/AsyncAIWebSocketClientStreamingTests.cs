using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public sealed class AsyncAIWebSocketClientStreamingTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task SendTextAsync_OneContext_ReceivesAllItsAudioInOrder()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();
        const string Text = "Hello from the WebSocket client.";

        await context.SendTextAsync(Text);
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        var (audio, sizes) = await reading;

        Assert.Equal(ExpectedBytes(Text, _emulator), audio.Length);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), audio.Length);
        Assert.All(sizes, size => Assert.Equal(0, size % 2));
        AssertContinuousTone(audio);
        Assert.Equal(AsyncAIContextState.Completed, context.State);
        var text = await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text && e.ContextId == context.Id), "the text event");
        Assert.Equal(Text + " ", text.Detail);
    }

    [Fact]
    public async Task SendTextAsync_ThreeConcurrentContexts_EachReceivesExactlyItsOwnAudioInOrder()
    {
        _emulator.Options.PacingRate = 20;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        string[] texts = ["First voice speaks here.", "Second one, a bit longer than the first.", "Third."];
        var contexts = texts.Select(_ => client.CreateContext()).ToArray();

        var runs = contexts.Select(async (context, i) =>
        {
            var reading = ReadAllAsync(context);
            await context.SendTextAsync(texts[i]);
            await context.CompleteAsync();
            return await reading;
        }).ToArray();
        var results = await Within(Task.WhenAll(runs), "three contexts to complete");

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(ExpectedBytes(texts[i], _emulator), results[i].Audio.Length);
            Assert.Equal(_emulator.Journal.AudioBytesSent(contexts[i].Id), results[i].Audio.Length);
            AssertContinuousTone(results[i].Audio);
        }

        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task SendTextAsync_SentenceAndTokenModes_ControlTheTrailingSpace()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();

        await context.SendTextAsync("Sentence with spaces.   \n");
        await context.SendTextAsync("Tok", TextInputMode.Token);
        await context.SendTextAsync("en", TextInputMode.Token);
        await context.SendTextAsync("   ");
        await context.SendTextAsync("", TextInputMode.Token);
        await context.FlushAsync();
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        await reading;

        var texts = _emulator.Journal.Snapshot().Where(e => e.ContextId == context.Id && e.Kind == EmulatorEventKind.Text).Select(e => e.Detail!).ToArray();
        Assert.Equal(["Sentence with spaces. ", "Tok", "en"], texts);
        Assert.Contains(_emulator.Journal.Snapshot(), e => e.ContextId == context.Id && e.Kind == EmulatorEventKind.Flush && e.Detail == "force=true");
    }

    [Fact]
    public async Task CompleteAsync_ServerSendsFinal_EndsStreamThenSendsCloseContext()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();

        await context.SendTextAsync("Completion by final.");
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion by final");
        var (audio, _) = await reading;

        Assert.Equal(AsyncAIContextState.Completed, context.State);
        Assert.Equal(ExpectedBytes("Completion by final.", _emulator), audio.Length);
        var close = await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context.Id), "close_context");
        var events = _emulator.Journal.Snapshot().Where(e => e.ContextId == context.Id).ToList();
        var endOfInput = Assert.Single(events, e => e.Kind == EmulatorEventKind.EndOfInput);
        var final = events.First(e => e.Kind == EmulatorEventKind.FinalSent);
        Assert.True(endOfInput.Sequence < final.Sequence, "the input ends with an empty transcript before final");
        Assert.True(final.Sequence < close.Sequence, "close_context is sent only after final");
    }

    [Fact]
    public async Task CompleteAsync_ServerWithholdsFinal_EndsAfterTheCompletionTimeout()
    {
        _emulator.Options.WithholdFinal = true;
        var time = new TimerWatchingTimeProvider();
        var timeout = TimeSpan.FromSeconds(4.7); // distinct from every other timer the client arms
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.ContextCompletionTimeout = timeout;
        }));
        await client.ConnectAsync();
        var context = client.CreateContext();
        const string Text = "Nobody sends final.";
        var expected = ExpectedBytes(Text, _emulator);

        await context.SendTextAsync(Text);
        var completion = context.CompleteAsync();
        long received = 0;
        await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
        while (received < expected)
        {
            Assert.True(await Within(audio.MoveNextAsync().AsTask(), "audio"));
            received += audio.Current.Audio.Length;
        }

        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.EndOfInput && e.ContextId == context.Id), "end of input");

        // The emulator can journal the end of input before the client's send loop has armed the timer: advancing the
        // clock before that would arm it in the future and the test would hang.
        await Within(time.WaitForTimerAsync(timeout), "the completion timer to be armed");
        Assert.Equal(AsyncAIContextState.Completing, context.State);
        Assert.False(completion.IsCompleted);

        time.Advance(timeout);

        await Within(completion, "completion by timeout");
        Assert.False(await Within(audio.MoveNextAsync().AsTask(), "the end of the stream"));
        Assert.Equal(AsyncAIContextState.Completed, context.State);
        Assert.Equal(expected, received);
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context.Id), "close_context after the timeout");
    }

    [Fact]
    public async Task KeepAlive_IdleSocket_SendsAsyncKeepAliveEveryInterval()
    {
        var time = new FakeTimeProvider();
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.TimeProvider = time));
        await client.ConnectAsync();
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init), "init");

        time.Advance(TimeSpan.FromSeconds(10));
        var first = await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Flush), "the first keepalive");
        time.Advance(TimeSpan.FromSeconds(10));
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Flush && e.Sequence > first.Sequence), "the second keepalive");

        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind is EmulatorEventKind.Text or EmulatorEventKind.CloseContext);
    }

    [Fact]
    public async Task KeepAlive_LongIntervalAfterText_SocketNeverSilentForAWholeInterval()
    {
        // KeepAliveInterval may be up to 55 s so that the service's 60 s idle timeout never fires. A message sent just
        // after a tick must therefore not let the socket stay silent until the tick after next (up to 2 × 55 s).
        var time = new FakeTimeProvider();
        var interval = TimeSpan.FromSeconds(55);
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.KeepAliveInterval = interval;
            o.ResponseTimeout = Timeout.InfiniteTimeSpan;
        }));
        await client.ConnectAsync();
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init), "init");

        time.Advance(TimeSpan.FromSeconds(1));
        var context = client.CreateContext();
        await context.SendTextAsync("Hello.");
        await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
        Assert.True(await Within(audio.MoveNextAsync().AsTask(), "the first audio"));

        time.Advance(interval - TimeSpan.FromSeconds(1)); // the first tick: text went out 54 s ago
        time.Advance(TimeSpan.FromSeconds(4)); // 58 s after the text, still inside the service's 60 s

        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Flush && e.ContextId != context.Id), "a keepalive within one interval of the last message");
    }

    [Fact]
    public async Task Connected_HandlerThrows_IsLoggedAndClientKeepsWorking()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.LoggerFactory = factory));
        var nextHandlerRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connected += (_, _) => throw new InvalidOperationException("handler bug");

        // Handlers run in order on the event loop, so this one runs after the failure above was caught and logged.
        client.Connected += (_, _) => nextHandlerRan.TrySetResult();

        await client.ConnectAsync();
        await Within(nextHandlerRan.Task, "the second Connected handler");
        var context = client.CreateContext();
        await context.SendTextAsync("Still works.");
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        var (audio, _) = await reading;

        Assert.Equal(ExpectedBytes("Still works.", _emulator), audio.Length);
        Assert.Contains(logs.Entries, e => e.Contains("event handler threw", StringComparison.Ordinal) && e.Contains("handler bug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerError_ForAContext_FailsThatContextWithTheCode()
    {
        _emulator.Options.MaxContextsPerConnection = 1;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var first = client.CreateContext();
        var second = client.CreateContext();

        await first.SendTextAsync("Occupies the only slot for a while, because this text is long enough.");
        await second.SendTextAsync("Rejected.");
        var ex = await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(second));

        Assert.Equal("TOO_MANY_CONTEXTS", ex.ErrorCode);
        Assert.Equal(AsyncAIContextState.Faulted, second.State);
        Assert.NotEqual(AsyncAIContextState.Faulted, first.State);
    }

    [Fact]
    public async Task ServerError_ForAContext_TheClientLetsGoOfIt()
    {
        // A context the server failed is over: the client must not keep it registered for its whole life (it did, so
        // a long-lived client leaked every such context, and its id stayed "still open").
        _emulator.Options.MaxContextsPerConnection = 1;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var first = client.CreateContext();
        await using var second = client.CreateContext();

        await first.SendTextAsync("Occupies the only slot for a while, because this text is long enough.");
        await second.SendTextAsync("Rejected.");
        await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(second));

        var again = client.CreateContext(second.Id);
        Assert.Equal(AsyncAIContextState.Created, again.State);
    }

    [Fact]
    public async Task ConnectAsync_Init_CarriesModelVoiceFormatAndNormalizedLanguage()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.Language = "de-DE";
            o.SampleRate = 16000;
        }));

        await client.ConnectAsync();
        var init = await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init), "init");

        Assert.Equal($"async_flash_v1.0 {VoiceId} raw/pcm_s16le/16000 de", init.Detail);
    }

    [Fact]
    public async Task SendTextAsync_NotConnected_ThrowsSayingToConnect()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        var context = client.CreateContext();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => context.SendTextAsync("x").AsTask());
        Assert.Contains("ConnectAsync", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateContext_DuplicateOpenId_Throws()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        client.CreateContext("same");

        Assert.Throws<InvalidOperationException>(() => client.CreateContext("same"));
    }

    [Fact]
    public async Task Metrics_OneContext_RecordsTimeToFirstAudioCharactersAndAudioSeconds()
    {
        using var ttfa = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<double>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.time_to_first_audio");
        using var characters = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.characters_sent");
        using var seconds = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<double>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.audio.duration");
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();

        await context.SendTextAsync("Measured.");
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        await reading;

        Assert.NotEmpty(ttfa.GetMeasurementSnapshot());
        Assert.True(characters.GetMeasurementSnapshot().Sum(m => m.Value) >= "Measured. ".Length);
        Assert.True(seconds.GetMeasurementSnapshot().Sum(m => m.Value) >= 0.45 - 1e-9);
    }
}
