using System.Runtime.CompilerServices;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.WebSockets;
using AsyncAI.TextToSpeech.WebSockets.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>Async text-to-speech over its WebSocket API: one socket, one Async context per turn, audio streamed as it arrives.</summary>
/// <remarks>
/// <para>
/// The socket opens when the <see cref="StartFrame"/> arrives (at <see cref="TtsService.SampleRate"/>: the
/// <see cref="AsyncAITtsOptionsBase.SampleRate"/> option, or the pipeline's rate) and closes, bounded by
/// <see cref="AsyncAITtsServiceOptions.CloseTimeout"/>, at <see cref="EndFrame"/> or <see cref="CancelFrame"/>. Each turn
/// (or <see cref="TtsSpeakFrame"/>) is one Async context whose id is the turn's context id. Sentences are sent with a
/// trailing space and tokens unchanged, always with <c>force: true</c>. At the end of a turn the context's input is ended
/// and its <see cref="TtsStoppedFrame"/> follows as soon as the server's <c>final</c> arrives; then <c>close_context</c>
/// frees it. An interruption sends <c>close_context</c> for every open context and drops their late audio.
/// </para>
/// <para>
/// Voice, model and language are fixed per connection by Async's init message. A <see cref="TtsUpdateSettingsFrame"/>
/// that changes one of them therefore takes effect at the next context, which opens a new connection first; the old one
/// closes once its contexts have finished, so audio already on its way is not cut.
/// </para>
/// <para>
/// Errors reach the pipeline as upstream <see cref="ErrorFrame"/>s (one per failure) with the failure's category, and the
/// connection events are raised as <see cref="TtsService.Connected"/>, <see cref="TtsService.Disconnected"/> and
/// <see cref="TtsService.ConnectionError"/>. A rejected API key, or a connection that keeps dying right after opening,
/// makes the service unusable: no reconnects and no more contexts until a settings update or
/// <see cref="TtsService.SetUsable"/>.
/// </para>
/// </remarks>
public sealed class AsyncAITtsService : TtsService
{
    private static readonly object s_reported = new();

    private readonly AsyncAITtsServiceOptions _options;
    private readonly AsyncAIWebSocketConnectionPool? _pool;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _clientTimeProvider;
    private readonly SemaphoreSlim _connectionLock = new(1, 1);
    private readonly List<(Connection Connection, Task Closed)> _retiring = [];
    private readonly List<Task> _disconnecting = [];
    private readonly ConditionalWeakTable<Exception, object> _reportedErrors = [];
    private readonly CancellationTokenSource _cancelled = new(); // a CancelFrame: stops a connect a turn is waiting for
    private Connection? _current;

    /// <summary>Initializes a new instance. Nothing connects until the pipeline starts.</summary>
    /// <param name="options">The options; validated and copied here.</param>
    /// <param name="loggerFactory">The logger factory for the underlying WebSocket client.</param>
    /// <param name="timeProvider">The clock for the WebSocket client's keepalive, reconnect backoff and timeouts.</param>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    public AsyncAITtsService(AsyncAITtsServiceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : base(ToServiceOptions(options), ToSettings(options))
    {
        _options = Copy(options);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _clientTimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Initializes a new instance whose connections come from a shared pool. Nothing connects until the pipeline starts.</summary>
    /// <remarks>
    /// Services with the same endpoint, key, voice, model, language and output format then share sockets, one lease per
    /// service from its start to its end, each turn still its own Async context. <see cref="TtsService.Connected"/> is
    /// raised when the service's lease is connected (at once if another service connected it already) and
    /// <see cref="TtsService.Disconnected"/> when its socket drops or the service returns its lease. The caller owns the
    /// pool: dispose it after the pipelines that use it.
    /// </remarks>
    /// <param name="connectionPool">The caller-owned pool the service leases its connections from.</param>
    /// <param name="options">The options; validated and copied here.</param>
    /// <param name="loggerFactory">The logger factory for a WebSocket client this service's lease creates.</param>
    /// <param name="timeProvider">The clock for a WebSocket client this service's lease creates.</param>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    public AsyncAITtsService(AsyncAIWebSocketConnectionPool connectionPool, AsyncAITtsServiceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(connectionPool);
        _pool = connectionPool;
    }

    /// <summary>Gets the state of the current connection (<see cref="AsyncAIWebSocketState.Disconnected"/> when there is none).</summary>
    public AsyncAIWebSocketState ConnectionState => Volatile.Read(ref _current)?.Client.State ?? AsyncAIWebSocketState.Disconnected;

    /// <inheritdoc />
    /// <remarks>False: sending text over the WebSocket returns before synthesis, so there is no per-sentence processing time.</remarks>
    protected override bool SupportsProcessingMetrics => false;

    /// <inheritdoc />
    protected override AsyncAIException? CheckSampleRate(int sampleRate) => AsyncAITtsOptionsBase.UnsupportedRate(sampleRate);

    /// <inheritdoc />
    protected override async ValueTask StartServiceAsync(StartFrame frame, CancellationToken cancellationToken)
    {
        // A failure here becomes the base's "could not start" ErrorFrame, carrying the client's exception (deduplicated
        // with the ConnectionError event the client raises for the same failure).
        await _connectionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _current ??= OpenConnection(Settings);
            await EnsureConnectedAsync(connection, forContext: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    /// <inheritdoc />
    protected override ValueTask StopServiceAsync(CancellationToken cancellationToken) => CloseConnectionsAsync();

    /// <inheritdoc />
    protected override async ValueTask CancelServiceAsync(CancellationToken cancellationToken)
    {
        // A turn still in flight may hold the connection lock while it waits for a handshake (up to ConnectTimeout):
        // stop it first, or the cancel would wait for it.
        await _cancelled.CancelAsync().ConfigureAwait(false);
        await CloseConnectionsAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken)
    {
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
        await CloseConnectionsAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask<TtsSynthesisContext> CreateContextAsync(string contextId, TtsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var connection = await AcquireConnectionAsync(settings, cancellationToken).ConfigureAwait(false);
        try
        {
            return new WebSocketSynthesisContext(connection.Client.CreateContext(contextId), connection);
        }
        catch
        {
            connection.Release();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One failure, one frame: the client reports some failures both as an event and through the contexts it ends (and
    /// this service may rethrow them), so a failure whose exception was already reported is not reported again. A
    /// client's permanent failure (rejected key, connections that keep dying) makes the service unusable.
    /// </remarks>
    protected override void PushErrorFrame(ErrorFrame errorFrame)
    {
        ArgumentNullException.ThrowIfNull(errorFrame);
        if (errorFrame.Processor == this && errorFrame.Exception is { } exception)
        {
            // The client may wrap a failure it already reported (a rejected session becomes its permanent error), so a
            // failure counts as reported when any exception in its chain was.
            var alreadyReported = false;
            for (var inner = exception; inner is not null; inner = inner.InnerException)
            {
                alreadyReported |= !_reportedErrors.TryAdd(inner, s_reported);
            }

            if (IsPermanentClientFailure(exception))
            {
                SetUsable(false);
            }

            if (alreadyReported)
            {
                return;
            }
        }

        base.PushErrorFrame(errorFrame);
    }

    private static TtsServiceOptions ToServiceOptions(AsyncAITtsServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new TtsServiceOptions
        {
            AggregationMode = options.AggregateSentences ? TextAggregationMode.Sentence : TextAggregationMode.Token,
            SampleRate = options.SampleRate,
            PushTextFrames = true,
            PauseFrameProcessing = options.PauseFrameProcessing,

            // Async's docs want each sentence to end with one space; tokens are sent exactly as they come.
            AppendTrailingSpace = true,
        };
    }

    private static TtsSettings ToSettings(AsyncAITtsServiceOptions options) =>
        new(options.Model, options.VoiceId, options.Params?.Language is { } language ? AsyncAILanguages.ToAsyncCode(language) : null);

    private static AsyncAITtsServiceOptions Copy(AsyncAITtsServiceOptions options) => new()
    {
        ApiKey = options.ApiKey,
        VoiceId = options.VoiceId,
        Model = options.Model,
        Version = options.Version,
        SampleRate = options.SampleRate,
        Encoding = options.Encoding,
        Container = options.Container,
        AggregateSentences = options.AggregateSentences,
        Params = new AsyncAITtsInputParams { Language = options.Params?.Language },
        Url = options.Url,
        PauseFrameProcessing = options.PauseFrameProcessing,
        KeepAliveInterval = options.KeepAliveInterval,
        PingInterval = options.PingInterval,
        KeepAliveTimeout = options.KeepAliveTimeout,
        ResponseTimeout = options.ResponseTimeout,
        ConnectTimeout = options.ConnectTimeout,
        CloseTimeout = options.CloseTimeout,
        ContextCompletionTimeout = options.ContextCompletionTimeout,
        Reconnect = new AsyncAIReconnectPolicy
        {
            Enabled = options.Reconnect.Enabled,
            MaxAttempts = options.Reconnect.MaxAttempts,
            InitialDelay = options.Reconnect.InitialDelay,
            MaxDelay = options.Reconnect.MaxDelay,
            MinHealthyConnectionLifetime = options.Reconnect.MinHealthyConnectionLifetime,
            MaxShortLivedConnections = options.Reconnect.MaxShortLivedConnections,
        },
    };

    /// <summary>What the init message fixes for a connection; a context needs a connection with its settings' key.</summary>
    private static string ConnectionKey(TtsSettings settings) =>
        $"{settings.Model}|{settings.Voice}|{(settings.Language is { } language ? AsyncAILanguages.Normalize(language.Trim()) : "auto")}";

    private async ValueTask<Connection> AcquireConnectionAsync(TtsSettings settings, CancellationToken turnCancellation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(turnCancellation, _cancelled.Token);
        var cancellationToken = linked.Token;
        await _connectionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _current;
            var key = ConnectionKey(settings);
            if (connection is not null && connection.Key != key)
            {
                AsyncAITtsServiceLog.ReconnectingForSettings(Logger, Name, connection.Key, key);
                Retire(connection);
                connection = null;
            }
            else if (connection?.Client.State == AsyncAIWebSocketState.Disposed)
            {
                // A shared client whose pool was disposed: leasing anew says so (ObjectDisposedException) on every turn.
                Retire(connection);
                connection = null;
            }
            else if (connection?.Client.State == AsyncAIWebSocketState.Failed)
            {
                if (!_reportedErrors.TryGetValue(connection.Client.PermanentError!, out _))
                {
                    // The client failed for good and the event saying so has not been handled yet: report it once (the
                    // base pushes it, which makes the service unusable) rather than opening a new connection.
                    throw connection.Client.PermanentError!;
                }

                // The failure was reported and the service was made usable again (SetUsable or a settings update): try anew.
                Retire(connection);
                connection = null;
            }

            if (connection is null)
            {
                connection = OpenConnection(settings);
                Volatile.Write(ref _current, connection);
            }

            await EnsureConnectedAsync(connection, forContext: true, cancellationToken).ConfigureAwait(false);
            connection.Acquire();
            return connection;
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    private Connection OpenConnection(TtsSettings settings)
    {
        var clientOptions = _options.ToClientOptions(SampleRate, settings.Voice, settings.Model, settings.Language);
        clientOptions.TimeProvider = _clientTimeProvider;
        clientOptions.LoggerFactory = _loggerFactory;
        var lease = _pool?.Lease(clientOptions);
        var connection = new Connection(lease?.Client ?? new AsyncAIWebSocketClient(clientOptions), ConnectionKey(settings), lease);

        // Retired connections (replaced after a settings change) stay silent: the service is connected through the new one.
        connection.Subscribe(
            onConnected: (_, _) =>
            {
                if (!connection.IsRetired && connection.MarkUp())
                {
                    OnConnected();
                }
            },
            onDisconnected: (_, _) =>
            {
                if (!connection.IsRetired && connection.MarkDown())
                {
                    OnDisconnected();
                }
            },
            onConnectionError: (_, e) => OnClientConnectionError(connection, e.Error!));
        return connection;
    }

    /// <summary>
    /// Makes one connect attempt when the client is not connected yet (a new connection, a failed connect at start, or
    /// reconnecting gave up), or waits in <c>ConnectAsync</c> while a shared client connects for another service; then
    /// raises <see cref="TtsService.Connected"/> for a shared client that another service had connected.
    /// </summary>
    private async Task EnsureConnectedAsync(Connection connection, bool forContext, CancellationToken cancellationToken)
    {
        if (connection.Client.State is AsyncAIWebSocketState.Disconnected or AsyncAIWebSocketState.Connecting)
        {
            if (forContext)
            {
                AsyncAITtsServiceLog.ReconnectingForContext(Logger, Name);
            }

            try
            {
                await connection.Client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AsyncAIException ex) when (connection.Lease is not null && !connection.ReportsErrors)
            {
                // A shared client's failure event is not this service's yet, so this attempt's is raised here. The
                // ErrorFrame comes from the exception, which the caller passes on to the base.
                AsyncAITtsServiceLog.ConnectionError(Logger, Name, ex.Category, ex.Message);
                OnConnectionError(ex.Message, ex);
                throw;
            }
        }

        if (connection.Lease is not null && connection.Client.State == AsyncAIWebSocketState.Connected && connection.MarkUp())
        {
            OnConnected();
        }
    }

    /// <summary>Disposes an owned client; returns a leased one, raising <see cref="TtsService.Disconnected"/> for this service.</summary>
    private async Task CloseAsync(Connection connection)
    {
        if (connection.Lease is null)
        {
            await connection.Client.DisposeAsync().ConfigureAwait(false);
            return;
        }

        connection.Unsubscribe();
        connection.Lease.Dispose();

        // Closed for good: a handler the client's event loop had already picked up raises nothing any more.
        if (connection.MarkClosed() && !connection.IsRetired)
        {
            OnDisconnected();
        }
    }

    private void OnClientConnectionError(Connection connection, AsyncAIException error)
    {
        if (!connection.ReportsErrors)
        {
            // A shared client's failure from before this service was ever connected through it (another service's
            // connect attempt) or after it returned its lease: this service reports its own attempts from ConnectAsync.
            return;
        }

        AsyncAITtsServiceLog.ConnectionError(Logger, Name, error.Category, error.Message);
        OnConnectionError(error.Message, error);
        PushError($"{Name}: {error.Message}", error);
        if (error.Category is AsyncAIErrorCategory.Authentication or AsyncAIErrorCategory.InvalidRequest
            && connection.Client.State is AsyncAIWebSocketState.Connected or AsyncAIWebSocketState.Reconnecting)
        {
            // The server rejected the session itself (for example the init's voice or language): reconnecting would only
            // repeat it. Stop the socket; the service is unusable now, and the next usable turn makes one new attempt.
            lock (_retiring)
            {
                _disconnecting.RemoveAll(t => t.IsCompleted);
                _disconnecting.Add(connection.Client.DisconnectAsync());
            }
        }
    }

    private bool IsPermanentClientFailure(Exception exception)
    {
        // A client that failed for good throws copies of its PermanentError (wrapping it) at later callers, such as
        // another service sharing it.
        var permanent = Volatile.Read(ref _current)?.Client.PermanentError;
        for (var inner = exception; permanent is not null && inner is not null; inner = inner.InnerException)
        {
            if (ReferenceEquals(permanent, inner))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces a connection: it is disposed once its open contexts have finished. Under <see cref="_connectionLock"/>.</summary>
    private void Retire(Connection connection)
    {
        lock (_retiring)
        {
            _retiring.RemoveAll(r => r.Closed.IsCompleted);
            _retiring.Add((connection, DisposeWhenIdleAsync(connection)));
        }

        if (ReferenceEquals(_current, connection))
        {
            Volatile.Write(ref _current, null);
        }
    }

    private async Task DisposeWhenIdleAsync(Connection connection)
    {
        await connection.RetireAsync().ConfigureAwait(false);
        await CloseAsync(connection).ConfigureAwait(false);
    }

    private async ValueTask CloseConnectionsAsync()
    {
        await _connectionLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var closing = new List<Task>();
            if (Interlocked.Exchange(ref _current, null) is { } current)
            {
                closing.Add(CloseAsync(current));
            }

            lock (_retiring)
            {
                // Every context has ended by now (the base frees them first); don't let a leaked lease hold the close up.
                foreach (var (connection, closed) in _retiring)
                {
                    connection.ForceIdle();
                    closing.Add(closed);
                }

                closing.AddRange(_disconnecting);
                _retiring.Clear();
                _disconnecting.Clear();
            }

            await Task.WhenAll(closing).ConfigureAwait(false);
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    /// <summary>
    /// One WebSocket client (one init message: voice, model, language, rate), owned or leased from a pool, and how many
    /// contexts still use it.
    /// </summary>
    private sealed class Connection(AsyncAIWebSocketClient client, string key, AsyncAIWebSocketConnectionLease? lease)
    {
        private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private EventHandler<AsyncAIConnectionEventArgs>? _onConnected;
        private EventHandler<AsyncAIConnectionEventArgs>? _onDisconnected;
        private EventHandler<AsyncAIConnectionEventArgs>? _onConnectionError;
        private const int Closed = -1;
        private int _open;
        private int _retired;
        private int _up; // 0 down, 1 up, Closed after the lease was returned (shared clients only)
        private int _everUp;

        public AsyncAIWebSocketClient Client { get; } = client;

        public string Key { get; } = key;

        /// <summary>Gets the pool's lease when the client is shared; null when this service owns the client.</summary>
        public AsyncAIWebSocketConnectionLease? Lease { get; } = lease;

        public void Subscribe(
            EventHandler<AsyncAIConnectionEventArgs> onConnected,
            EventHandler<AsyncAIConnectionEventArgs> onDisconnected,
            EventHandler<AsyncAIConnectionEventArgs> onConnectionError)
        {
            (_onConnected, _onDisconnected, _onConnectionError) = (onConnected, onDisconnected, onConnectionError);
            Client.Connected += onConnected;
            Client.Disconnected += onDisconnected;
            Client.ConnectionError += onConnectionError;
        }

        public void Unsubscribe()
        {
            Client.Connected -= _onConnected;
            Client.Disconnected -= _onDisconnected;
            Client.ConnectionError -= _onConnectionError;
        }

        /// <summary>
        /// Gets whether the client's <c>ConnectionError</c> events concern this service: always for an owned client; for a
        /// shared one from the first time this service was connected through it until it returned its lease.
        /// </summary>
        public bool ReportsErrors => Lease is null || (Volatile.Read(ref _everUp) == 1 && Volatile.Read(ref _up) != Closed);

        /// <summary>
        /// Records that the service saw the connection come up; false when it already had, or after the lease was
        /// returned. An owned client's events are raised as they come; a shared one's are deduplicated against
        /// <see cref="EnsureConnectedAsync"/> and the lease's return.
        /// </summary>
        public bool MarkUp()
        {
            if (Lease is null)
            {
                return true;
            }

            if (Interlocked.CompareExchange(ref _up, 1, 0) != 0)
            {
                return false;
            }

            Volatile.Write(ref _everUp, 1);
            return true;
        }

        /// <summary>Records that the service saw the connection go down; false when it already had, or after the lease was returned.</summary>
        public bool MarkDown() => Lease is null || Interlocked.CompareExchange(ref _up, 0, 1) == 1;

        /// <summary>Records that the lease was returned; true when the service had seen the connection up until now.</summary>
        public bool MarkClosed() => Interlocked.Exchange(ref _up, Closed) == 1;

        public bool IsRetired => Volatile.Read(ref _retired) == 1;

        public void Acquire() => Interlocked.Increment(ref _open);

        public void Release()
        {
            if (Interlocked.Decrement(ref _open) == 0 && IsRetired)
            {
                _idle.TrySetResult();
            }
        }

        public void ForceIdle() => _idle.TrySetResult();

        /// <summary>Marks the connection replaced; the task completes when no context uses it any more.</summary>
        public Task RetireAsync()
        {
            Interlocked.Exchange(ref _retired, 1);
            if (Volatile.Read(ref _open) == 0)
            {
                _idle.TrySetResult();
            }

            return _idle.Task;
        }
    }

    /// <summary>One turn on the socket: text in (force: true), audio out until the server's final.</summary>
    private sealed class WebSocketSynthesisContext(AsyncAIWebSocketContext context, Connection connection) : TtsSynthesisContext(context.Id)
    {
        private Task? _completion;
        private int _disposed;

        // The base appends the trailing space to sentences (AppendTrailingSpace), so text goes out exactly as handed over.
        public override ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default) =>
            context.SendTextAsync(text, TextInputMode.Token, cancellationToken);

        public override ValueTask CompleteInputAsync(CancellationToken cancellationToken = default)
        {
            // CompleteAsync waits for all the audio; keep the task and observe it when the stream ends or at disposal.
            if (Volatile.Read(ref _completion) is null)
            {
                Volatile.Write(ref _completion, context.CompleteAsync(CancellationToken.None));
            }

            return ValueTask.CompletedTask;
        }

        public override ValueTask InterruptAsync(CancellationToken cancellationToken = default) => context.InterruptAsync(cancellationToken);

        internal override bool TryDeliverAudioTo(IContextAudioReceiver receiver)
        {
            // The context's end carries the same failure CompleteAsync would throw, so the receiver sees it either way.
            context.DeliverAudioTo(receiver);
            return true;
        }

        public override async IAsyncEnumerable<AudioChunk> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var chunk in context.ReadAudioAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }

            if (Volatile.Read(ref _completion) is { } completion)
            {
                await completion.ConfigureAwait(false);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            try
            {
                // Interrupts (close_context) a context that has not ended; after the final it does nothing.
                await context.DisposeAsync().ConfigureAwait(false);
                if (Volatile.Read(ref _completion) is { } completion)
                {
                    try
                    {
                        await completion.ConfigureAwait(false);
                    }
                    catch (AsyncAIException)
                    {
                        // Already reported: the audio stream threw the same failure.
                    }
                }
            }
            finally
            {
                connection.Release();
                await base.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
