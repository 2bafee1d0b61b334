using System.Net.Sockets;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>
/// A stream abandoned before the end of its body must end its request on the wire at once: over HTTP/1.1 a response
/// disposed without a pending read is drained by SocketsHttpHandler (up to ResponseDrainTimeout, 2 s by default), while
/// the server keeps synthesizing and the request counts against the account's concurrent-request limit.
/// </summary>
/// <remarks>
/// The caller's handler here drains patiently (10 minutes, no size limit), so a drained request always ends
/// <em>completed</em> (the drain reads the paced body to its end) and an aborted one <em>aborted</em>: the emulator's
/// journal tells them apart without any clock. The only timing left is the emulator noticing the closed connection
/// within the 8 s the rest of the body takes at real-time pacing (its next paced write fails).
/// </remarks>
public class AsyncAIHttpClientAbandonTests
{
    /// <summary>160 characters: 8 s of audio, streamed at real time.</summary>
    private static readonly string LongText = new('x', 160);

    /// <summary>A hang guard only: an aborted request ends as soon as the emulator's next paced write fails.</summary>
    private static readonly TimeSpan JournalWait = TimeSpan.FromSeconds(60);

    public enum Abandon
    {
        BreakOutOfTheLoop,
        DisposeTheEnumerator,
        CancelWhileHoldingAChunk,
    }

    [Theory]
    [InlineData(Abandon.BreakOutOfTheLoop)]
    [InlineData(Abandon.DisposeTheEnumerator)]
    [InlineData(Abandon.CancelWhileHoldingAChunk)]
    public async Task StreamAsync_AbandonedAfterTheFirstChunk_EndsTheRequestWithoutDrainingTheBody(Abandon how)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var http = new HttpClient(PatientlyDrainingHandler());
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cancel = new CancellationTokenSource();
        var request = new AsyncAIHttpRequestOptions { SampleRate = 8000 };

        switch (how)
        {
            case Abandon.BreakOutOfTheLoop:
                await foreach (var _ in client.StreamAsync(LongText, request, cancel.Token))
                {
                    break;
                }

                break;

            case Abandon.DisposeTheEnumerator:
                var enumerator = client.StreamAsync(LongText, request, cancel.Token).GetAsyncEnumerator();
                Assert.True(await enumerator.MoveNextAsync());
                await enumerator.DisposeAsync();
                break;

            case Abandon.CancelWhileHoldingAChunk:
                // The request must end while the caller still holds the chunk, not at its next MoveNextAsync.
                await using (var holding = client.StreamAsync(LongText, request, cancel.Token).GetAsyncEnumerator())
                {
                    Assert.True(await holding.MoveNextAsync());
                    await cancel.CancelAsync();
                    var ended = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest, JournalWait);
                    Assert.Equal("POST /text_to_speech/streaming 200 aborted", ended.Detail);
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding.MoveNextAsync().AsTask());
                }

                break;
        }

        var end = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest, JournalWait);
        Assert.Equal("POST /text_to_speech/streaming 200 aborted", end.Detail);
    }

    [Fact]
    public async Task StreamAsync_BodyStallsPastStreamIdleTimeout_EndsTheRequestWithoutDrainingTheBody()
    {
        // Paced at 1/10,000 of real time, the second 20 ms chunk is due 200 s after the first: a stalled body. The idle
        // timeout must end the pending read by aborting the connection; disposing the response instead started a drain
        // that waited with the read for the caller's ResponseDrainTimeout (2 s by default, 10 minutes here).
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 0.0001 });
        using var http = new HttpClient(PatientlyDrainingHandler());
        var time = new FakeTimeProvider();
        var idle = TimeSpan.FromSeconds(30);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.StreamIdleTimeout = idle), timeProvider: time);
        using var guard = new CancellationTokenSource(JournalWait);

        await using var enumerator = client.StreamAsync(new string('x', 200), cancellationToken: guard.Token).GetAsyncEnumerator(guard.Token);
        var received = 0;
        while (received < 960) // the first chunk: 20 ms of 24 kHz 16-bit audio
        {
            Assert.True(await enumerator.MoveNextAsync());
            received += enumerator.Current.Audio.Length;
        }

        var next = enumerator.MoveNextAsync().AsTask(); // waits for bytes the server will not send for 200 s
        time.Advance(idle);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => next.WaitAsync(guard.Token));
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        var end = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest, JournalWait);
        Assert.Equal("POST /text_to_speech/streaming 200 aborted", end.Detail);
    }

    [Fact]
    public async Task StreamAsync_ReadToItsEnd_LeavesTheConnectionInThePool()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var connections = 0;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        });
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        for (var i = 0; i < 3; i++)
        {
            Assert.NotEmpty(await HttpTestKit.ReadAllAsync(client.StreamAsync("A short sentence.", cancellationToken: cts.Token), cts.Token));
        }

        Assert.Equal(1, Volatile.Read(ref connections));
        Assert.All(await HttpTestKit.HttpRequestsAsync(emulator, 3), e => Assert.Equal("POST /text_to_speech/streaming 200", e.Detail));
    }

    /// <summary>A caller's handler that would drain an abandoned body to its end: the client must abort whatever the handler's drain settings.</summary>
    private static SocketsHttpHandler PatientlyDrainingHandler() => new()
    {
        ResponseDrainTimeout = TimeSpan.FromMinutes(10),
        MaxResponseDrainSize = int.MaxValue,
    };
}
