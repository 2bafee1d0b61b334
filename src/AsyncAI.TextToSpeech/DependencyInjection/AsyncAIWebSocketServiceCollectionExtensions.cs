using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Async WebSocket building blocks that hosts share, such as one connection pool for all pipelines.</summary>
public static class AsyncAIWebSocketServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="AsyncAIWebSocketConnectionPool"/> for the application (a singleton the container
    /// disposes), for example for the pipelines' <c>AsyncAITtsService(pool, options)</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the pool's options, or null for the defaults (or options configured elsewhere).</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>); a bad value throws the option's
    /// <see cref="ArgumentException"/>, which names it. When the options keep <see cref="TimeProvider.System"/>, a registered
    /// <see cref="TimeProvider"/> drives the idle timeout instead. Dispose the container only after the pipelines that
    /// use the pool have ended: disposing the pool closes every socket, leased or not. The pool is only
    /// <see cref="IAsyncDisposable"/> (closing sockets is asynchronous), so dispose a container that resolved it with
    /// <c>DisposeAsync</c> (the generic host does); a synchronous <c>Dispose</c> throws <see cref="InvalidOperationException"/>.
    /// </remarks>
    public static IServiceCollection AddAsyncAIWebSocketConnectionPool(this IServiceCollection services, Action<AsyncAIWebSocketConnectionPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsRegistration.AddSelfValidating(services, configure, static o => o.Validate());
        services.TryAddSingleton(static provider =>
        {
            var configured = provider.GetRequiredService<IOptions<AsyncAIWebSocketConnectionPoolOptions>>().Value.Clone();
            configured.TimeProvider = OptionsRegistration.RegisteredUnlessSet(configured.TimeProvider, provider);
            return new AsyncAIWebSocketConnectionPool(configured);
        });
        return services;
    }
}
