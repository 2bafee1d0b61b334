using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>HttpClient.Timeout bounds every body the client reads whole, not only the wait for the headers.</summary>
public class AsyncAIHttpClientTimeoutTests
{
    private const string Text = "A body that stops after its headers.";

    // HttpClient's own timer runs on real time and never fires in these tests; the client's deadline runs on fake time.
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a transport that fails the cancelled read with an IOException instead of a cancellation
    public async Task SynthesizeAsync_BodyStallsAfterTheHeaders_TimeoutErrorAfterHttpClientTimeout(bool cancelAsIOException)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var stall = new StallingBodyHandler(bytesBeforeStall: 100, cancelAsIOException);
        using var http = HttpTestKit.CreateHttpClient(handler: stall);
        http.Timeout = HttpTimeout;
        var time = new FakeTimeProvider();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator), timeProvider: time);
        using var cts = HttpTestKit.TimeoutSource();

        var call = client.SynthesizeAsync(Text, cancellationToken: cts.Token);
        await stall.Stalled.WaitAsync(cts.Token);
        time.Advance(HttpTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => call);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.Contains("HttpClient.Timeout", error.Message, StringComparison.Ordinal);
        Assert.False(cts.IsCancellationRequested);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_ErrorBodyStalls_TimeoutErrorAfterHttpClientTimeout(bool cancelAsIOException)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var stall = new StallingBodyHandler(bytesBeforeStall: 5, cancelAsIOException);
        using var http = HttpTestKit.CreateHttpClient(handler: stall);
        http.Timeout = HttpTimeout;
        var time = new FakeTimeProvider();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 0), timeProvider: time);
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 400);

        var call = HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);
        await stall.Stalled.WaitAsync(cts.Token);
        time.Advance(HttpTimeout);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => call);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task ListVoicesAsync_BodyStallsAfterTheHeaders_TimeoutErrorAfterHttpClientTimeout()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var stall = new StallingBodyHandler(bytesBeforeStall: 10);
        using var http = HttpTestKit.CreateHttpClient(handler: stall);
        http.Timeout = HttpTimeout;
        var time = new FakeTimeProvider();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator), timeProvider: time);
        using var cts = HttpTestKit.TimeoutSource();

        var call = client.ListVoicesAsync(cancellationToken: cts.Token).ToListAsync(cts.Token).AsTask();
        await stall.Stalled.WaitAsync(cts.Token);
        time.Advance(HttpTimeout);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => call);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.False(cts.IsCancellationRequested);
    }
}
