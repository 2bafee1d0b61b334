using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Time.Testing;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public sealed class AsyncAIWebSocketConnectionPoolTests : IAsyncLifetime
{
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Lease_SameConnectionSettings_ShareOneSocketAndEachContextGetsItsOwnAudio()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        using var first = pool.Lease(Options(_emulator.WebSocketUrl));
        using var second = pool.Lease(Options(_emulator.WebSocketUrl, o => o.KeepAliveInterval = TimeSpan.FromSeconds(5)));

        Assert.Same(first.Client, second.Client);
        await Task.WhenAll(first.Client.ConnectAsync(), second.Client.ConnectAsync());
        string[] texts = ["Spoken through the first lease.", "And this one through the second, a little longer."];
        var contexts = new[] { first.Client.CreateContext(), second.Client.CreateContext() };
        var runs = contexts.Select(async (context, i) =>
        {
            var reading = ReadAllAsync(context);
            await context.SendTextAsync(texts[i]);
            await context.CompleteAsync();
            return await reading;
        }).ToArray();
        var results = await Within(Task.WhenAll(runs), "both contexts to complete");

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(ExpectedBytes(texts[i], _emulator), results[i].Audio.Length);
            AssertContinuousTone(results[i].Audio);
        }

        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(1, pool.ConnectionCount);
    }

    [Theory]
    [InlineData("voice")]
    [InlineData("model")]
    [InlineData("language")]
    [InlineData("rate")]
    [InlineData("key")]
    public async Task Lease_DifferentInitOrKey_GetsItsOwnClient(string difference)
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        using var first = pool.Lease(Options(_emulator.WebSocketUrl, o => o.Language = "en"));
        using var second = pool.Lease(Options(_emulator.WebSocketUrl, o =>
        {
            o.Language = "en";
            switch (difference)
            {
                case "voice": o.VoiceId = "90d6984b-662b-4012-bed1-6a6cd51b8d1b"; break;
                case "model": o.Model = "async_flash_v1.5"; break;
                case "language": o.Language = "de"; break;
                case "rate": o.SampleRate = 16000; break;
                default: o.ApiKey = "sk_another_key"; break;
            }
        }));

        Assert.NotSame(first.Client, second.Client);
        Assert.Equal(2, pool.ConnectionCount);
    }

    [Fact]
    public async Task Lease_LanguageSpelledDifferently_SharesTheClient()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        using var first = pool.Lease(Options(_emulator.WebSocketUrl, o => o.Language = "de-DE"));
        using var second = pool.Lease(Options(_emulator.WebSocketUrl, o => o.Language = " de_de "));

        Assert.Same(first.Client, second.Client);
    }

    [Fact]
    public async Task Lease_ConnectionFull_OpensAnotherAndFillsTheFullestFirst()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { MaxLeasesPerConnection = 2 });
        var leases = Enumerable.Range(0, 5).Select(_ => pool.Lease(Options(_emulator.WebSocketUrl))).ToList();

        Assert.Equal(3, leases.Select(l => l.Client).Distinct().Count());
        Assert.Same(leases[0].Client, leases[1].Client);
        Assert.Same(leases[2].Client, leases[3].Client);

        // A freed slot is reused before a new client is opened, on the fullest client with room (not the idle one).
        leases[1].Dispose();
        leases[4].Dispose();
        var again = pool.Lease(Options(_emulator.WebSocketUrl));
        Assert.Same(leases[0].Client, again.Client);
        Assert.Equal(3, pool.ConnectionCount);
    }

    [Fact]
    public async Task Return_IdleTimeout_ClosesTheUnleasedClientAndOnlyThen()
    {
        var clock = new FakeTimeProvider();
        await using var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock });
        var lease = pool.Lease(Options(_emulator.WebSocketUrl));
        var client = lease.Client;
        await client.ConnectAsync();

        lease.Dispose();
        lease.Dispose(); // a second return does nothing
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, pool.ConnectionCount); // a close would show here at once (the client's own dispose runs later)

        // Leased again within the idle time: the same socket, and the timer no longer applies.
        var again = pool.Lease(Options(_emulator.WebSocketUrl));
        Assert.Same(client, again.Client);
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, pool.ConnectionCount);
        Assert.Equal(AsyncAIWebSocketState.Connected, client.State);

        again.Dispose();
        clock.Advance(TimeSpan.FromSeconds(30));
        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, Patience), "the pool to close the idle socket");
        Assert.Equal(0, pool.ConnectionCount);
        Assert.NotSame(client, pool.Lease(Options(_emulator.WebSocketUrl)).Client);
    }

    [Fact]
    public async Task Return_ZeroIdleTimeout_ClosesAtOnce()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { IdleTimeout = TimeSpan.Zero });
        var lease = pool.Lease(Options(_emulator.WebSocketUrl));
        await lease.Client.ConnectAsync();

        lease.Dispose();

        await Within(_emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, Patience), "the socket to close");
        Assert.Equal(0, pool.ConnectionCount);
    }

    [Fact]
    public async Task Lease_ClientFailedForGood_IsNotHandedOutAgain()
    {
        _emulator.Options.ApiKeys.Add(ApiKey);
        await using var pool = new AsyncAIWebSocketConnectionPool();
        using var rejected = pool.Lease(Options(_emulator.WebSocketUrl, o => o.ApiKey = "sk_wrong"));
        await Assert.ThrowsAsync<AsyncAIException>(() => rejected.Client.ConnectAsync());
        Assert.Equal(AsyncAIWebSocketState.Failed, rejected.Client.State);

        using var next = pool.Lease(Options(_emulator.WebSocketUrl, o => o.ApiKey = "sk_wrong"));

        Assert.NotSame(rejected.Client, next.Client);
        Assert.Equal(AsyncAIWebSocketState.Disconnected, next.Client.State);
    }

    [Fact]
    public async Task Return_LastLeaseOfAFailedClient_ClosesItAtOnce()
    {
        _emulator.Options.ApiKeys.Add(ApiKey);
        await using var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { TimeProvider = new FakeTimeProvider() });
        var lease = pool.Lease(Options(_emulator.WebSocketUrl, o => o.ApiKey = "sk_wrong"));
        await Assert.ThrowsAsync<AsyncAIException>(() => lease.Client.ConnectAsync());

        lease.Dispose();

        Assert.Equal(0, pool.ConnectionCount); // not left idling until IdleTimeout
    }

    [Fact]
    public async Task DisposeAsync_CalledTwiceConcurrently_BothWaitForTheCloses()
    {
        var pool = new AsyncAIWebSocketConnectionPool();
        var lease = pool.Lease(Options(_emulator.WebSocketUrl));
        await lease.Client.ConnectAsync();

        var first = pool.DisposeAsync().AsTask();
        var second = pool.DisposeAsync().AsTask();
        await Within(second, "the second disposal");

        Assert.Equal(AsyncAIWebSocketState.Disposed, lease.Client.State);
        await Within(first, "the first disposal");
    }

    [Fact]
    public async Task DisposeAsync_ClosesEveryClientAndRefusesNewLeases()
    {
        var pool = new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { MaxLeasesPerConnection = 1 });
        var leases = new[] { pool.Lease(Options(_emulator.WebSocketUrl)), pool.Lease(Options(_emulator.WebSocketUrl)) };
        await Task.WhenAll(leases.Select(l => l.Client.ConnectAsync()));

        await Within(pool.DisposeAsync().AsTask(), "the pool to close");

        Assert.All(leases, l => Assert.Equal(AsyncAIWebSocketState.Disposed, l.Client.State));
        Assert.Throws<ObjectDisposedException>(() => pool.Lease(Options(_emulator.WebSocketUrl)));
        leases[0].Dispose(); // returning a lease after disposal is harmless
        Assert.Equal(0, pool.ConnectionCount);
    }

    [Fact]
    public void Options_Invalid_FailWithTheOptionsName()
    {
        Assert.Throws<ArgumentOutOfRangeException>("MaxLeasesPerConnection", () => new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { MaxLeasesPerConnection = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("IdleTimeout", () => new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { IdleTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentNullException>("TimeProvider", () => new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { TimeProvider = null! }));
    }

    [Fact]
    public void Options_IdleTimeoutBeyondTheRuntimeLimit_FailsWithTheOptionsName()
    {
        // The runtime's timers refuse due times over ~49.7 days; the pool arms one with IdleTimeout when a lease is returned.
        Assert.Throws<ArgumentOutOfRangeException>("IdleTimeout", () => new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { IdleTimeout = TimeSpan.MaxValue }));
        Assert.Throws<ArgumentOutOfRangeException>("IdleTimeout", () => new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { IdleTimeout = TimeSpan.FromDays(50) }));
    }

    [Fact]
    public async Task Lease_InvalidOptions_FailWithTheOptionsNameAndKeyNeverShows()
    {
        await using var pool = new AsyncAIWebSocketConnectionPool();
        Assert.Throws<ArgumentException>("VoiceId", () => pool.Lease(Options(_emulator.WebSocketUrl, o => o.VoiceId = "")));

        using var lease = pool.Lease(Options(_emulator.WebSocketUrl));
        Assert.DoesNotContain(ApiKey, lease.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, pool.ToString(), StringComparison.Ordinal);
    }
}
