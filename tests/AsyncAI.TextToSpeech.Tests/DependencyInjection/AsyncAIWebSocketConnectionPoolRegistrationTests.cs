using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.DependencyInjection;

public sealed class AsyncAIWebSocketConnectionPoolRegistrationTests
{
    [Fact]
    public async Task AddAsyncAIWebSocketConnectionPool_ResolvesOneConfiguredPoolOnTheRegisteredClockDisposedWithTheContainer()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddAsyncAIWebSocketConnectionPool(o => o.MaxLeasesPerConnection = 1);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var pool = provider.GetRequiredService<AsyncAIWebSocketConnectionPool>();
        Assert.Same(pool, provider.GetRequiredService<AsyncAIWebSocketConnectionPool>());

        // MaxLeasesPerConnection = 1: two leases, two clients.
        using var first = pool.Lease(Options(emulator.WebSocketUrl));
        var second = pool.Lease(Options(emulator.WebSocketUrl));
        Assert.NotSame(first.Client, second.Client);

        // The idle timeout runs on the registered clock.
        await second.Client.ConnectAsync();
        second.Dispose();
        clock.Advance(new AsyncAIWebSocketConnectionPoolOptions().IdleTimeout);
        await Within(emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, Patience), "the idle socket to close on the registered clock");

        await provider.DisposeAsync();
        Assert.Equal(AsyncAIWebSocketState.Disposed, first.Client.State);
        Assert.Throws<ObjectDisposedException>(() => pool.Lease(Options(emulator.WebSocketUrl)));
    }

    [Fact]
    public void AddAsyncAIWebSocketConnectionPool_InvalidOption_StartupValidationNamesIt()
    {
        var services = new ServiceCollection();
        services.AddAsyncAIWebSocketConnectionPool(o => o.MaxLeasesPerConnection = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("MaxLeasesPerConnection", error.ParamName);
    }
}
