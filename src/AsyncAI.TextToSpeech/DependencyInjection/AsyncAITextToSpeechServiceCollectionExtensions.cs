#pragma warning disable MEAI001 // ITextToSpeechClient and TextToSpeechClientBuilder are experimental in Microsoft.Extensions.AI 10.11.0; this surface is marked the same way.

using System.Diagnostics.CodeAnalysis;
using AsyncAI.TextToSpeech.AI;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Async engine as the application's Microsoft.Extensions.AI <see cref="ITextToSpeechClient"/>.</summary>
[Experimental("MEAI001", UrlFormat = "https://aka.ms/dotnet-extensions-warnings/{0}")]
public static class AsyncAITextToSpeechServiceCollectionExtensions
{
    /// <summary>The environment variable the API key is read from when the options do not set one.</summary>
    public const string ApiKeyEnvironmentVariable = "ASYNCAI_API_KEY";

    /// <summary>
    /// Registers an <see cref="ITextToSpeechClient"/> backed by <see cref="AsyncAIHttpClient"/> through
    /// Microsoft.Extensions.AI's <c>AddTextToSpeechClient</c>, and returns its builder so middleware can be chained
    /// (<c>.UseLogging()</c>, <c>.UseOpenTelemetry()</c>, <c>.ConfigureOptions(...)</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Sets the <see cref="AsyncAIHttpOptions"/>, or null to use options configured elsewhere (for example
    /// <c>services.AddOptions&lt;AsyncAIHttpOptions&gt;().BindConfiguration("AsyncAI")</c>). When no API key is set, the
    /// <see cref="ApiKeyEnvironmentVariable"/> environment variable supplies it.
    /// </param>
    /// <param name="lifetime">The lifetime of the <see cref="ITextToSpeechClient"/>. The default is singleton.</param>
    /// <returns>The builder of the registered client.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// The HTTP client is the one <c>AddAsyncAIHttpClient</c> registers (IHttpClientFactory, resilience handler); it is
    /// added here unless an unkeyed <see cref="AsyncAIHttpClient"/> is already registered (a keyed one does not count), in which case <paramref name="configure"/> only adds to its options. The
    /// adapter resolves that typed client per request, so a singleton adapter does not pin one handler.
    /// </para>
    /// <para>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>): a missing key fails the start with an
    /// error naming <see cref="AsyncAIHttpOptions.ApiKey"/>, and a bad value set by <paramref name="configure"/> throws the
    /// option's <see cref="ArgumentException"/> naming it. Without a host, resolve <see cref="IStartupValidator"/> and
    /// call <c>Validate()</c>, or the first resolution of the client reports the same errors.
    /// </para>
    /// </remarks>
    public static TextToSpeechClientBuilder AddAsyncAITextToSpeechClient(
        this IServiceCollection services,
        Action<AsyncAIHttpOptions>? configure = null,
        ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Only an unkeyed client is the one the adapter resolves: a keyed AsyncAIHttpClient (another key or region) is
        // the app's own, and must not stop this registration from adding the client it needs.
        if (services.Any(static descriptor => descriptor.ServiceType == typeof(AsyncAIHttpClient) && !descriptor.IsKeyedService))
        {
            if (configure is not null)
            {
                services.Configure(configure);
            }
        }
        else
        {
            services.AddAsyncAIHttpClient(configure ?? (static _ => { }));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AsyncAIHttpOptions>, ApiKeyFromEnvironment>());
        SetterErrorUnwrappingOptionsFactory<AsyncAIHttpOptions>.Register(services);
        services.AddOptions<AsyncAIHttpOptions>().ValidateOnStart();

        // The defaults (format, model, URL) are the resolved client's own: an AsyncAIHttpClient the app registered
        // itself need not have been built from IOptions<AsyncAIHttpOptions>, and the audio is labelled by what it asks for.
        return services.AddTextToSpeechClient(
            static provider => new AsyncAITextToSpeechClient(
                provider.GetRequiredService<AsyncAIHttpClient>,
                provider.GetRequiredService<AsyncAIHttpClient>().Options),
            lifetime);
    }

    /// <summary>
    /// Registers an <see cref="ITextToSpeechClient"/> that streams over one shared <see cref="AsyncAIWebSocketClient"/>
    /// (a singleton the container creates, connects on first use and disposes), one Async context per call, and returns
    /// its builder so middleware can be chained.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Sets the <see cref="AsyncAIWebSocketOptions"/> (voice, model, language and format are the socket's, fixed for
    /// every call), or null to use options configured elsewhere. When no API key is set, the
    /// <see cref="ApiKeyEnvironmentVariable"/> environment variable supplies it. A registered <see cref="ILoggerFactory"/>
    /// and <see cref="TimeProvider"/> are used unless the options set their own.
    /// </param>
    /// <param name="lifetime">The lifetime of the <see cref="ITextToSpeechClient"/>. The default is singleton.</param>
    /// <returns>The builder of the registered client.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>): an invalid value fails the start with the
    /// option's <see cref="ArgumentException"/>. The <see cref="AsyncAIWebSocketClient"/> is also resolvable on its own. It
    /// implements only <see cref="IAsyncDisposable"/>, so dispose the provider with <c>DisposeAsync</c> (hosts do).
    /// </remarks>
    public static TextToSpeechClientBuilder AddAsyncAIWebSocketTextToSpeechClient(
        this IServiceCollection services,
        Action<AsyncAIWebSocketOptions>? configure = null,
        ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsRegistration.AddSelfValidating(services, configure, static o => o.Validate());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AsyncAIWebSocketOptions>, ApiKeyFromEnvironment>());
        services.TryAddSingleton(static provider =>
        {
            var configured = provider.GetRequiredService<IOptions<AsyncAIWebSocketOptions>>().Value.Clone();
            if (ReferenceEquals(configured.LoggerFactory, Logging.Abstractions.NullLoggerFactory.Instance) && provider.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                configured.LoggerFactory = loggerFactory;
            }

            configured.TimeProvider = OptionsRegistration.RegisteredUnlessSet(configured.TimeProvider, provider);
            return new AsyncAIWebSocketClient(configured);
        });

        return services.AddTextToSpeechClient(
            static provider => new AsyncAIWebSocketTextToSpeechClient(provider.GetRequiredService<AsyncAIWebSocketClient>()),
            lifetime);
    }

    /// <summary>Fills a missing API key from <see cref="ApiKeyEnvironmentVariable"/> after every Configure has run.</summary>
    private sealed class ApiKeyFromEnvironment : IPostConfigureOptions<AsyncAIHttpOptions>, IPostConfigureOptions<AsyncAIWebSocketOptions>
    {
        public void PostConfigure(string? name, AsyncAIHttpOptions options)
        {
            if (!options.HasApiKey && FromEnvironment() is { } key)
            {
                options.ApiKey = key;
            }
        }

        public void PostConfigure(string? name, AsyncAIWebSocketOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.ApiKey) && FromEnvironment() is { } key)
            {
                options.ApiKey = key;
            }
        }

        private static string? FromEnvironment() =>
            Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) is { } key && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;
    }
}
