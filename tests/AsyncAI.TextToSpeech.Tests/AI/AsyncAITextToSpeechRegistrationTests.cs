#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Tests.Http;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AsyncAI.TextToSpeech.Tests.AI;

/// <summary>Not run in parallel with anything: some tests set the process-wide ASYNCAI_API_KEY variable.</summary>
[CollectionDefinition(nameof(ApiKeyEnvironmentTests), DisableParallelization = true)]
public sealed class ApiKeyEnvironmentTests;

[Collection(nameof(ApiKeyEnvironmentTests))]
public class AsyncAITextToSpeechRegistrationTests
{
    private const string Text = "Registered and speaking.";

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_Configured_ResolvesAClientThatSpeaksThroughTheFactory()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddAsyncAITextToSpeechClient(o => Configure(o, emulator));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 503);

        var response = await client.GetAudioAsync(Text, cancellationToken: cts.Token);

        Assert.Equal(ExpectedBytes(emulator), Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Length);
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count); // the factory's resilience handler retried the 503
        Assert.Same(client, provider.GetRequiredService<ITextToSpeechClient>());
        Assert.NotNull(client.GetService<AsyncAIHttpClient>());
        Assert.Equal(emulator.HttpBaseUrl, client.GetService<TextToSpeechClientMetadata>()!.ProviderUri);
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_NoApiKeyAnywhere_StartupValidationFailsNamingApiKey()
    {
        WithApiKeyVariable(null, () =>
        {
            var services = new ServiceCollection();
            services.AddAsyncAITextToSpeechClient(o => o.BaseUrl = new Uri("http://127.0.0.1:9"));
            using var provider = services.BuildServiceProvider();

            var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

            Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_BadOptionValue_StartupValidationFailsNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddAsyncAITextToSpeechClient(o =>
        {
            o.ApiKey = HttpTestKit.ApiKey;
            o.SampleRate = 5;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(nameof(AsyncAIHttpOptions.SampleRate), error.ParamName);
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_BadValueFromConfiguration_StartupValidationFailsNamingTheOption()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AsyncAI:ApiKey"] = HttpTestKit.ApiKey, ["AsyncAI:SampleRate"] = "5" })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<AsyncAIHttpOptions>().BindConfiguration("AsyncAI");
        services.AddAsyncAITextToSpeechClient();
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var argument = Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Equal(nameof(AsyncAIHttpOptions.SampleRate), argument.ParamName);
        Assert.DoesNotContain(HttpTestKit.ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_BadBitRate_StartupValidationFailsNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddAsyncAITextToSpeechClient(o =>
        {
            o.ApiKey = HttpTestKit.ApiKey;
            o.BitRate = 128; // kbit/s instead of bit/s
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(nameof(AsyncAIHttpOptions.BitRate), error.ParamName);
    }

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_KeyOnlyInEnvironment_UsesIt()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.ApiKeys.Add("sk_from_the_environment");
        await WithApiKeyVariableAsync("sk_from_the_environment", async () =>
        {
            var services = new ServiceCollection();
            services.AddAsyncAITextToSpeechClient(o => o.BaseUrl = emulator.HttpBaseUrl);
            await using var provider = services.BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
            using var cts = HttpTestKit.TimeoutSource();

            var response = await provider.GetRequiredService<ITextToSpeechClient>().GetAudioAsync(Text, cancellationToken: cts.Token);

            Assert.Equal(ExpectedBytes(emulator), Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Length);
        });
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_KeyConfigured_EnvironmentDoesNotOverrideIt()
    {
        WithApiKeyVariable("sk_from_the_environment", () =>
        {
            var services = new ServiceCollection();
            services.AddAsyncAITextToSpeechClient(o => o.ApiKey = "sk_configured");
            using var provider = services.BuildServiceProvider();

            Assert.Equal("sk_configured", provider.GetRequiredService<IOptions<AsyncAIHttpOptions>>().Value.ApiKey);
        });
    }

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_AfterAddAsyncAIHttpClient_ReusesItWithoutASecondRetryLayer()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddAsyncAIHttpClient(o => Configure(o, emulator));
        services.AddAsyncAITextToSpeechClient(o => o.MaxRetries = 1);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(10, 503);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.GetAudioAsync(Text, cancellationToken: cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count); // 1 + MaxRetries, once
    }

    [Fact]
    public async Task AddAsyncAIHttpClient_AfterAddAsyncAITextToSpeechClient_AddsOnlyItsOptionsNotASecondRetryLayer()
    {
        // The other order: the app adds the native client after the adapter (which added it already). A second typed
        // client and a second resilience handler on the same named HttpClient would retry each retry: 1 + 1 became 4.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddAsyncAITextToSpeechClient(o => o.MaxRetries = 1);
        services.AddAsyncAIHttpClient(o => Configure(o, emulator));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(10, 503);

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.GetAudioAsync(Text, cancellationToken: cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count); // 1 + MaxRetries, once
        Assert.Single(services, d => d.ServiceType == typeof(AsyncAIHttpClient));
        Assert.Equal(1, provider.GetRequiredService<IOptions<AsyncAIHttpOptions>>().Value.MaxRetries); // both delegates applied
    }

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_AppRegisteredItsOwnHttpClient_LabelsAudioWithThatClientsFormat()
    {
        // The adapter reuses an AsyncAIHttpClient the app registered itself; the audio's label and the metadata must
        // come from that client (which sends the requests), not from IOptions<AsyncAIHttpOptions> defaults.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var services = new ServiceCollection();
        services.AddSingleton(new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.SampleRate = 16000)));
        services.AddAsyncAITextToSpeechClient(o => o.ApiKey = "sk_only_for_the_options");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await client.GetAudioAsync(Text, cancellationToken: cts.Token);

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Contains("rate=16000", audio.MediaType, StringComparison.Ordinal);
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 16000, "pcm_s16le", emulator.Options.SecondsPerCharacter), audio.Data.Length);
        Assert.Equal(emulator.HttpBaseUrl, client.GetService<TextToSpeechClientMetadata>()!.ProviderUri);
    }

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_AppHasOnlyAKeyedHttpClient_RegistersItsOwnAndLeavesTheKeyedOneAlone()
    {
        // A keyed AsyncAIHttpClient (another key or region, resolved by key) is not the unkeyed client the adapter
        // resolves: the registration must still add its own, with the options given here.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var keyed = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.SampleRate = 16000));
        var services = new ServiceCollection();
        services.AddKeyedSingleton("eu", keyed);
        services.AddAsyncAITextToSpeechClient(o => Configure(o, emulator));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await client.GetAudioAsync(Text, cancellationToken: cts.Token);

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", audio.MediaType);
        Assert.Equal(ExpectedBytes(emulator), audio.Data.Length);
        Assert.NotSame(keyed, client.GetService<AsyncAIHttpClient>());
        Assert.Same(keyed, provider.GetRequiredKeyedService<AsyncAIHttpClient>("eu"));
    }

    [Fact]
    public async Task AddAsyncAITextToSpeechClient_WithLoggingAndOpenTelemetry_MiddlewareWrapsTheAdapter()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        const string SourceName = "AsyncAI.Tests.Meai";
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) { activities.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddAsyncAITextToSpeechClient(o => Configure(o, emulator))
            .UseLogging()
            .UseOpenTelemetry(sourceName: SourceName)
            .ConfigureOptions(o => o.VoiceId ??= "6909a201-b376-4fb1-989a-de5c1304cb26");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ITextToSpeechClient>();
        using var cts = HttpTestKit.TimeoutSource();

        var updates = await Updates.ReadAllAsync(client.GetStreamingAudioAsync(Text, cancellationToken: cts.Token), cts.Token);
        await client.GetAudioAsync(Text, cancellationToken: cts.Token);

        Assert.IsType<LoggingTextToSpeechClient>(client);
        Assert.Equal(ExpectedBytes(emulator), Updates.Audio(updates).Length);
        Assert.Equal(TextToSpeechResponseUpdateKind.SessionClose, updates[^1].Kind);
        Assert.Equal("asyncai", client.GetService<TextToSpeechClientMetadata>()!.ProviderName);
        Assert.NotNull(client.GetService<AsyncAIHttpClient>());
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("GetStreamingAudioAsync", StringComparison.Ordinal));
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains("GetAudioAsync", StringComparison.Ordinal));
        Activity[] traced;
        lock (activities)
        {
            traced = [.. activities];
        }

        Assert.Equal(2, traced.Length);
        Assert.All(traced, a =>
        {
            Assert.Equal("asyncai", a.GetTagItem("gen_ai.provider.name"));
            Assert.Equal("audio", a.GetTagItem("gen_ai.output.type"));
            Assert.Equal(emulator.HttpBaseUrl.Port, a.GetTagItem("server.port"));
        });
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count);
    }

    [Fact]
    public void AddAsyncAITextToSpeechClient_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>("services", () => AsyncAITextToSpeechServiceCollectionExtensions.AddAsyncAITextToSpeechClient(null!));
    }

    [Fact]
    public async Task AddAsyncAIWebSocketTextToSpeechClient_KeyFromEnvironment_StreamsOverOneSharedSocketTheContainerDisposes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.ApiKeys.Add("sk_from_the_environment");
        await WithApiKeyVariableAsync("sk_from_the_environment", async () =>
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddAsyncAIWebSocketTextToSpeechClient(o =>
            {
                o.VoiceId = WebSockets.WebSocketTestSupport.VoiceId;
                o.Url = emulator.WebSocketUrl;
            });
            var provider = services.BuildServiceProvider();
            AsyncAIWebSocketClient socket;
            try
            {
                provider.GetRequiredService<IStartupValidator>().Validate();
                var client = provider.GetRequiredService<ITextToSpeechClient>();
                using var cts = HttpTestKit.TimeoutSource();

                var responses = await Task.WhenAll(client.GetAudioAsync(Text, cancellationToken: cts.Token), client.GetAudioAsync(Text, cancellationToken: cts.Token));

                Assert.All(responses, r => Assert.Equal(ExpectedBytes(emulator), Assert.IsType<DataContent>(Assert.Single(r.Contents)).Data.Length));
                socket = provider.GetRequiredService<AsyncAIWebSocketClient>();
                Assert.Same(socket, client.GetService<AsyncAIWebSocketClient>());
                Assert.Equal(1, emulator.Journal.ConnectionsAccepted);
            }
            finally
            {
                await provider.DisposeAsync();
            }

            Assert.Equal(AsyncAIWebSocketState.Disposed, socket.State);
        });
    }

    [Fact]
    public void AddAsyncAIWebSocketTextToSpeechClient_BadOptionValue_StartupValidationFailsNamingTheOption()
    {
        WithApiKeyVariable(null, () =>
        {
            var services = new ServiceCollection();
            services.AddAsyncAIWebSocketTextToSpeechClient(o =>
            {
                o.ApiKey = HttpTestKit.ApiKey;
                o.VoiceId = WebSockets.WebSocketTestSupport.VoiceId;
                o.Container = "wav";
            });
            using var provider = services.BuildServiceProvider();

            var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

            Assert.Equal(nameof(AsyncAIWebSocketOptions.Container), error.ParamName);
        });
    }

    private static void Configure(AsyncAIHttpOptions options, AsyncAIEmulator emulator)
    {
        options.ApiKey = HttpTestKit.ApiKey;
        options.BaseUrl = emulator.HttpBaseUrl;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        options.UseJitter = false;
    }

    private static int ExpectedBytes(AsyncAIEmulator emulator) =>
        EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter);

    private static void WithApiKeyVariable(string? value, Action test) =>
        WithApiKeyVariableAsync(value, () => { test(); return Task.CompletedTask; }).GetAwaiter().GetResult();

    private static async Task WithApiKeyVariableAsync(string? value, Func<Task> test)
    {
        var name = AsyncAITextToSpeechServiceCollectionExtensions.ApiKeyEnvironmentVariable;
        var saved = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            await test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, saved);
        }
    }
}
