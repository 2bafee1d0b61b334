using System.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpClientStreamingTests
{
    private const string Text = "Odd-sized chunks must still come out as whole samples.";

    [Theory]
    [InlineData("pcm_s16le", 2, 1)]
    [InlineData("pcm_s16le", 2, 3)]
    [InlineData("pcm_f32le", 4, 3)]
    [InlineData("pcm_f32le", 4, 7)]
    [InlineData("pcm_mulaw", 1, 5)]
    public async Task StreamAsync_OddSizedHttpChunks_HandsOutWholeSamplesOnly(string encoding, int bytesPerSample, int httpChunk)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var plainHttp = HttpTestKit.CreateHttpClient();
        using var choppyHttp = HttpTestKit.CreateHttpClient(fault: $"http-chunk:{httpChunk}");
        var request = new AsyncAIHttpRequestOptions { Encoding = encoding, SampleRate = 8000 };
        var options = HttpTestKit.Options(emulator);
        using var cts = HttpTestKit.TimeoutSource();

        var reference = HttpTestKit.Concat(await HttpTestKit.ReadAllAsync(new AsyncAIHttpClient(plainHttp, options).StreamAsync(Text, request, cts.Token), cts.Token));
        var chunks = await HttpTestKit.ReadAllAsync(new AsyncAIHttpClient(choppyHttp, options).StreamAsync(Text, request, cts.Token), cts.Token);

        Assert.All(chunks, c => Assert.Equal(0, c.Audio.Length % bytesPerSample));
        Assert.Equal(reference, HttpTestKit.Concat(chunks));
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 8000, encoding, emulator.Options.SecondsPerCharacter), reference.Length);
        Assert.True(chunks.Count > 1, "the body should arrive in more than one read");
    }

    [Theory]
    [InlineData("quota-after:1000", 7)] // the marker starts in the last byte of one read and ends three reads later
    [InlineData("quota-after:998", 5)]
    [InlineData("quota-after:2000,http-chunk:13", 0)]
    [InlineData("quota-after:1000", 0)]
    public async Task StreamAsync_QuotaMarkerSplitAcrossReads_NeverHandedOutAndEndsWithQuotaError(string fault, int maxRead)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var plainHttp = HttpTestKit.CreateHttpClient();
        using var quotaHttp = HttpTestKit.CreateHttpClient(fault: fault, handler: maxRead > 0 ? new CappedReadsHandler(maxRead) : null);
        var options = HttpTestKit.Options(emulator);
        var quotaBytes = int.Parse(fault.Split(',')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        using var cts = HttpTestKit.TimeoutSource();
        var reference = HttpTestKit.Concat(await HttpTestKit.ReadAllAsync(new AsyncAIHttpClient(plainHttp, options).StreamAsync(Text, cancellationToken: cts.Token), cts.Token));
        var received = new List<AudioChunk>();

        var error = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var chunk in new AsyncAIHttpClient(quotaHttp, options).StreamAsync(Text, cancellationToken: cts.Token))
            {
                received.Add(chunk);
            }
        });

        Assert.Equal(AsyncAIErrorCategory.Quota, error.Category);
        Assert.Equal("QUOTA_EXCEEDED", error.ErrorCode);
        Assert.Equal(reference[..quotaBytes], HttpTestKit.Concat(received));
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count); // the reference and the quota stream: no retry
    }

    [Fact]
    public async Task StreamAsync_CancelledMidStream_ThrowsOperationCanceledPromptly()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var timeout = HttpTestKit.TimeoutSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var longText = new string('x', 400); // 20 s of audio at real-time pacing
        var stopwatch = new Stopwatch();
        var chunks = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.StreamAsync(longText, cancellationToken: cancel.Token))
            {
                if (++chunks == 3)
                {
                    stopwatch.Start();
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(3, chunks);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"cancellation took {stopwatch.Elapsed}");
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task StreamAsync_CancelledWhileWaitingForTheNextChunk_ThrowsOperationCanceledPromptly()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1, ChunkDuration = TimeSpan.FromSeconds(2) });
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cancel = new CancellationTokenSource();

        await using var enumerator = client.StreamAsync(new string('x', 400), cancellationToken: cancel.Token).GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());

        // The rest of the first 2-second chunk may still be in flight; drain reads until one waits on the paced server.
        var next = enumerator.MoveNextAsync().AsTask();
        while (await Task.WhenAny(next, Task.Delay(300)) == next)
        {
            Assert.True(await next);
            next = enumerator.MoveNextAsync().AsTask();
        }

        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"cancellation took {stopwatch.Elapsed}; the next chunk was due in 2 s");
    }

    [Fact]
    public async Task StreamAsync_BodyStallsAfterItsFirstChunk_TimeoutErrorAfterStreamIdleTimeout()
    {
        // Paced at 1/10,000 of real time, the second 20 ms chunk is due 200 s after the first: a stalled body.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 0.0001 });
        using var http = HttpTestKit.CreateHttpClient();
        var time = new FakeTimeProvider();
        var idle = TimeSpan.FromSeconds(30);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.StreamIdleTimeout = idle), timeProvider: time);
        using var cts = HttpTestKit.TimeoutSource();

        await using var enumerator = client.StreamAsync(new string('x', 200), cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var received = 0;
        while (received < 960) // the first chunk: 20 ms of 24 kHz 16-bit audio
        {
            Assert.True(await enumerator.MoveNextAsync());
            received += enumerator.Current.Audio.Length;
        }

        var next = enumerator.MoveNextAsync().AsTask(); // waits for bytes the server will not send for 200 s
        time.Advance(idle - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => next.WaitAsync(cts.Token));
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.Contains("StreamIdleTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(960, received);
    }

    [Fact]
    public async Task StreamAsync_ChunksArrive_EachHandedOutBeforeTheBodyEnds()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        var stopwatch = Stopwatch.StartNew();
        TimeSpan? firstAt = null;

        var chunks = 0;
        await foreach (var _ in client.StreamAsync("One second of audio here.", cancellationToken: cts.Token))
        {
            firstAt ??= stopwatch.Elapsed;
            chunks++;
        }

        Assert.True(chunks > 1);
        Assert.True(stopwatch.Elapsed - firstAt!.Value > TimeSpan.FromMilliseconds(300), $"first chunk at {firstAt}, end at {stopwatch.Elapsed}: the body was buffered");
    }
}
