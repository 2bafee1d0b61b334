using System.Collections.Concurrent;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public sealed class AsyncAIWebSocketClientInterruptTests : IAsyncLifetime
{
    // 20 audible characters = 1 s of audio = 50 chunks of 20 ms; at 10x pacing a context streams for ~100 ms, so
    // interrupts land before, during and (rarely) after the audio.
    private const string Text = "Interrupt me at any point.";
    private const int Trials = 1000;
    private const int Parallelism = 25;

    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 10 });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task InterruptAsync_AtRandomPoints_NoByteAfterItReturnsAndServerSawCloseContext()
    {
        using var late = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(Diagnostics.AsyncAITelemetry.Meter, "asyncai.tts.websocket.late_chunks_dropped");
        await using var client = new AsyncAIWebSocketClient(Options(_emulator.WebSocketUrl));
        await client.ConnectAsync();
        var totalChunks = ExpectedBytes(Text, _emulator) / 960;
        var violations = new ConcurrentQueue<string>();
        var contextIds = new ConcurrentQueue<string>();
        var streamedIds = new ConcurrentQueue<string>();
        var next = -1;

        async Task WorkerAsync(int seed)
        {
            var random = new Random(seed);
            while (Interlocked.Increment(ref next) < Trials)
            {
                var context = client.CreateContext();
                contextIds.Enqueue(context.Id);
                var (violation, streamed) = await RunTrialAsync(context, random, totalChunks);
                if (streamed)
                {
                    streamedIds.Enqueue(context.Id);
                }

                if (violation is not null)
                {
                    violations.Enqueue(violation);
                }
            }
        }

        await Within(Task.WhenAll(Enumerable.Range(0, Parallelism).Select(i => Task.Run(() => WorkerAsync(1234 + i)))), $"{Trials} interrupt trials", TimeSpan.FromSeconds(60));

        Assert.Empty(violations);
        Assert.Equal(Trials, contextIds.Count);

        // Every context whose text reached the server was closed: a marker context queued after all trials proves
        // every earlier close_context has been processed (one socket, one send loop, FIFO).
        var marker = client.CreateContext();
        await marker.SendTextAsync("Marker.");
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text && e.ContextId == marker.Id), "the marker's text");
        await marker.InterruptAsync();
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == marker.Id), "the marker's close_context");
        var events = _emulator.Journal.Snapshot();
        var withText = events.Where(e => e.Kind == EmulatorEventKind.Text).Select(e => e.ContextId).ToHashSet();
        var closed = events.Where(e => e.Kind == EmulatorEventKind.CloseContext).Select(e => e.ContextId).ToHashSet();
        Assert.Empty(withText.Except(closed));
        // Interrupts right after SendTextAsync may discard the text before it is sent (then nothing is closed); trials
        // that received audio before interrupting certainly reached the server.
        Assert.True(streamedIds.Count > Trials / 5, $"enough trials interrupted mid-stream ({streamedIds.Count})");
        Assert.Empty(streamedIds.Except(closed));
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);

        // The emulator finishes a closed context's pending audio (as the docs say), so interrupted contexts get late audio: dropped and counted.
        Assert.True(late.GetMeasurementSnapshot().Sum(m => m.Value) > 0, "late chunks are counted");
    }

    private static async Task<(string? Violation, bool Streamed)> RunTrialAsync(AsyncAIWebSocketContext context, Random random, int totalChunks)
    {
        await context.SendTextAsync(Text);
        var mode = random.Next(3);
        if (mode < 2)
        {
            // The reader itself interrupts after k chunks (k = 0 for mode 0), then keeps reading: nothing more may come.
            var k = mode == 0 ? 0 : random.Next(1, totalChunks - 5);
            await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
            for (var i = 0; i < k; i++)
            {
                if (!await audio.MoveNextAsync())
                {
                    return ($"{context.Id}: the stream ended after {i} chunks, before the interrupt", true);
                }
            }

            await context.InterruptAsync();
            var extra = 0;
            while (await audio.MoveNextAsync())
            {
                extra += audio.Current.Audio.Length;
            }

            return (extra == 0 ? null : $"{context.Id}: {extra} bytes after InterruptAsync returned (mode {mode}, k {k})", k > 0);
        }

        // Another task interrupts at a random moment while the reader runs; no read that starts after InterruptAsync
        // has returned may yield a chunk.
        var interruptReturned = 0;
        var late = 0;
        var reader = Task.Run(async () =>
        {
            await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();
            while (true)
            {
                var returnedBefore = Volatile.Read(ref interruptReturned) == 1;
                if (!await audio.MoveNextAsync())
                {
                    return;
                }

                if (returnedBefore)
                {
                    Interlocked.Add(ref late, audio.Current.Audio.Length);
                }
            }
        });
        var delay = random.Next(0, 80);
        if (delay > 0)
        {
            // Randomizes where in the stream the interrupt lands; it synchronizes nothing.
            await Task.Delay(delay);
        }

        await context.InterruptAsync();
        Volatile.Write(ref interruptReturned, 1);
        await reader.WaitAsync(Patience);
        return (late == 0 ? null : $"{context.Id}: {late} bytes read after InterruptAsync returned (concurrent)", false);
    }
}
