using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpClientRegistrationTests
{
    [Fact]
    public async Task AddAsyncAIHttpClient_ServerErrorOnce_ResilienceHandlerRetries()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var provider = HttpTestKit.FactoryServices(emulator).BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 503);

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync("through the factory", cancellationToken: cts.Token), cts.Token);

        Assert.NotEmpty(chunks);
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count);
    }

    [Fact]
    public async Task AddAsyncAIHttpClient_AuthenticationFailure_NotRetriedAndOneException()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var provider = HttpTestKit.FactoryServices(emulator).BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 401, "INVALID_API_KEY");

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync("hello", cancellationToken: cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Equal("INVALID_API_KEY", error.ErrorCode);
        Assert.Single(await HttpTestKit.HttpRequestsAsync(emulator, 1));
    }

    [Fact]
    public async Task AddAsyncAIHttpClient_RateLimitedWithRetryAfter_HandlerWaitsThatLong()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var provider = HttpTestKit.FactoryServices(emulator).BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "RATE_LIMIT_EXCEEDED", TimeSpan.FromMilliseconds(600));

        await client.SynthesizeAsync("hello", cancellationToken: cts.Token);

        var requests = await HttpTestKit.HttpRequestsAsync(emulator, 2);
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Time - requests[0].Time >= TimeSpan.FromMilliseconds(550));
    }

    [Fact]
    public async Task AddAsyncAIHttpClient_PersistentServerErrors_RetriedOnlyByTheHandler()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var provider = HttpTestKit.FactoryServices(emulator, maxRetries: 2).BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(10, 503);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(client.StreamAsync("hello", cancellationToken: cts.Token), cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.Equal(3, (await HttpTestKit.HttpRequestsAsync(emulator, 3)).Count); // 1 + 2 retries, not (1 + 2) squared
    }

    [Fact]
    public async Task AddAsyncAIHttpClient_ConnectionDropsBeforeFirstAudio_ClientRetries()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var breaker = new BodyBreakingHandler(breakResponses: 1, bytesBeforeBreak: 0);
        var services = HttpTestKit.FactoryServices(emulator);
        services.AddHttpClient(AsyncAIHttpClientServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => breaker);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync("through the factory", cancellationToken: cts.Token), cts.Token);

        Assert.NotEmpty(chunks);
        Assert.Equal(2, breaker.Responses);
    }

    [Fact]
    public void AddAsyncAIHttpClient_NoApiKey_FailsWhenResolved()
    {
        var services = new ServiceCollection();
        services.AddAsyncAIHttpClient(o => o.VoiceId = "v");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<AsyncAIHttpClient>());
        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
    }
}
