using System.Diagnostics;
using System.Runtime.ExceptionServices;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.Testing;
using AsyncAI.TextToSpeech.WebSockets;
using AsyncAI.TextToSpeech.WebSockets.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public sealed class AsyncAIWebSocketClientFaultTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task DeadPeer_NetworkBlackHole_DetectedByPingWithinIntervalPlusTimeout()
    {
        await using var proxy = new BlackHoleProxy(_emulator.WebSocketUrl);
        var interval = TimeSpan.FromMilliseconds(500);
        var timeout = TimeSpan.FromMilliseconds(500);
        await using var client = new AsyncAIWebSocketClient(Options(proxy.Url, o =>
        {
            o.PingInterval = interval;
            o.KeepAliveTimeout = timeout;
            o.ResponseTimeout = Timeout.InfiniteTimeSpan;
            o.Reconnect.Enabled = false;
        }));
        var disconnected = new TaskCompletionSource<AsyncAIConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) => disconnected.TrySetResult(e);
        await client.ConnectAsync();
        var context = client.CreateContext();
        _emulator.Options.PacingRate = 1;
        await context.SendTextAsync("A long sentence that keeps streaming while the network path goes dark.");
        await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
        Assert.True(await Within(audio.MoveNextAsync().AsTask(), "first audio"));

        proxy.BlackHole = true;
        var started = Stopwatch.GetTimestamp();
        var ex = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            while (await audio.MoveNextAsync())
            {
            }
        }).WaitAsync(Patience);
        var detectedAfter = Stopwatch.GetElapsedTime(started);

        // Scheduling slack on a loaded machine on top of the designed bound.
        Assert.True(detectedAfter <= interval + timeout + TimeSpan.FromMilliseconds(750), $"detected after {detectedAfter.TotalMilliseconds:F0} ms");
        Assert.Equal(AsyncAIErrorCategory.Connectivity, ex.Category);
        Assert.Contains("characters had been sent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never voiced", ex.Message, StringComparison.Ordinal);
        Assert.NotNull((await Within(disconnected.Task, "Disconnected")).Error);
    }

    [Fact]
    public async Task DeadPeer_EmulatorBlackHole_DetectedWithinResponseTimeoutOfTheNextText()
    {
        // PINGs are off, so only the response watchdog can see the black hole (which swallows PONGs too): a server that
        // answers PINGs but no messages would look the same.
        var responseTimeout = TimeSpan.FromMilliseconds(1000);
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.ResponseTimeout = responseTimeout;
            o.PingInterval = Timeout.InfiniteTimeSpan;
            o.Reconnect.Enabled = false;
        }));
        await client.ConnectAsync();

        // A first context warms up the emulator (JIT) so that its first answer cannot look like a stall on a loaded machine.
        var warmup = client.CreateContext();
        await warmup.SendTextAsync("Warm up.");
        var warming = ReadAllAsync(warmup);
        await Within(warmup.CompleteAsync(), "the warm-up context");
        await warming;
        _emulator.Options.PacingRate = 1;
        var streaming = client.CreateContext();
        await streaming.SendTextAsync("A long sentence that is still streaming when the server stops answering.");
        await using var audio = streaming.ReadAudioAsync().GetAsyncEnumerator();
        Assert.True(await Within(audio.MoveNextAsync().AsTask(), "first audio"));

        _emulator.Options.Faults.BlackHole = true;
        var next = client.CreateContext();
        var started = Stopwatch.GetTimestamp();
        await next.SendTextAsync("The next sentence goes into the void.");
        var ex = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            while (await audio.MoveNextAsync())
            {
            }
        }).WaitAsync(Patience);
        var detectedAfter = Stopwatch.GetElapsedTime(started);

        // The watchdog looks four times per ResponseTimeout; plus scheduling slack on a loaded machine.
        Assert.True(detectedAfter <= (responseTimeout * 1.25) + TimeSpan.FromMilliseconds(750), $"detected after {detectedAfter.TotalMilliseconds:F0} ms");
        Assert.Contains("stopped answering", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never voiced", ex.Message, StringComparison.Ordinal);
        Assert.Equal(AsyncAIContextState.Faulted, next.State);
    }

    [Fact]
    public async Task DeadPeer_KeepaliveWriteFailsAfterTheWatchdogAborted_EveryReportNamesTheWatchdog()
    {
        // One advance of fake time trips the watchdog, which aborts the socket, and then makes the keepalive due (kept
        // on, at its default interval): the send loop's write of it fails on the aborted socket. That failure is a
        // consequence; the first cause, the silence, must be what the context, the events and the permanent error
        // report. Which loop ends first is the thread pool's choice, so the test pins the order that lost the watchdog's
        // reason: the receive loop is held inside the receiver's OnAudio (to the client the server has gone silent:
        // nothing more is read) until the keepalive's write has thrown, seen as a first-chance exception since nothing
        // else reports it before the connection ends. PINGs are off (they run on real time); one short-lived connection
        // makes the end permanent, so ConnectionError and PermanentError report it too.
        var time = new FakeTimeProvider();

        // Paced, so chunks keep coming after the text's send is recorded: unpaced, all of them could arrive before that
        // (a loaded machine delays the sender after its write), pass the receiver unheld, and leave nothing to hold.
        _emulator.Options.PacingRate = 1;
        var options = Options(_emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.PingInterval = Timeout.InfiniteTimeSpan;
            o.Reconnect.MaxShortLivedConnections = 1;
            o.Reconnect.MinHealthyConnectionLifetime = TimeSpan.FromHours(1);
        });
        Assert.True(options.KeepAliveInterval >= options.ResponseTimeout * 1.25, "the keepalive must fall due after the watchdog has tripped");
        await using var client = new AsyncAIWebSocketClient(options);
        var disconnected = new TaskCompletionSource<AsyncAIException?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connectionError = new TaskCompletionSource<AsyncAIException?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, e) => disconnected.TrySetResult(e.Error);
        client.ConnectionError += (_, e) => connectionError.TrySetResult(e.Error);
        var writeFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is ObjectDisposedException { ObjectName: { } name } && name.Contains("WebSocket", StringComparison.Ordinal))
            {
                writeFailed.TrySetResult();
            }
        }

        await client.ConnectAsync();
        var context = client.CreateContext();
        var receiver = new HoldingReceiver(context);
        context.DeliverAudioTo(receiver);
        await context.SendTextAsync("Its first chunk is the last thing the client reads.");
        await Within(receiver.Holding, "the receive loop to be held");
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
        try
        {
            time.Advance(options.KeepAliveInterval);
            await Within(writeFailed.Task, "the keepalive's write on the aborted socket to fail");
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
            receiver.Release();
        }

        var contextError = await Within(receiver.Ended, "the context's failure");
        var disconnectReason = await Within(disconnected.Task, "Disconnected");
        var reported = await Within(connectionError.Task, "ConnectionError");

        const string Silence = "stopped answering";
        Assert.Contains(Silence, contextError!.Message, StringComparison.Ordinal);
        Assert.Contains(Silence, disconnectReason!.Message, StringComparison.Ordinal);
        Assert.Contains(Silence, reported!.Message, StringComparison.Ordinal);
        Assert.Same(reported, client.PermanentError);
        Assert.Equal(AsyncAIContextState.Faulted, context.State);
    }

    [Fact]
    public async Task Reconnect_ServerClosesIdleSocket_NextContextSucceedsOnTheNewSocket()
    {
        using var reconnects = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.reconnects");
        _emulator.Options.IdleTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        var timeoutError = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            if (e.Error!.ErrorCode == "TIMEOUT")
            {
                timeoutError.TrySetResult(e.Error);
            }
        };
        client.Disconnected += (_, _) => _emulator.Options.IdleTimeout = TimeSpan.FromSeconds(60);
        client.Connected += (_, e) =>
        {
            if (e.ConnectionNumber == 2)
            {
                reconnected.TrySetResult();
            }
        };

        await client.ConnectAsync();
        var error = await Within(timeoutError.Task, "the server's TIMEOUT error");
        await Within(reconnected.Task, "the reconnect");
        var context = client.CreateContext();
        await context.SendTextAsync("After the reconnect.");
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion");
        var (audio, _) = await reading;

        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.Equal(ExpectedBytes("After the reconnect.", _emulator), audio.Length);
        Assert.Equal(2, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);
        Assert.True(reconnects.GetMeasurementSnapshot().Sum(m => m.Value) >= 1, "the reconnect is counted");
    }

    [Fact]
    public async Task Reconnect_AbruptCloseMidStream_ReaderGetsErrorAndIdleContextCarriesOn()
    {
        _emulator.Options.Faults.CloseAbruptlyMidContext = true;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, _) => _emulator.Options.Faults.CloseAbruptlyMidContext = false;
        client.Connected += (_, e) =>
        {
            if (e.ConnectionNumber == 2)
            {
                reconnected.TrySetResult();
            }
        };
        await client.ConnectAsync();
        var idle = client.CreateContext();
        var streaming = client.CreateContext();

        await streaming.SendTextAsync("This stream is cut after its first chunk.");
        var ex = await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(streaming));
        await Within(reconnected.Task, "the reconnect");
        await idle.SendTextAsync("The idle context survives.");
        var reading = ReadAllAsync(idle);
        await Within(idle.CompleteAsync(), "the idle context's completion");
        var (audio, _) = await reading;

        Assert.Equal(AsyncAIErrorCategory.Connectivity, ex.Category);
        Assert.Contains("never voiced", ex.Message, StringComparison.Ordinal);
        Assert.Equal(AsyncAIContextState.Faulted, streaming.State);
        Assert.Equal(ExpectedBytes("The idle context survives.", _emulator), audio.Length);
    }

    [Fact]
    public async Task ConnectAsync_Handshake401_OneAttemptAndClientUnusable()
    {
        _emulator.Options.ApiKeys.Add("sk_the_only_valid_key");
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));

        var ex = await Assert.ThrowsAsync<AsyncAIException>(() => client.ConnectAsync());

        Assert.Equal(AsyncAIErrorCategory.Authentication, ex.Category);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("API key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, ex.Message, StringComparison.Ordinal);
        Assert.Equal(AsyncAIWebSocketState.Failed, client.State);
        Assert.Same(ex, client.PermanentError);
        await Assert.ThrowsAsync<AsyncAIException>(() => client.ConnectAsync());
        Assert.Throws<AsyncAIException>(() => client.CreateContext());
        Assert.Equal(1, _emulator.Journal.HandshakesRejected);
    }

    [Fact]
    public async Task Reconnect_Handshake401OnReconnect_NoRetryAndClientUnusable()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10)));
        var failed = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            if (e.Error!.Category == AsyncAIErrorCategory.Authentication)
            {
                failed.TrySetResult(e.Error);
            }
        };
        await client.ConnectAsync();
        _emulator.Options.Faults.RejectHandshakeStatus = 401;
        _emulator.Options.Faults.CloseAbruptlyMidContext = true;
        var context = client.CreateContext();
        await context.SendTextAsync("Cut, then the key is refused.");

        var error = await Within(failed.Task, "the refused reconnect");
        await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(context));

        Assert.Equal(401, error.StatusCode);
        Assert.Equal(AsyncAIWebSocketState.Failed, client.State);
        Assert.Equal(1, _emulator.Journal.HandshakesRejected);
    }

    [Fact]
    public async Task ServerRejectsSession_InvalidLanguageInInit_NoReconnectAndClientUnusable()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.Language = "klingon";
            o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10);
        }));
        var error = await ConnectExpectingErrorAsync(client, "the permanent failure", e => e.Message.Contains("gave up for good", StringComparison.Ordinal));

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal("INVALID_LANGUAGE", error.ErrorCode);
        Assert.Equal(AsyncAIWebSocketState.Failed, client.State);
        Assert.Throws<AsyncAIException>(() => client.CreateContext());
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task ServerErrorEchoesTheApiKey_ReportedErrorIsRedacted()
    {
        // A server may echo what it was sent; here the unknown voice id the emulator echoes is the key itself.
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.VoiceId = ApiKey;
            o.Reconnect.Enabled = false;
        }));
        var error = await ConnectExpectingErrorAsync(client, "the rejection");

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Contains("REDACTED", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerRejectsSession_CallerDisconnectsOnTheError_LaterSendsReportTheRejection()
    {
        // What a pipeline service does: it stops the socket as soon as the rejection is reported, so the supervisor
        // never records a permanent error. A send after that must still say why, not "not connected".
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Language = "klingon"));
        var rejection = await ConnectExpectingErrorAsync(client, "the rejection");
        await client.DisconnectAsync();

        // Either the supervisor saw the close first (the client failed for good and CreateContext says so) or the
        // disconnect came first (no permanent error; the send finds no session): both must name the rejection.
        var error = await Assert.ThrowsAsync<AsyncAIException>(async () => await client.CreateContext().SendTextAsync("Hello."));

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal("INVALID_LANGUAGE", error.ErrorCode);
        Assert.Contains(rejection, Chain(error));
    }

    [Fact]
    public async Task ServerRejectsSession_CallerDisconnectsBeforeTheServerCloses_ContextNotYetOnTheSocketFailsWithTheRejection()
    {
        // What a pipeline service does, in the order a loaded machine sometimes produces: the rejection arrives while a
        // turn's context exists but has not bound to the socket yet (created, or its text still queued), the service
        // stops the socket on the rejection, and that stop reaches the supervisor before the server's close does. The
        // context must fail with the rejection, not with a generic "disconnected" error that the service cannot tie to
        // the rejection it already reported (it became a second ErrorFrame). This server never closes first.
        await using var server = new SessionRejectingServer();
        await using var client = new AsyncAIWebSocketClient(Options(server.Url, o => o.Language = "klingon"));
        var rejected = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) => rejected.TrySetResult(e.Error!);
        await client.ConnectAsync();
        await Within(server.InitReceived, "the init");
        var context = client.CreateContext();

        server.Reject();
        var rejection = await Within(rejected.Task, "the rejection");
        Assert.Equal(AsyncAIContextState.Created, context.State);
        await client.DisconnectAsync();
        await Within(server.ClientClosed, "the client's close");

        Assert.Equal(AsyncAIContextState.Faulted, context.State);
        var error = context.Error!;
        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal("INVALID_LANGUAGE", error.ErrorCode);
        Assert.Contains(rejection, Chain(error));

        // No permanent failure on this path: the caller disconnected, and may connect again.
        Assert.Equal(AsyncAIWebSocketState.Disconnected, client.State);
        Assert.Null(client.PermanentError);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    [Fact]
    public async Task Reconnect_ThreeConnectionsDyingQuickly_PermanentError()
    {
        _emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(100);
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10)));
        var permanent = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            if (e.Error!.Message.Contains("gave up for good", StringComparison.Ordinal))
            {
                permanent.TrySetResult(e.Error);
            }
        };

        await client.ConnectAsync();
        var error = await Within(permanent.Task, "the permanent error");

        Assert.Equal(AsyncAIWebSocketState.Failed, client.State);
        Assert.Same(error, client.PermanentError);
        Assert.StartsWith("3 connections in a row", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _emulator.Journal.ConnectionsAccepted);
        Assert.Throws<AsyncAIException>(() => client.CreateContext());
    }

    [Theory]
    [InlineData("malformed-json", ProtocolErrorCodes.MalformedJson)]
    [InlineData("invalid-base64", ProtocolErrorCodes.InvalidBase64)]
    [InlineData("odd-length-chunk", ProtocolErrorCodes.OddLengthAudio)]
    public async Task Receive_BrokenAudioMessage_ReportedAlignedAndConnectionAlive(string fault, string expectedCode)
    {
        await using var client = new AsyncAIWebSocketClient(Options(WithFaults(_emulator.WebSocketUrl, fault)));
        var reported = new System.Collections.Concurrent.ConcurrentQueue<AsyncAIException>();
        var firstReport = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            reported.Enqueue(e.Error!);
            firstReport.TrySetResult();
        };
        await client.ConnectAsync();
        var context = client.CreateContext();
        const string Text = "Broken messages arrive in this stream of audio.";

        await context.SendTextAsync(Text);
        var reading = ReadAllAsync(context);
        await Within(context.CompleteAsync(), "completion despite a broken message");
        var (audio, sizes) = await reading;
        var after = client.CreateContext();
        await after.SendTextAsync("The socket is still fine.");
        var readingAfter = ReadAllAsync(after);
        await Within(after.CompleteAsync(), "a second context on the same socket");
        var (audioAfter, _) = await readingAfter;

        Assert.All(sizes, size => Assert.Equal(0, size % 2));
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), audio.Length);
        if (expectedCode == ProtocolErrorCodes.OddLengthAudio)
        {
            // The odd byte is held back and joined to the next chunk: nothing is lost and the tone stays continuous.
            Assert.Equal(ExpectedBytes(Text, _emulator), audio.Length);
            AssertContinuousTone(audio);
        }
        else
        {
            Assert.True(audio.Length < ExpectedBytes(Text, _emulator), "the broken message's audio is lost");
        }

        // Events come through the client's event loop, which may lag behind the audio on a loaded machine.
        await Within(firstReport.Task, "the broken message's ConnectionError");
        var error = Assert.Single(reported);
        Assert.Equal(expectedCode, error.ErrorCode);
        Assert.Equal(AsyncAIErrorCategory.Protocol, error.Category);
        Assert.Equal(ExpectedBytes("The socket is still fine.", _emulator), audioAfter.Length);
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);
    }

    [Fact]
    public async Task DisposeAsync_ServerIgnoresTheClose_ReturnsWithinCloseTimeout()
    {
        await using var proxy = new BlackHoleProxy(_emulator.WebSocketUrl);
        var closeTimeout = TimeSpan.FromSeconds(1);
        var client = new AsyncAIWebSocketClient(Options(proxy.Url, o =>
        {
            o.CloseTimeout = closeTimeout;
            o.PingInterval = Timeout.InfiniteTimeSpan;
        }));
        await client.ConnectAsync();
        var context = client.CreateContext();
        _emulator.Options.PacingRate = 1;
        await context.SendTextAsync("Streaming while the client is disposed.");
        await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
        Assert.True(await Within(audio.MoveNextAsync().AsTask(), "first audio"));
        proxy.BlackHole = true;

        var started = Stopwatch.GetTimestamp();
        await client.DisposeAsync().AsTask().WaitAsync(Patience);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.True(elapsed <= closeTimeout + TimeSpan.FromMilliseconds(500), $"DisposeAsync took {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(elapsed >= closeTimeout - TimeSpan.FromMilliseconds(100), "the close was given its full timeout");
        Assert.Equal(AsyncAIWebSocketState.Disposed, client.State);
        await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            while (await audio.MoveNextAsync())
            {
            }
        });
    }

    [Fact]
    public async Task DisconnectAsync_HealthyServer_ClosesGracefullyAndCanConnectAgain()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();

        await client.DisconnectAsync();
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected), "the server to see the close");
        Assert.Equal(AsyncAIWebSocketState.Disconnected, client.State);
        Assert.Equal(AsyncAIContextState.Faulted, context.State);
        await client.ConnectAsync();
        var again = client.CreateContext();
        await again.SendTextAsync("Connected again.");
        var reading = ReadAllAsync(again);
        await Within(again.CompleteAsync(), "completion after reconnecting by hand");

        Assert.Equal(ExpectedBytes("Connected again.", _emulator), (await reading).Audio.Length);
        Assert.Contains(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Terminate);
    }

    [Theory]
    [InlineData("INVALID_LANGUAGE", "invalid_request", "INVALID_LANGUAGE")]
    [InlineData(null, "server", "other")]
    public async Task ServerError_ErrorMetricTaggedWithTheCategoryAndOnlyADocumentedCode(string? code, string category, string taggedCode)
    {
        // The server chooses its error codes: tagged as sent, each new one would be a new time series.
        var sent = code ?? "BESPOKE_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        using var errors = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.errors");
        await using var server = new SessionRejectingServer($$"""{"error_code":"{{sent}}","message":"no"}""");
        await using var client = new AsyncAIWebSocketClient(Options(server.Url));
        var rejected = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) => rejected.TrySetResult(e.Error!);
        await client.ConnectAsync();
        await Within(server.InitReceived, "the init");

        server.Reject();
        Assert.Equal(sent, (await Within(rejected.Task, "the rejection")).ErrorCode);
        await client.DisconnectAsync();

        // Other tests record on the same meter at the same time: what this one adds is found, not counted.
        var measurements = errors.GetMeasurementSnapshot();
        Assert.Contains(measurements, m => Equals(m.Tags["error.type"], category) && m.Tags.TryGetValue("asyncai.error.code", out var c) && Equals(c, taggedCode));
        if (code is null)
        {
            Assert.DoesNotContain(measurements, m => m.Tags.Values.Any(v => Equals(v, sent)));
        }
    }

    [Fact]
    public async Task ServerErrorCodeEchoesTheApiKey_LogsAndErrorCarryItRedacted()
    {
        // Every string a server sends is untrusted, the error code included: it is logged and becomes ErrorCode.
        var logs = new CapturingLoggerProvider();
        await using var server = new SessionRejectingServer($$"""{"error_code":"{{ApiKey}}","message":"no"}""");
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var client = new AsyncAIWebSocketClient(Options(server.Url, o => o.LoggerFactory = factory));
        var rejected = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) => rejected.TrySetResult(e.Error!);
        await client.ConnectAsync();
        await Within(server.InitReceived, "the init");

        server.Reject();
        var error = await Within(rejected.Task, "the rejection");
        await client.DisconnectAsync();

        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, error.ErrorCode ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, m => m.Contains("REDACTED", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, m => m.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logging_TraceLevelOverAWholeSession_NeverContainsTheApiKey()
    {
        var logs = new CapturingLoggerProvider();
        using (var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)))
        {
            var url = WithFaults(_emulator.WebSocketUrl, "malformed-json");
            await using var client = new AsyncAIWebSocketClient(Options(url, o =>
            {
                o.LoggerFactory = factory;
                o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(10);
            }));
            await client.ConnectAsync();
            var context = client.CreateContext();
            await context.SendTextAsync("Logged at trace level.");
            var reading = ReadAllAsync(context);
            await Within(context.CompleteAsync(), "completion");
            await reading;
            var interrupted = client.CreateContext();
            await interrupted.SendTextAsync("Interrupted.");
            await interrupted.InterruptAsync();
            _emulator.Options.Faults.CloseAbruptlyMidContext = true;
            var cut = client.CreateContext();
            await cut.SendTextAsync("Cut.");
            await Assert.ThrowsAsync<AsyncAIException>(() => ReadAllAsync(cut));
            _emulator.Options.Faults.CloseAbruptlyMidContext = false;
            await client.DisconnectAsync();
        }

        using (var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)))
        {
            _emulator.Options.ApiKeys.Add("sk_another_key");
            await using var refused = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o => o.LoggerFactory = factory));
            await Assert.ThrowsAsync<AsyncAIException>(() => refused.ConnectAsync());
        }

        Assert.True(logs.Entries.Count > 20, "a whole session logs plenty at trace level");
        Assert.Contains(logs.Entries, e => e.Contains("api_key=REDACTED", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Contains(ApiKey, StringComparison.Ordinal));
    }

    /// <summary>
    /// Connects a client the server will refuse and returns the first <c>ConnectionError</c> that matches. The refusal
    /// may close the socket before <c>ConnectAsync</c> returns, so its own outcome is not what counts.
    /// </summary>
    private static async Task<AsyncAIException> ConnectExpectingErrorAsync(AsyncAIWebSocketClient client, string what, Func<AsyncAIException, bool>? match = null)
    {
        var reported = new TaskCompletionSource<AsyncAIException>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            if (match?.Invoke(e.Error!) ?? true)
            {
                reported.TrySetResult(e.Error!);
            }
        };

        try
        {
            await client.ConnectAsync();
        }
        catch (AsyncAIException)
        {
            // see the summary
        }

        return await Within(reported.Task, what);
    }

    /// <summary>
    /// Holds the receive loop (its caller) inside <see cref="IContextAudioReceiver.OnAudio"/> on the first chunk that
    /// arrives while the context's text still waits for audio, until <see cref="Release"/>: from then on the client reads
    /// nothing, as when the server stops answering.
    /// </summary>
    private sealed class HoldingReceiver(AsyncAIWebSocketContext context) : IContextAudioReceiver
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<AsyncAIException?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Holding => _holding.Task;

        public Task<AsyncAIException?> Ended => _ended.Task;

        public void Release() => _release.TrySetResult();

        void IContextAudioReceiver.OnAudio(AudioChunk chunk)
        {
            // The chunk counts as voiced only after this returns, so the text is still waiting while the loop is held.
            // A chunk that overtook the sender's bookkeeping (nothing waiting yet) passes: the next one is held.
            if (context.UnvoicedSince != 0 && _holding.TrySetResult())
            {
                _release.Task.Wait(Patience);
            }
        }

        void IContextAudioReceiver.OnEnded(AsyncAIException? error) => _ended.TrySetResult(error);
    }
}
