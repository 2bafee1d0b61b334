using System.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Tests.Tracing;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>
/// The WebSocket client's spans, against an emulator of each test's own (its port tells this test's spans from those of
/// tests running in parallel).
/// </summary>
public sealed class AsyncAIWebSocketClientTracingTests : IAsyncLifetime
{
    private const string Text = "Every context is one span, from its creation to its end.";

    private AsyncAIEmulator _emulator = null!;

    private int Port => _emulator.WebSocketUrl.Port;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Context_CompletedWithFinal_ExactlyOneStoppedSpanWithItsAttributes_NeverTheAmbientSpan()
    {
        using var spans = new SpanCollector();
        using var caller = SpanCollector.Ambient.StartActivity("caller")!;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();

        var context = client.CreateContext("trace-final-" + Guid.NewGuid().ToString("N"));
        Assert.Same(caller, Activity.Current); // the context's span runs alongside the caller's work, not around it
        Assert.NotNull(context.Span);
        await context.SendTextAsync(Text);
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        var (audio, _) = await reading;
        await context.DisposeAsync();
        Assert.Same(caller, Activity.Current);

        bool OfContext(Activity a) => SpanCollector.IsOurs(a) && Equals(a.GetTagItem("asyncai.context.id"), context.Id);
        Assert.Single(spans.Started(OfContext));
        var span = Assert.Single(spans.Stopped(OfContext));
        Assert.Null(context.Span);
        SpanCollector.AssertSynthesisSpan(span, VoiceId, _emulator.WebSocketUrl.Host);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(caller.TraceId, span.TraceId);
        Assert.Equal(caller.SpanId, span.ParentSpanId);
        Assert.Equal(Port, span.GetTagItem("server.port"));
        Assert.Equal("final", span.GetTagItem("asyncai.context.end_reason"));
        Assert.Equal(context.CharactersSent, span.GetTagItem("asyncai.tts.characters"));
        Assert.Equal(Text.Length + 1, context.CharactersSent); // sentence mode appends the one space
        Assert.Equal(ExpectedBytes(Text, _emulator), audio.Length);
        Assert.Equal(audio.Length / (2.0 * 24000), Assert.IsType<double>(span.GetTagItem("asyncai.tts.audio.duration")), 6);
        Assert.Equal(1, span.GetTagItem("asyncai.websocket.connection.number"));
        Assert.Null(span.GetTagItem("error.type"));

        var connect = Assert.Single(spans.StoppedOn(Port), a => a.OperationName == "asyncai.websocket.connect");
        Assert.Equal(ActivityStatusCode.Unset, connect.Status);
        Assert.Equal(caller.SpanId, connect.ParentSpanId);
        Assert.Equal(client.RedactedUrl, connect.GetTagItem("url.full"));
        Assert.Equal(1, connect.GetTagItem("asyncai.websocket.connection.number"));
        Assert.Null(connect.GetTagItem("asyncai.websocket.reconnect.attempt"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Listener_ThrowsFromStartOrStop_ConnectsAndContextsStillWorkAndItIsLogged(bool throwOnStart)
    {
        // Only this test's spans: every listener sees every test's, so it throws for one trace only.
        using var spans = new SpanCollector();
        using var caller = SpanCollector.Ambient.StartActivity("caller with a broken listener")!;
        var trace = caller.TraceId;
        using var broken = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AsyncAI.TextToSpeech.Diagnostics.AsyncAITelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a => { if (throwOnStart && a.TraceId == trace) { throw new InvalidOperationException("listener bug"); } },
            ActivityStopped = a => { if (!throwOnStart && a.TraceId == trace) { throw new InvalidOperationException("listener bug"); } },
        };
        ActivitySource.AddActivityListener(broken);
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.LoggerFactory = loggerFactory));

        await client.ConnectAsync();
        for (var turn = 0; turn < 2; turn++)
        {
            var context = client.CreateContext();
            await context.SendTextAsync(Text);
            var reading = ReadAllAsync(context);
            await Within(context.CompleteAsync(), "completion");
            Assert.Equal(ExpectedBytes(Text, _emulator), (await Within(reading, "the audio")).Audio.Length);
            await Within(context.Ended, "the context's end");
            await context.DisposeAsync();
        }

        Assert.Same(caller, Activity.Current);
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);
        var warnings = logs.GetSnapshot().Where(r => r.Exception is InvalidOperationException { Message: "listener bug" }).ToList();
        Assert.Equal(3, warnings.Count); // the connect span and the two context spans
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
    }

    [Fact]
    public async Task Listener_StopCallbackWaitsForAnotherThreadThatReadsTheContext_NoThreadIsLeftWaitingForTheContextsLock()
    {
        // An exporter's ActivityStopped may hand the span to another thread and wait for it; that thread may read the
        // context (here its State, which takes the context's lock). Stopped under that lock, the span would hold the
        // other thread until the wait gave up: on the receive loop (final), the caller's thread (interrupt) and the
        // disposing thread (failure) alike.
        var watched = new System.Collections.Concurrent.ConcurrentDictionary<string, AsyncAIWebSocketContext>();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Id, bool ReadInTime, AsyncAIContextState State)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AsyncAI.TextToSpeech.Diagnostics.AsyncAITelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem("asyncai.context.id") is string id && watched.TryGetValue(id, out var context))
                {
                    var state = AsyncAIContextState.Created;
                    var reader = new Thread(() => state = context.State) { IsBackground = true };
                    reader.Start();
                    seen.Enqueue((id, reader.Join(TimeSpan.FromSeconds(5)), state));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        AsyncAIWebSocketContext completed, interrupted, failed;
        try
        {
            await client.ConnectAsync();
            completed = client.CreateContext();
            interrupted = client.CreateContext();
            failed = client.CreateContext();
            foreach (var context in new[] { completed, interrupted, failed })
            {
                watched[context.Id] = context;
            }

            await completed.SendTextAsync("Short.");
            var reading = ReadAllAsync(completed);
            await Within(completed.CompleteAsync(), "completion");
            await reading;
            await interrupted.InterruptAsync();
        }
        finally
        {
            await client.DisposeAsync();
        }

        await Within(failed.Ended, "the failed context's end");
        Assert.Equal(
            new[] { (completed.Id, true, AsyncAIContextState.Completed), (interrupted.Id, true, AsyncAIContextState.Interrupted), (failed.Id, true, AsyncAIContextState.Faulted) },
            seen.ToArray());
    }

    [Fact]
    public async Task Context_Interrupted_SpanSaysSoAndEndingItLeavesTheCallersCurrentSpanAlone()
    {
        _emulator.Options.PacingRate = 1;
        using var spans = new SpanCollector();
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        using var creator = SpanCollector.Ambient.StartActivity("creator")!;
        var context = client.CreateContext();
        await context.SendTextAsync(Text);
        await using (var audio = context.ReadAudioAsync().GetAsyncEnumerator())
        {
            Assert.True(await Within(audio.MoveNextAsync().AsTask(), "the first audio"));
        }

        // Activity.Stop sets Activity.Current to the stopped span's parent; ending a context on the caller's thread must not.
        using var other = SpanCollector.Ambient.StartActivity("other work")!;
        await context.InterruptAsync();
        Assert.Same(other, Activity.Current);

        var span = Assert.Single(spans.Stopped(a => SpanCollector.IsOurs(a) && Equals(a.GetTagItem("asyncai.context.id"), context.Id)));
        Assert.Equal(creator.SpanId, span.ParentSpanId);
        Assert.Equal("interrupted", span.GetTagItem("asyncai.context.end_reason"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Null(span.GetTagItem("error.type"));
        var seconds = Assert.IsType<double>(span.GetTagItem("asyncai.tts.audio.duration"));
        Assert.InRange(seconds, 0.0001, (ExpectedBytes(Text, _emulator) / (2.0 * 24000)) - 0.5);
        Assert.NotNull(span.GetTagItem("asyncai.tts.time_to_first_audio"));
    }

    [Fact]
    public async Task Context_EveryWayOfFailing_EndsItsSpanExactlyOnceWithErrorStatus()
    {
        _emulator.Options.Faults.CloseAbruptlyMidContext = true;
        using var spans = new SpanCollector();
        var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Reconnect.Enabled = false));
        var contexts = new List<AsyncAIWebSocketContext>();
        try
        {
            await client.ConnectAsync();
            var streaming = client.CreateContext(); // fails with its socket
            var idle = client.CreateContext(); // fails when the session ends (no reconnect)
            contexts.AddRange([streaming, idle]);
            await streaming.SendTextAsync(Text);
            await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(streaming));
            await Within(idle.Ended, "the idle context's end");

            var afterwards = client.CreateContext(); // fails when the client is disposed
            contexts.Add(afterwards);
            await client.DisposeAsync();
            await Within(afterwards.Ended, "the last context's end");
            foreach (var context in contexts)
            {
                await context.DisposeAsync(); // an interrupt after the end changes nothing
            }
        }
        finally
        {
            await client.DisposeAsync();
        }

        foreach (var context in contexts)
        {
            bool OfContext(Activity a) => SpanCollector.IsOurs(a) && Equals(a.GetTagItem("asyncai.context.id"), context.Id);
            Assert.Single(spans.Started(OfContext));
            var span = Assert.Single(spans.Stopped(OfContext));
            Assert.Equal(AsyncAIContextState.Faulted, context.State);
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal(context.Error!.Message, span.StatusDescription);
            Assert.Equal("connectivity", span.GetTagItem("error.type"));
            Assert.Equal("failed", span.GetTagItem("asyncai.context.end_reason"));
        }
    }

    [Fact]
    public async Task Reconnect_ConnectSpanIsARootOfItsOwn_NotAChildOfWhateverCalledConnectAsync()
    {
        _emulator.Options.Faults.CloseAbruptlyMidContext = true;
        using var spans = new SpanCollector();
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10)));
        client.Disconnected += (_, _) => _emulator.Options.Faults.CloseAbruptlyMidContext = false;

        // Still running when the socket is replaced, so only the supervisor's own reset keeps it from being the parent.
        using var caller = SpanCollector.Ambient.StartActivity("startup")!;
        await client.ConnectAsync();
        var context = client.CreateContext();
        await context.SendTextAsync(Text);
        await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(context));

        var reconnect = await spans.WaitForStoppedAsync(
            a => SpanCollector.IsOurs(a) && SpanCollector.HasPort(a, Port) && Equals(a.GetTagItem("asyncai.websocket.connection.number"), 2),
            "the reconnect's span");
        Assert.Equal("asyncai.websocket.connect", reconnect.OperationName);
        Assert.Equal(1, reconnect.GetTagItem("asyncai.websocket.reconnect.attempt"));
        Assert.Equal(default, reconnect.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, reconnect.Status);
        var first = Assert.Single(spans.StoppedOn(Port), a => a.OperationName == "asyncai.websocket.connect" && Equals(a.GetTagItem("asyncai.websocket.connection.number"), 1));
        Assert.Equal(caller.SpanId, first.ParentSpanId);
        Assert.False(caller.IsStopped);
    }

    [Fact]
    public async Task EventHandlers_DoNotRunUnderTheSpanThatWasCurrentWhenTheClientWasConstructed()
    {
        using var spans = new SpanCollector();
        AsyncAIWebSocketClient client;
        using (SpanCollector.Ambient.StartActivity("constructing the client"))
        {
            client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        }

        await using (client)
        {
            using var caller = SpanCollector.Ambient.StartActivity("connecting")!;
            var seen = new TaskCompletionSource<Activity?>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.Connected += (_, _) => seen.TrySetResult(Activity.Current);
            await client.ConnectAsync();
            Assert.Null(await Within(seen.Task, "the Connected event"));
        }
    }

    [Fact]
    public async Task ConnectAsync_KeyRefused_ConnectSpanHasErrorStatusAndTheKeyNowhere()
    {
        const string Key = "sk_trace+refused/key=secret";
        _emulator.Options.ApiKeys.Add("sk_the_only_valid_key");
        using var spans = new SpanCollector();
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.ApiKey = Key));

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.ConnectAsync());

        var span = Assert.Single(spans.StoppedOn(Port));
        Assert.Equal("asyncai.websocket.connect", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(error.Message, span.StatusDescription);
        Assert.Equal("authentication", span.GetTagItem("error.type"));
        Assert.Equal(401, span.GetTagItem("http.response.status_code"));
        Assert.Contains("api_key=REDACTED", (string)span.GetTagItem("url.full")!, StringComparison.Ordinal);

        // The handshake's own HTTP span (HttpClient's, which redacts the query) hangs under the attempt's.
        var handshake = Assert.Single(spans.HttpChildrenOf(span));
        Assert.Equal(401, handshake.GetTagItem("http.response.status_code"));
        foreach (var text in SpanCollector.Texts(span).Concat(SpanCollector.Texts(handshake)))
        {
            Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(Key), text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        }
    }
}
