using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>
/// The completion timer (ContextCompletionTimeout after the end of input, for a server that never sends final) is armed
/// once and measures the silence since the last chunk when it fires.
/// </summary>
public sealed class AsyncAIWebSocketContextCompletionTimerTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { WithholdFinal = true, PacingRate = 2 });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(4.7); // distinct from every other timer the client arms

    private async Task<AsyncAIWebSocketClient> ConnectAsync(TimerWatchingTimeProvider time)
    {
        var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.ContextCompletionTimeout = CompletionTimeout;
            o.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            o.ResponseTimeout = Timeout.InfiniteTimeSpan;
        }));
        await client.ConnectAsync();
        return client;
    }

    private static (AsyncAIWebSocketContext Context, RecordingAudioReceiver Receiver) CreateReceivingContext(AsyncAIWebSocketClient client)
    {
        var context = client.CreateContext();
        var receiver = new RecordingAudioReceiver();
        context.DeliverAudioTo(receiver);
        return (context, receiver);
    }

    [Fact]
    public async Task CompleteAsync_AudioKeepsArrivingAfterEndOfInput_CompletesOnlyAfterTheTimeoutOfSilenceSinceTheLastChunk()
    {
        var time = new TimerWatchingTimeProvider();
        var step = TimeSpan.FromSeconds(3);
        await using var client = await ConnectAsync(time);
        var (context, receiver) = CreateReceivingContext(client);

        // ~2 s of audio streamed at twice real time: chunks keep coming for about a second of real time after the end of input.
        const string Text = "This sentence keeps streaming well after its input has ended.";
        var expected = ExpectedBytes(Text, _emulator);
        var endOfInput = time.GetUtcNow();
        await context.SendTextAsync(Text);
        var completion = context.CompleteAsync();
        await Within(time.WaitForTimerAsync(CompletionTimeout), "the completion timer to be armed at the end of input");

        // Each step moves the clock by less than the timeout past a chunk that arrived at the current time, so the
        // silence never reaches the timeout, while the time since the end of input goes well past it.
        for (var i = 0; i < 3; i++)
        {
            await Within(receiver.WaitForChunkStampedAtOrAfterAsync(time.GetTimestamp()), $"a chunk after step {i}");
            time.Advance(step);
            Assert.Equal(AsyncAIContextState.Completing, context.State);
            Assert.False(completion.IsCompleted, $"completed by timeout at step {i + 1} although audio arrived {step.TotalSeconds} s before");
        }

        Assert.True(time.GetUtcNow() - endOfInput > CompletionTimeout + step, "the clock ran well past the timeout counted from the end of input");
        Assert.True(receiver.Bytes < expected, "audio was still streaming after the steps (the pacing is slow enough)");

        // The rest of the audio arrives at a frozen clock; from the last chunk on, exactly the timeout of silence completes it.
        await Within(receiver.WaitForBytesAsync(expected), "all the audio");
        var quiet = time.GetElapsedTime(receiver.Chunks[^1].ArrivalTimestamp);
        Assert.True(quiet < CompletionTimeout - TimeSpan.FromTicks(1), $"the last chunk arrived {quiet} ago");
        time.Advance(CompletionTimeout - quiet - TimeSpan.FromTicks(1));
        Assert.Equal(AsyncAIContextState.Completing, context.State);
        Assert.False(receiver.Ended.IsCompleted);

        time.Advance(TimeSpan.FromTicks(1));

        await Within(completion, "completion by timeout");
        Assert.Equal(AsyncAIContextState.Completed, context.State);
        Assert.Null(await Within(receiver.Ended, "the receiver's end"));
        Assert.Equal(1, receiver.EndedCount);
        Assert.Equal(expected, receiver.BytesAtEnd);
        Assert.Equal(_emulator.Journal.AudioBytesSent(context.Id), receiver.Bytes);
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context.Id), "close_context after the timeout");
    }

    [Fact]
    public async Task CompleteAsync_NoAudioAfterEndOfInput_CompletesExactlyOneTimeoutAfterTheEndOfInput()
    {
        _emulator.Options.PacingRate = 0;
        var time = new TimerWatchingTimeProvider();
        await using var client = await ConnectAsync(time);
        var (context, receiver) = CreateReceivingContext(client);
        const string Text = "All audio arrives at once.";

        await context.SendTextAsync(Text);
        await Within(receiver.WaitForBytesAsync(ExpectedBytes(Text, _emulator)), "all the audio");
        var completion = context.CompleteAsync();
        await Within(time.WaitForTimerAsync(CompletionTimeout), "the completion timer to be armed at the end of input");

        time.Advance(CompletionTimeout - TimeSpan.FromTicks(1));
        Assert.Equal(AsyncAIContextState.Completing, context.State);
        time.Advance(TimeSpan.FromTicks(1));

        await Within(completion, "completion by timeout");
        Assert.Equal(AsyncAIContextState.Completed, context.State);
        Assert.Null(await Within(receiver.Ended, "the receiver's end"));
        Assert.Equal(1, receiver.EndedCount);
    }
}
