using System.Collections.Concurrent;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Time.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>The push path (<see cref="AsyncAIWebSocketContext.DeliverAudioTo"/>) against the emulator.</summary>
public sealed class AsyncAIWebSocketContextReceiverTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task DeliverAudioTo_RegisteredBeforeText_GetsExactlyTheJournaledBytesInOrderThenEndedOnce()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var context = client.CreateContext();
        var receiver = new RecordingAudioReceiver();
        const string Text = "Pushed straight from the receive loop, chunk after chunk.";

        context.DeliverAudioTo(receiver);
        await context.SendTextAsync(Text);
        await Within(context.CompleteAsync(), "completion");
        Assert.Null(await Within(receiver.Ended, "the receiver's end"));
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context.Id), "close_context");

        var audio = receiver.Audio();
        Assert.Equal(ExpectedBytes(Text, _emulator), audio.Length);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), audio.Length);
        Assert.Equal(audio.Length, receiver.BytesAtEnd);
        Assert.True(receiver.Chunks.Count > 1, "the text spans several chunks");
        Assert.All(receiver.Chunks, c => Assert.Equal(context.Id, c.ContextId));
        Assert.All(receiver.Chunks, c => Assert.Equal(0, c.Audio.Length % 2));
        AssertContinuousTone(audio);
        Assert.Equal(1, receiver.EndedCount);
        Assert.Equal(0, receiver.AudioAfterEnd);
        Assert.Equal(AsyncAIContextState.Completed, context.State);
    }

    [Fact]
    public async Task DeliverAudioTo_AudioAlreadyBuffered_DeliversBufferedChunksFirstThenLiveOnes()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        const string First = "Buffered before anyone listens.";
        const string Second = "Then the live part follows.";
        var context = client.CreateContext();
        var receiver = new RecordingAudioReceiver();

        await context.SendTextAsync(First);
        await WaitUntilAsync(() => context.AudioBytesReceived == ExpectedBytes(First, _emulator), "the first text's audio to be buffered");
        context.DeliverAudioTo(receiver);

        // The buffered chunks are handed over during registration, before any live one can be.
        Assert.Equal(ExpectedBytes(First, _emulator), receiver.Bytes);
        await context.SendTextAsync(Second);
        await Within(context.CompleteAsync(), "completion");
        Assert.Null(await Within(receiver.Ended, "the receiver's end"));

        // The same transcripts on a context read through ReadAudioAsync: the emulator's audio is deterministic, so the
        // bytes must be identical, in the same order.
        var reference = client.CreateContext();
        await reference.SendTextAsync(First);
        await reference.SendTextAsync(Second);
        var reading = ReadAllAsync(reference);
        await Within(reference.CompleteAsync(), "the reference's completion");
        var (expected, _) = await reading;

        var audio = receiver.Audio();
        Assert.Equal(ExpectedBytes(First, _emulator) + ExpectedBytes(Second, _emulator), audio.Length);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), audio.Length);
        Assert.Equal(expected, audio);
        Assert.Equal(1, receiver.EndedCount);
        Assert.Equal(0, receiver.AudioAfterEnd);
    }

    [Fact]
    public async Task DeliverAudioTo_ContextAlreadyCompleted_DeliversItsBufferedAudioThenEndsAtRegistration()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        const string Text = "Everything arrived before the receiver.";
        var context = client.CreateContext();
        await context.SendTextAsync(Text);
        await Within(context.CompleteAsync(), "completion");
        var receiver = new RecordingAudioReceiver();

        context.DeliverAudioTo(receiver);

        Assert.True(receiver.Ended.IsCompleted, "a context that already ended reports its end during registration");
        Assert.Null(await receiver.Ended);
        Assert.Equal(ExpectedBytes(Text, _emulator), receiver.BytesAtEnd);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), receiver.Bytes);
        AssertContinuousTone(receiver.Audio());
        Assert.Equal(1, receiver.EndedCount);
    }

    [Fact]
    public async Task DeliverAudioTo_InterruptMidStream_NoAudioAfterInterruptReturns()
    {
        // ~1 s of audio in 20 ms chunks at 10x pace: a context streams for ~100 ms, so the interrupts land mid-stream.
        const string Text = "Interrupt me at any point.";
        const int Trials = 40;
        _emulator.Options.PacingRate = 10;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var totalChunks = ExpectedBytes(Text, _emulator) / 960;
        var trials = new ConcurrentQueue<(AsyncAIWebSocketContext Context, RecordingAudioReceiver Receiver, int InterruptedAfter)>();
        var next = -1;

        async Task WorkerAsync(int seed)
        {
            var random = new Random(seed);
            while (Interlocked.Increment(ref next) < Trials)
            {
                var context = client.CreateContext();
                var receiver = new RecordingAudioReceiver();
                context.DeliverAudioTo(receiver);
                await context.SendTextAsync(Text);
                var k = random.Next(1, totalChunks - 10);
                await receiver.WaitForChunksAsync(k);
                await context.InterruptAsync();
                receiver.Close();
                trials.Enqueue((context, receiver, k));
            }
        }

        await Within(Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => WorkerAsync(4321 + i)))), $"{Trials} interrupt trials", TimeSpan.FromSeconds(30));

        // The emulator finishes a closed context's audio, then sends final: wait until every trial's late audio has been
        // sent, then complete a marker context behind it on the same socket, so the client has processed it all.
        foreach (var (context, _, _) in trials)
        {
            await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == context.Id), $"the final of {context.Id}");
        }

        var marker = client.CreateContext();
        await marker.SendTextAsync("Marker.");
        var markerAudio = ReadAllAsync(marker);
        await Within(marker.CompleteAsync(), "the marker's completion");
        await markerAudio;

        Assert.Equal(Trials, trials.Count);
        foreach (var (context, receiver, k) in trials)
        {
            Assert.Equal(0, receiver.BytesAfterClosed);
            Assert.True(receiver.Chunks.Count >= k, $"{context.Id}: {receiver.Chunks.Count} chunks before the interrupt, expected at least {k}");
            Assert.True(receiver.Ended.IsCompleted, $"{context.Id}: the receiver was told the context ended");
            Assert.Null(await receiver.Ended);
            Assert.Equal(1, receiver.EndedCount);
            Assert.Equal(0, receiver.AudioAfterEnd);
            Assert.Equal(receiver.Bytes, receiver.BytesAtEnd);
            Assert.Equal(AsyncAIContextState.Interrupted, context.State);
        }

        // Late audio really came (so the guarantee was exercised): the server sent more than the receivers got.
        Assert.Contains(trials, t => _emulator.Journal.AudioBytesSent(t.Context.Id) > t.Receiver.Bytes);
    }

    [Fact]
    public async Task DeliverAudioTo_ServerRejectsTheContext_OnEndedCarriesTheServersError()
    {
        _emulator.Options.MaxContextsPerConnection = 1;
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var first = client.CreateContext();
        var second = client.CreateContext();
        var receiver = new RecordingAudioReceiver();
        second.DeliverAudioTo(receiver);

        await first.SendTextAsync("Occupies the only slot for a while, because this text is long enough.");
        await second.SendTextAsync("Rejected.");
        var error = await Within(receiver.Ended, "the receiver's end");

        Assert.NotNull(error);
        Assert.Equal("TOO_MANY_CONTEXTS", error.ErrorCode);
        Assert.Same(second.Error, error);
        Assert.Equal(AsyncAIContextState.Faulted, second.State);
        Assert.Equal(1, receiver.EndedCount);
        Assert.Equal(0, receiver.Bytes);
    }

    [Fact]
    public async Task DeliverAudioTo_ConnectionLostMidContext_OnEndedCarriesTheConnectivityErrorAfterTheAudioBeforeIt()
    {
        await using var client = new AsyncAIWebSocketClient(Options(WithFaults(_emulator.WebSocketUrl, "close-mid-context"), o => o.Reconnect.Enabled = false));
        await client.ConnectAsync();
        var context = client.CreateContext();
        var receiver = new RecordingAudioReceiver();
        context.DeliverAudioTo(receiver);

        await context.SendTextAsync("The socket drops after the first chunk of this sentence.");
        var error = await Within(receiver.Ended, "the receiver's end");

        Assert.NotNull(error);
        Assert.Equal(AsyncAIErrorCategory.Connectivity, error.Category);
        Assert.Same(context.Error, error);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), receiver.BytesAtEnd);
        Assert.True(receiver.BytesAtEnd > 0, "the chunk sent before the drop was delivered before the end");
        Assert.Equal(1, receiver.EndedCount);
        Assert.Equal(0, receiver.AudioAfterEnd);
    }

    [Fact]
    public async Task ConnectionError_ServerErrorWithoutContextId_ContextsAlreadyFailedWhenTheEventIsRaised()
    {
        _emulator.Options.IdleTimeout = TimeSpan.FromMilliseconds(300);
        var time = new FakeTimeProvider(); // no keepalive while the test waits for the server's idle timeout
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.Reconnect.Enabled = false;
        }));
        var context = client.CreateContext();
        var receiver = new RecordingAudioReceiver();
        var seenByHandler = new TaskCompletionSource<(AsyncAIContextState State, bool ReceiverEnded, AsyncAIException Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionError += (_, e) =>
        {
            if (e.Error?.ErrorCode == "TIMEOUT")
            {
                seenByHandler.TrySetResult((context.State, receiver.Ended.IsCompleted, e.Error));
            }
        };
        await client.ConnectAsync();
        context.DeliverAudioTo(receiver);

        // Text without end of input: the context streams on, bound to the socket, until the server's TIMEOUT fails it.
        const string Text = "Still streaming when the server gives up.";
        await context.SendTextAsync(Text);
        await Within(receiver.WaitForBytesAsync(ExpectedBytes(Text, _emulator)), "the audio");
        var (state, receiverEnded, error) = await Within(seenByHandler.Task, "the TIMEOUT ConnectionError");

        Assert.Equal(AsyncAIContextState.Faulted, state);
        Assert.True(receiverEnded, "the receiver heard of the failure before the event was raised");
        Assert.Same(error, await receiver.Ended);
    }

    [Fact]
    public async Task ReadAudioAsync_AfterDeliverAudioTo_ThrowsInvalidOperation()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        var context = client.CreateContext();
        context.DeliverAudioTo(new RecordingAudioReceiver());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var unused in context.ReadAudioAsync())
            {
            }
        });
        Assert.Contains(context.Id, ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => context.DeliverAudioTo(new RecordingAudioReceiver()));
    }

    [Fact]
    public async Task DeliverAudioTo_WhileAReaderIsActive_ThrowsInvalidOperation()
    {
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        var context = client.CreateContext();
        using var stop = new CancellationTokenSource();
        var audio = context.ReadAudioAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        // The first MoveNextAsync makes the reader active, then waits for audio that never comes.
        var moving = audio.MoveNextAsync().AsTask();
        Assert.False(moving.IsCompleted);

        Assert.Throws<InvalidOperationException>(() => context.DeliverAudioTo(new RecordingAudioReceiver()));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => moving);
        await audio.DisposeAsync();
    }

    /// <summary>Polls a condition nothing signals (bytes a context has buffered), bounded by <see cref="Patience"/>.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }
}
