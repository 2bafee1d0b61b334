namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>The use of one <see cref="AsyncAIWebSocketConnectionPool"/> client; dispose it to give the client back.</summary>
/// <remarks>
/// The client is shared: create contexts on it and connect it, but do not dispose it, and disconnect it only when its
/// session as such is unusable (every user sent the same init). Its events are raised for every lease's user, on one
/// event loop, so a slow handler delays the others; unsubscribe before returning the lease.
/// </remarks>
public sealed class AsyncAIWebSocketConnectionLease : IDisposable
{
    private readonly AsyncAIWebSocketConnectionPool _pool;
    private readonly AsyncAIWebSocketConnectionPool.Entry _entry;
    private int _returned;

    internal AsyncAIWebSocketConnectionLease(AsyncAIWebSocketConnectionPool pool, AsyncAIWebSocketConnectionPool.Entry entry)
    {
        _pool = pool;
        _entry = entry;
    }

    /// <summary>Gets the shared client.</summary>
    public AsyncAIWebSocketClient Client => _entry.Client;

    /// <summary>Gives the client back to the pool (once; later calls do nothing). Its contexts should have ended.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            _pool.Return(_entry);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"AsyncAIWebSocketConnectionLease {{ Client = {Client} }}";
}
