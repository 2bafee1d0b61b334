using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpClientRetryTests
{
    private const string Text = "Retry me, but only while it is safe.";

    [Theory]
    [InlineData(503, null)]
    [InlineData(500, null)]
    [InlineData(429, "RATE_LIMIT_EXCEEDED")]
    public async Task StreamAsync_TransientFailuresBeforeFirstByte_RetriedThenSucceeds(int status, string? errorCode)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 3));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(2, status, errorCode, TimeSpan.FromMilliseconds(20));

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);

        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter), chunks.Sum(c => c.Audio.Length));
        Assert.Equal(3, (await HttpTestKit.HttpRequestsAsync(emulator, 3)).Count);
    }

    [Theory]
    [InlineData(401, "INVALID_API_KEY")]
    [InlineData(404, "VOICE_NOT_FOUND")]
    [InlineData(400, "INVALID_LANGUAGE")]
    [InlineData(429, "USAGE_LIMIT_EXCEEDED")]
    public async Task StreamAsync_NonTransientFailure_NotRetried(int status, string errorCode)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 3));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, status, errorCode);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token));

        Assert.Equal(errorCode, error.ErrorCode);
        Assert.Single(await HttpTestKit.HttpRequestsAsync(emulator, 1));
    }

    [Fact]
    public async Task StreamAsync_TooManyFailures_ThrowsTheLastFailureOnce()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 2));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(5, 503);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.Equal(3, (await HttpTestKit.HttpRequestsAsync(emulator, 3)).Count);
    }

    [Fact]
    public async Task StreamAsync_ConnectionDropsBeforeFirstAudio_Retried()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var breaker = new BodyBreakingHandler(breakResponses: 1, bytesBeforeBreak: 0);
        using var http = HttpTestKit.CreateHttpClient(handler: breaker);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);

        Assert.Equal(2, breaker.Responses);
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter), chunks.Sum(c => c.Audio.Length));
    }

    [Fact]
    public async Task StreamAsync_ConnectionDropsAfterFirstAudio_NotRetried()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var breaker = new BodyBreakingHandler(breakResponses: 1, bytesBeforeBreak: 10);
        using var http = HttpTestKit.CreateHttpClient(handler: breaker);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 3));
        using var cts = HttpTestKit.TimeoutSource();
        var received = new List<AudioChunk>();

        var error = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var chunk in client.StreamAsync(Text, cancellationToken: cts.Token))
            {
                received.Add(chunk);
            }
        });

        Assert.Equal(AsyncAIErrorCategory.Connectivity, error.Category);
        Assert.Equal(10, received.Sum(c => c.Audio.Length));
        Assert.Equal(1, breaker.Responses);
    }

    [Fact]
    public async Task StreamAsync_RetryAfterFromService_WaitsThatLong()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "RATE_LIMIT_EXCEEDED", TimeSpan.FromMilliseconds(700));

        await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);

        var requests = await HttpTestKit.HttpRequestsAsync(emulator, 2);
        Assert.Equal(2, requests.Count);
        var waited = requests[1].Time - requests[0].Time;
        Assert.True(waited >= TimeSpan.FromMilliseconds(650), $"retried after {waited.TotalMilliseconds} ms; the service asked for 700 ms (base delay is 10 ms)");
    }

    [Fact]
    public async Task SynthesizeAsync_RetryAfterMsInBodyOnly_WaitsThatLong()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient(handler: new StripRetryAfterHeaderHandler());
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "RATE_LIMIT_EXCEEDED", TimeSpan.FromMilliseconds(600));

        await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        var requests = await HttpTestKit.HttpRequestsAsync(emulator, 2);
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Time - requests[0].Time >= TimeSpan.FromMilliseconds(550), "retry_after_ms was not honoured");
    }

    [Fact]
    public async Task SynthesizeAsync_RetryAfterHeaderOnly_WaitsThatLong()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient(handler: new HeaderOnlyRetryAfterHandler(TimeSpan.FromSeconds(1)));
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 503);

        await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        var requests = await HttpTestKit.HttpRequestsAsync(emulator, 2);
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Time - requests[0].Time >= TimeSpan.FromMilliseconds(950), "Retry-After was not honoured");
    }

    [Fact]
    public async Task SynthesizeAsync_RetryAfterLongerThanMaxRetryDelay_IsCapped()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(100)));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "RATE_LIMIT_EXCEEDED", TimeSpan.FromSeconds(30));

        await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        var requests = await HttpTestKit.HttpRequestsAsync(emulator, 2);
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Time - requests[0].Time < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SynthesizeAsync_RetryDelay_WaitsOnTheInjectedTimeProvider()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var time = new FakeTimeProvider();
        using var http = HttpTestKit.CreateHttpClient();

        // The attempt deadline (HttpClient.Timeout) runs on the same fake clock: with it, an advance that lands while the
        // retry is in flight would time the retry out. This test is about the delay only; cts bounds it in real time.
        http.Timeout = Timeout.InfiniteTimeSpan;
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetryDelay = TimeSpan.FromMinutes(10)), timeProvider: time);
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "RATE_LIMIT_EXCEEDED", TimeSpan.FromMinutes(8));

        var call = client.SynthesizeAsync(Text, cancellationToken: cts.Token);
        await HttpTestKit.HttpRequestsAsync(emulator, 1);

        // Eight minutes of fake time release the retry; the test never waits them for real. The retry's timer may be
        // created just after an Advance, so keep advancing until the call completes.
        var advanced = TimeSpan.Zero;
        while (await Task.WhenAny(call, Task.Delay(50, cts.Token)) != call)
        {
            time.Advance(TimeSpan.FromMinutes(2));
            advanced += TimeSpan.FromMinutes(2);
        }

        await call;
        Assert.True(advanced >= TimeSpan.FromMinutes(8), $"retried after only {advanced} of fake time");
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count);
    }

    private sealed class StripRetryAfterHeaderHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            response.Headers.RetryAfter = null;
            return response;
        }
    }

    /// <summary>Replaces a failure's body with one that has no retry_after_ms and sets only the header.</summary>
    private sealed class HeaderOnlyRetryAfterHandler(TimeSpan retryAfter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                response.Content = new StringContent("""{"detail":{"error_code":"SERVICE_UNAVAILABLE","message":"try later"}}""");
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter);
            }

            return response;
        }
    }
}
