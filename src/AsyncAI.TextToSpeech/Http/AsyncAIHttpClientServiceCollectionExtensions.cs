using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="AsyncAIHttpClient"/> as a typed client of IHttpClientFactory.</summary>
public static class AsyncAIHttpClientServiceCollectionExtensions
{
    /// <summary>The name of the HTTP client the registration configures.</summary>
    public const string HttpClientName = "AsyncAI.TextToSpeech.Http";

    /// <summary>
    /// Registers <see cref="AsyncAIHttpClient"/> as a typed client on a named <see cref="HttpClient"/>
    /// (<see cref="HttpClientName"/>) whose resilience handler retries rate-limited, server and connectivity failures.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="AsyncAIHttpOptions.ApiKey"/> is required.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the primary handler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    /// <remarks>
    /// Calling it again (also after <c>AddAsyncAITextToSpeechClient</c>, which calls it) only adds <paramref name="configure"/>
    /// to the options: the typed client and its resilience handler are registered once, so retries are never nested.
    /// The options are validated when the first client is resolved: a missing key throws <see cref="OptionsValidationException"/>.
    /// The handler retries failed responses and connection failures before a response reaches the client; the client
    /// itself retries only a connection lost while reading a 2xx body, and a stream only before its first audio was
    /// handed out. Both take their clock from a registered <see cref="TimeProvider"/>.
    /// </remarks>
    public static IHttpClientBuilder AddAsyncAIHttpClient(this IServiceCollection services, Action<AsyncAIHttpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        // Registered once: a second typed client and a second resilience handler on the same named HttpClient would
        // retry every retry (AddAsyncAITextToSpeechClient calls this too, and the app may call it after that).
        if (services.Any(static descriptor => descriptor.ServiceType == typeof(Registered)))
        {
            services.Configure(configure);
            return services.AddHttpClient(HttpClientName);
        }

        services.AddSingleton(new Registered());
        SetterErrorUnwrappingOptionsFactory<AsyncAIHttpOptions>.Register(services);
        services.AddOptions<AsyncAIHttpOptions>()
            .Configure(configure)
            .Validate(static options => options.HasApiKey, "AsyncAIHttpOptions.ApiKey is required: set it to the key from your async.com dashboard.");

        var builder = services.AddHttpClient(HttpClientName);
        builder.AddTypedClient(
            static (HttpClient httpClient, IServiceProvider provider) => new AsyncAIHttpClient(
                httpClient,
                provider.GetRequiredService<IOptions<AsyncAIHttpOptions>>().Value,
                provider.GetService<ILoggerFactory>(),
                provider.GetService<TimeProvider>(),
                resilienceHandlerRetries: true));

        builder.AddResilienceHandler("AsyncAI", static (pipeline, context) =>
        {
            var provider = context.ServiceProvider;
            var options = provider.GetRequiredService<IOptions<AsyncAIHttpOptions>>().Value;
            var logger = (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<AsyncAIHttpClient>();
            AsyncAIHttpRetry.AddTo(pipeline, options, provider.GetService<TimeProvider>() ?? TimeProvider.System, logger, AsyncAIHttpMetrics.ServerTags(options.BaseUrl));
        });

        return builder;
    }

    /// <summary>Marks a service collection where <see cref="AddAsyncAIHttpClient"/> has run.</summary>
    private sealed class Registered;
}
