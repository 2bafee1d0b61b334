using System.Globalization;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>
/// Shares Async WebSocket connections among users whose connections would be the same: one socket, many contexts.
/// </summary>
/// <remarks>
/// <para>
/// Async fixes the endpoint, API key, version, voice, model, language and output format per connection (its init
/// message) and multiplexes contexts over it. <see cref="Lease"/> therefore hands out a client whose connection has the
/// same values, shared by up to <see cref="AsyncAIWebSocketConnectionPoolOptions.MaxLeasesPerConnection"/> leases, and
/// opens another client when every matching one is full. The other options (keepalive, timeouts, reconnect policy,
/// logging, clock) are those of the lease that created the client.
/// </para>
/// <para>
/// A lease's user connects the client itself (<see cref="AsyncAIWebSocketClient.ConnectAsync"/> returns at once when
/// it is already connected) and must not dispose or disconnect it for others; it returns the lease instead. A client
/// that failed for good (<see cref="AsyncAIWebSocketState.Failed"/>) is not handed out again: the next lease gets a new
/// one. A client without leases closes after <see cref="AsyncAIWebSocketConnectionPoolOptions.IdleTimeout"/>.
/// </para>
/// <para>
/// How many contexts the real service allows on one socket is not documented; the default of 16 leases (a pipeline has
/// one or two contexts open at a time) is a guess. The emulator's own limit (256 open contexts per socket, answered with
/// <c>TOO_MANY_CONTEXTS</c>) is a guess too, so it cannot confirm this one.
/// </para>
/// </remarks>
public sealed class AsyncAIWebSocketConnectionPool : IAsyncDisposable
{
    private readonly AsyncAIWebSocketConnectionPoolOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<Entry> _open = [];
    private readonly List<Task> _closing = [];
    private Task? _disposal; // set under the lock before any close starts, so it also says "disposed"

    /// <summary>Initializes a new pool. Nothing connects until a lease's user connects its client.</summary>
    /// <param name="options">The options; null for the defaults. Validated and copied.</param>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    public AsyncAIWebSocketConnectionPool(AsyncAIWebSocketConnectionPoolOptions? options = null)
    {
        options ??= new AsyncAIWebSocketConnectionPoolOptions();
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>Gets how many clients the pool holds and has not closed (leased, idle, or failed but still leased).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Leases a client for connections with these options: a shared one with room, or a new one.</summary>
    /// <param name="options">The connection's options; validated.</param>
    /// <returns>The lease; dispose it to give the client back.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    public AsyncAIWebSocketConnectionLease Lease(AsyncAIWebSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var key = KeyOf(options);
        List<Entry>? unusable = null;
        Entry entry;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposal is not null, this);
            if (!_entries.TryGetValue(key, out var list))
            {
                list = [];
                _entries.Add(key, list);
            }

            Entry? chosen = null;
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var candidate = list[i];
                if (IsUnusable(candidate.Client))
                {
                    // Failed for good (or disposed by a careless user): never handed out again; closed once unleased.
                    list.RemoveAt(i);
                    candidate.Indexed = false;
                    candidate.StopIdleTimer();
                    if (candidate.Leases == 0)
                    {
                        (unusable ??= []).Add(candidate);
                    }

                    continue;
                }

                // Fill the fullest client with room, so sockets carry as many contexts as allowed.
                if (candidate.Leases < _options.MaxLeasesPerConnection && (chosen is null || candidate.Leases > chosen.Leases))
                {
                    chosen = candidate;
                }
            }

            entry = chosen ?? AddEntry(key, list, options);
            entry.Leases++;
            entry.StopIdleTimer();
        }

        if (unusable is not null)
        {
            foreach (var stale in unusable)
            {
                Close(stale);
            }
        }

        return new AsyncAIWebSocketConnectionLease(this, entry);
    }

    /// <summary>Disposes every client, leased or not (return the leases first), and waits until they have closed.</summary>
    /// <returns>A task that completes when every client has been disposed; every call waits for the same closes.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"AsyncAIWebSocketConnectionPool {{ Connections = {ConnectionCount}, MaxLeasesPerConnection = {_options.MaxLeasesPerConnection} }}");

    internal void Return(Entry entry)
    {
        var closeNow = false;
        lock (_lock)
        {
            entry.Leases--;
            if (entry.Leases > 0)
            {
                return;
            }

            if (!entry.Indexed)
            {
                closeNow = true; // failed for good, or the pool was disposed (then this does nothing)
            }
            else if (_options.IdleTimeout == TimeSpan.Zero || IsUnusable(entry.Client))
            {
                Unindex(entry);
                closeNow = true;
            }
            else
            {
                var generation = ++entry.IdleGeneration;
                entry.IdleTimer = _options.TimeProvider.CreateTimer(
                    static state =>
                    {
                        var (idle, armed) = ((Entry, int))state!;
                        idle.Pool.OnIdleTimeout(idle, armed);
                    },
                    (entry, generation),
                    _options.IdleTimeout,
                    Timeout.InfiniteTimeSpan);
            }
        }

        if (closeNow)
        {
            Close(entry);
        }
    }

    /// <summary>What the init message and the URL fix; the API key is part of it, so the key never leaves the pool.</summary>
    private static string KeyOf(AsyncAIWebSocketOptions options) => string.Join(
        '\n',
        options.Url.AbsoluteUri,
        options.ApiKey,
        options.Version,
        options.VoiceId,
        options.Model,
        options.Language is null ? string.Empty : AsyncAILanguages.Normalize(options.Language.Trim()),
        options.Container,
        options.Encoding,
        options.SampleRate.ToString(CultureInfo.InvariantCulture));

    private Entry AddEntry(string key, List<Entry> list, AsyncAIWebSocketOptions options)
    {
        var entry = new Entry(this, new AsyncAIWebSocketClient(options), key, list);
        list.Add(entry);
        _open.Add(entry);
        return entry;
    }

    private static bool IsUnusable(AsyncAIWebSocketClient client) =>
        client.State is AsyncAIWebSocketState.Failed or AsyncAIWebSocketState.Disposed;

    private async Task DisposeCoreAsync()
    {
        List<Entry> all;
        lock (_lock)
        {
            all = [.. _open];
            _entries.Clear();
            foreach (var entry in all)
            {
                entry.Indexed = false;
                entry.StopIdleTimer();
            }
        }

        foreach (var entry in all)
        {
            Close(entry);
        }

        Task[] closing;
        lock (_lock)
        {
            closing = [.. _closing];
            _closing.Clear();
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    private void OnIdleTimeout(Entry entry, int generation)
    {
        lock (_lock)
        {
            if (entry.Leases > 0 || !entry.Indexed || entry.IdleTimer is null || entry.IdleGeneration != generation)
            {
                return; // leased again (or closed, or re-armed) since this timer was armed
            }

            entry.StopIdleTimer();
            Unindex(entry);
        }

        Close(entry);
    }

    /// <summary>Under <see cref="_lock"/>.</summary>
    private void Unindex(Entry entry)
    {
        entry.Indexed = false;
        entry.List.Remove(entry);
        if (entry.List.Count == 0)
        {
            _entries.Remove(entry.Key);
        }
    }

    private void Close(Entry entry)
    {
        lock (_lock)
        {
            if (!_open.Remove(entry))
            {
                return; // closed already
            }

            // The pool owns the disposal (DisposeAsync awaits every close still running); it runs off this lock.
            _closing.RemoveAll(static task => task.IsCompleted);
            _closing.Add(Task.Run(() => entry.Client.DisposeAsync().AsTask()));
        }
    }

    /// <summary>One pooled client. Its fields are guarded by the pool's lock.</summary>
    internal sealed class Entry(AsyncAIWebSocketConnectionPool pool, AsyncAIWebSocketClient client, string key, List<Entry> list)
    {
        public AsyncAIWebSocketConnectionPool Pool { get; } = pool;

        public AsyncAIWebSocketClient Client { get; } = client;

        public string Key { get; } = key;

        public List<Entry> List { get; } = list;

        public int Leases { get; set; }

        public bool Indexed { get; set; } = true;

        public ITimer? IdleTimer { get; set; }

        /// <summary>Counts the idle timers armed, so a timer that fires after being replaced does nothing.</summary>
        public int IdleGeneration { get; set; }

        public void StopIdleTimer()
        {
            IdleTimer?.Dispose();
            IdleTimer = null;
        }
    }
}
