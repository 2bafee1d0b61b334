using System.Net;
using System.Net.Sockets;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpClientErrorTests
{
    public static TheoryData<int, string?, AsyncAIErrorCategory> Failures => new()
    {
        { 401, "INVALID_API_KEY", AsyncAIErrorCategory.Authentication },
        { 403, null, AsyncAIErrorCategory.Authentication },
        { 400, "INVALID_LANGUAGE", AsyncAIErrorCategory.InvalidRequest },
        { 404, "VOICE_NOT_FOUND", AsyncAIErrorCategory.InvalidRequest },
        { 422, "VALIDATION_ERROR", AsyncAIErrorCategory.InvalidRequest },
        { 402, null, AsyncAIErrorCategory.Quota },
        { 429, "USAGE_LIMIT_EXCEEDED", AsyncAIErrorCategory.Quota },
        { 429, "RATE_LIMIT_EXCEEDED", AsyncAIErrorCategory.RateLimited },
        { 429, "TOO_MANY_CONCURRENT_REQUESTS", AsyncAIErrorCategory.RateLimited },
        { 500, null, AsyncAIErrorCategory.Server },
        { 503, null, AsyncAIErrorCategory.Server },
        { 418, null, AsyncAIErrorCategory.Unknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task StreamAsync_FailedStatus_ThrowsOneExceptionWithStatusCodeAndCategory(int status, string? errorCode, AsyncAIErrorCategory category)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 0));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, status, errorCode);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(client.StreamAsync("hello there", cancellationToken: cts.Token), cts.Token));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(category, error.Category);
        if (errorCode is not null)
        {
            Assert.Equal(errorCode, error.ErrorCode);
        }

        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(HttpTestKit.ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.Single(await HttpTestKit.HttpRequestsAsync(emulator, 1));
    }

    [Fact]
    public async Task EveryEndpoint_ServerError_ThrowsServerCategory()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 0));
        using var cts = HttpTestKit.TimeoutSource();
        var voiceId = (await client.ListVoicesAsync(cancellationToken: cts.Token).FirstAsync(cts.Token)).VoiceId;
        Func<Task>[] calls =
        [
            () => client.SynthesizeAsync("hello", cancellationToken: cts.Token),
            () => client.SynthesizeWithTimestampsAsync("hello", cancellationToken: cts.Token),
            () => client.ListVoicesAsync(cancellationToken: cts.Token).ToListAsync(cts.Token).AsTask(),
            () => client.GetVoiceAsync(voiceId, cts.Token),
        ];

        foreach (var call in calls)
        {
            emulator.Options.Faults.FailNextHttpRequests(1, 502);
            var error = await Assert.ThrowsAsync<AsyncAIException>(call);
            Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
            Assert.Equal(502, error.StatusCode);
        }
    }

    [Fact]
    public async Task SynthesizeAsync_UnsupportedLanguage_ThrowsInvalidRequest()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync("hello", new AsyncAIHttpRequestOptions { Language = "xx" }, cts.Token));

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("INVALID_LANGUAGE", error.ErrorCode);
        Assert.Single(await HttpTestKit.HttpRequestsAsync(emulator, 1));
    }

    [Fact]
    public async Task StreamAsync_NothingListening_ThrowsConnectivityAfterRetries()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = HttpTestKit.CreateHttpClient();
        var options = new AsyncAIHttpOptions(HttpTestKit.ApiKey)
        {
            BaseUrl = new Uri($"http://127.0.0.1:{port}"),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            UseJitter = false,
        };
        var client = new AsyncAIHttpClient(http, options);
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(client.StreamAsync("hello", cancellationToken: cts.Token), cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Connectivity, error.Category);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task FailedCall_RecordsOneErrorMetricAndLogsWithoutTheKey()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var errors = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.errors");
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator), loggerFactory);
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 401, "INVALID_API_KEY");

        await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync("hello", cancellationToken: cts.Token));

        var mine = errors.GetMeasurementSnapshot().Where(m => m.Tags.TryGetValue("server.port", out var p) && (int)p! == emulator.HttpBaseUrl.Port).ToList();
        var measurement = Assert.Single(mine);
        Assert.Equal(1, measurement.Value);
        Assert.Equal("authentication", measurement.Tags["error.type"]);
        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("Authentication", StringComparison.Ordinal));
        Assert.All(logs.GetSnapshot(), r => Assert.DoesNotContain(HttpTestKit.ApiKey, r.Message + r.Exception, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, "stream")]
    [InlineData(false, "synthesize")]
    [InlineData(false, "timestamps")]
    [InlineData(false, "voices.list")]
    [InlineData(false, "voices.get")]
    [InlineData(true, "stream")]
    [InlineData(true, "synthesize")]
    [InlineData(true, "timestamps")]
    [InlineData(true, "voices.list")]
    [InlineData(true, "voices.get")]
    public async Task RetriedThenFailedCall_RetryAndErrorMetricsCarryTheSameOperation(bool factory, string operation)
    {
        // One operation, one asyncai.operation value (docs/README.md, "Telemetry"): the retries counted by the client's
        // own pipeline and by the IHttpClientFactory resilience handler are tagged as the call's error is.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var retries = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.retries");
        using var errors = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.errors");
        using var http = HttpTestKit.CreateHttpClient();
        ServiceProvider? provider = null;
        try
        {
            AsyncAIHttpClient client;
            if (factory)
            {
                provider = HttpTestKit.FactoryServices(emulator, maxRetries: 1).BuildServiceProvider();
                client = provider.GetRequiredService<AsyncAIHttpClient>();
            }
            else
            {
                client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 1));
            }

            using var cts = HttpTestKit.TimeoutSource();
            emulator.Options.Faults.FailNextHttpRequests(2, 503);

            await Assert.ThrowsAsync<AsyncAIException>(() => operation switch
            {
                "stream" => HttpTestKit.ReadAllAsync(client.StreamAsync("hello", cancellationToken: cts.Token), cts.Token),
                "synthesize" => client.SynthesizeAsync("hello", cancellationToken: cts.Token),
                "timestamps" => client.SynthesizeWithTimestampsAsync("hello", cancellationToken: cts.Token),
                "voices.list" => client.ListVoicesAsync(cancellationToken: cts.Token).ToListAsync(cts.Token).AsTask(),
                _ => client.GetVoiceAsync("e0f39dc4-f691-4e78-bba5-5c636692cc04", cts.Token),
            });

            var retry = Assert.Single(retries.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));
            var error = Assert.Single(errors.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));
            Assert.Equal(operation, error.Tags["asyncai.operation"]);
            Assert.Equal(operation, retry.Tags["asyncai.operation"]);
            Assert.Equal("server", retry.Tags["error.type"]);
        }
        finally
        {
            if (provider is not null)
            {
                await provider.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Factory_StreamRetriedAfterABrokenBody_RetryMetricCarriesTheStreamOperation()
    {
        // The client's own retry of a body that broke before the first audio (the handler below has seen a 2xx).
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var retries = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.retries");
        var breaker = new BodyBreakingHandler(breakResponses: 1, bytesBeforeBreak: 0);
        var services = HttpTestKit.FactoryServices(emulator);
        services.AddHttpClient(AsyncAIHttpClientServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => breaker);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<AsyncAIHttpClient>();
        using var cts = HttpTestKit.TimeoutSource();

        await HttpTestKit.ReadAllAsync(client.StreamAsync("through the factory", cancellationToken: cts.Token), cts.Token);

        var retry = Assert.Single(retries.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));
        Assert.Equal("stream", retry.Tags["asyncai.operation"]);
        Assert.Equal("connectivity", retry.Tags["error.type"]);
    }

    [Fact]
    public async Task StreamAsync_Success_RecordsCharactersTimeToFirstByteAndAudioSeconds()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var characters = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.characters");
        using var firstByte = new MetricCollector<double>(AsyncAITelemetry.Meter, "asyncai.tts.http.time_to_first_byte");
        using var audio = new MetricCollector<double>(AsyncAITelemetry.Meter, "asyncai.tts.http.audio_duration");
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        const string text = "Measure this sentence.";

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync(text, cancellationToken: cts.Token), cts.Token);

        bool Mine(IReadOnlyDictionary<string, object?> tags) => tags.TryGetValue("server.port", out var p) && (int)p! == emulator.HttpBaseUrl.Port;
        Assert.Equal(text.Length, characters.GetMeasurementSnapshot().Where(m => Mine(m.Tags)).Sum(m => m.Value));
        Assert.Single(firstByte.GetMeasurementSnapshot(), m => Mine(m.Tags));
        var seconds = chunks.Sum(c => c.Duration!.Value.TotalSeconds);
        Assert.Equal(seconds, audio.GetMeasurementSnapshot().Where(m => Mine(m.Tags)).Sum(m => m.Value), 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CancelledBeforeTheRequestWasSent_RecordsNoCharacters(bool stream)
    {
        // The characters metric is the text the service accepted (docs/README.md, "Telemetry"): a call cancelled before
        // its request went out never reached the service.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var characters = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.characters");
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream
            ? HttpTestKit.ReadAllAsync(client.StreamAsync("Never sent.", cancellationToken: cancelled.Token), CancellationToken.None)
            : client.SynthesizeAsync("Never sent.", cancellationToken: cancelled.Token));

        Assert.Empty(HttpTestKit.HttpRequests(emulator));
        Assert.DoesNotContain(characters.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));
    }

    [Fact]
    public async Task RefusedRequest_RecordsNoCharacters_AndARetryTheServiceAcceptsRecordsThemOnce()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var characters = new MetricCollector<long>(AsyncAITelemetry.Meter, "asyncai.tts.http.characters");
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        const string text = "Counted when accepted.";

        emulator.Options.Faults.FailNextHttpRequests(1, 401, "INVALID_API_KEY");
        await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync(text, cancellationToken: cts.Token));
        Assert.DoesNotContain(characters.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));

        emulator.Options.Faults.FailNextHttpRequests(1, 503);
        await client.SynthesizeAsync(text, cancellationToken: cts.Token);

        var measurement = Assert.Single(characters.GetMeasurementSnapshot(), m => OnPort(m.Tags, emulator));
        Assert.Equal(text.Length, measurement.Value);
        Assert.Equal(3, (await HttpTestKit.HttpRequestsAsync(emulator, 3)).Count);
    }

    private static bool OnPort(IReadOnlyDictionary<string, object?> tags, AsyncAIEmulator emulator) =>
        tags.TryGetValue("server.port", out var port) && (int)port! == emulator.HttpBaseUrl.Port;
}
