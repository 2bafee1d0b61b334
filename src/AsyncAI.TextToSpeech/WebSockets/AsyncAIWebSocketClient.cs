using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets.Internal;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>
/// A WebSocket client for Async's real-time text-to-speech API: one socket, many concurrent contexts, each with its
/// own ordered audio stream.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Per socket there is exactly one receive loop and one send loop (fed by a <see cref="Channel{T}"/>),
/// so the messages of a context keep their order and an interrupt discards only its own context's unsent text.
/// Connection events are raised from a separate event loop, never on the receive loop, and a throwing handler is
/// logged and ignored.
/// </para>
/// <para>
/// A socket that dies unexpectedly is replaced according to <see cref="AsyncAIWebSocketOptions.Reconnect"/>.
/// Contexts that had sent text on it fail with an <see cref="AsyncAIException"/> (category
/// <see cref="AsyncAIErrorCategory.Connectivity"/>) saying how much text was sent but never voiced, because the
/// server's state for them is gone; contexts that had sent nothing carry on over the new socket.
/// </para>
/// <para>The API key travels in the URL query; the URL is only ever logged with the key redacted.</para>
/// </remarks>
public sealed partial class AsyncAIWebSocketClient : IAsyncDisposable
{
    private const string RedactedKey = "REDACTED";
    private const double DeadPeerScale = 0.8;

    private readonly ConcurrentDictionary<string, AsyncAIWebSocketContext> _contexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AsyncAIWebSocketContext>.AlternateLookup<ReadOnlySpan<char>> _contextsByChars;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Lock _stateLock = new();
    private readonly Uri _connectUri;
    private readonly string _redactedUrl;
    private readonly string _escapedApiKey;
    private readonly byte[] _initMessage;
    private readonly string _contextSpanName;
    private AsyncAIWebSocketState _state;
    private Session? _session;
    private AsyncAIException? _permanentError;
    private AsyncAIException? _sessionRejection; // the first session rejection; a rejected client never reconnects
    private int _connectionCount;
    private Task _lastSupervisor = Task.CompletedTask;

    /// <summary>Initializes a new client. Nothing connects until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The options; validated and copied, so later changes have no effect.</param>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    public AsyncAIWebSocketClient(AsyncAIWebSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options.Clone();
        TimeProvider = Options.TimeProvider;
        Logger = Options.LoggerFactory.CreateLogger<AsyncAIWebSocketClient>();
        BytesPerSample = AudioEncodings.BytesPerSample(Options.Encoding);
        _contextsByChars = _contexts.GetAlternateLookup<ReadOnlySpan<char>>();

        _escapedApiKey = Uri.EscapeDataString(Options.ApiKey);
        _connectUri = BuildUri(Options.Url, _escapedApiKey, Options.Version);
        _redactedUrl = BuildUri(Options.Url, RedactedKey, Options.Version).ToString();
        _contextSpanName = AsyncAITracing.TextToSpeechOperation + " " + Options.Model;
        _initMessage = JsonSerializer.SerializeToUtf8Bytes(
            new InitializeConnectionMessage
            {
                ModelId = Options.Model,
                Voice = new VoiceSpecifier(Options.VoiceId),
                OutputFormat = new OutputFormat { Container = Options.Container, Encoding = Options.Encoding, SampleRate = Options.SampleRate },
                Language = Options.Language is null ? null : AsyncAILanguages.Normalize(Options.Language.Trim()),
            },
            AsyncAIJsonContext.Default.InitializeConnectionMessage);

        _eventLoop = RunEventLoopAsync();
    }

    /// <summary>Gets the connection state.</summary>
    public AsyncAIWebSocketState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets why the client stopped for good, when <see cref="State"/> is <see cref="AsyncAIWebSocketState.Failed"/>.</summary>
    public AsyncAIException? PermanentError
    {
        get
        {
            lock (_stateLock)
            {
                return _permanentError;
            }
        }
    }

    /// <summary>Gets the endpoint with the API key redacted, for display.</summary>
    public string RedactedUrl => _redactedUrl;

    internal AsyncAIWebSocketOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal int BytesPerSample { get; }

    internal bool IsStopping => Volatile.Read(ref _session) is { Stopping: true };

    /// <summary>Opens the socket and sends the session's init message. Returns at once if already connected or reconnecting.</summary>
    /// <remarks>
    /// One attempt: a failure throws and leaves the client <see cref="AsyncAIWebSocketState.Disconnected"/> (call again
    /// to retry), except a handshake refused with 401/403, which makes the client <see cref="AsyncAIWebSocketState.Failed"/>.
    /// Reconnects after the first socket are automatic.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A task that completes when the socket is open.</returns>
    /// <exception cref="AsyncAIException">The connection could not be opened (see <see cref="AsyncAIException.Category"/>), or the client failed for good.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_stateLock)
            {
                ObjectDisposedException.ThrowIf(_state == AsyncAIWebSocketState.Disposed, this);
                if (_permanentError is not null)
                {
                    throw CopyOf(_permanentError);
                }

                if (_session is not null)
                {
                    return;
                }

                _sessionRejection = null; // a caller who disconnected after a rejection may try again and gets its own answer
                SetState(AsyncAIWebSocketState.Connecting);
            }

            WebSocketConnection connection;
            try
            {
                connection = await OpenConnectionAsync(reconnectAttempt: 0, cancellationToken).ConfigureAwait(false);
            }
            catch (AsyncAIException ex)
            {
                if (ex.Category == AsyncAIErrorCategory.Authentication)
                {
                    FailPermanently(ex);
                }
                else
                {
                    SetStateLocked(AsyncAIWebSocketState.Disconnected);
                }

                RaiseConnectionError(ex);
                throw;
            }
            catch (OperationCanceledException)
            {
                SetStateLocked(AsyncAIWebSocketState.Disconnected);
                throw;
            }

            var session = new Session();
            lock (_stateLock)
            {
                _session = session;
                SetState(AsyncAIWebSocketState.Connected);
            }

            RaiseConnected(connection.Number);
            session.Supervisor = SuperviseAsync(session, connection);
            _lastSupervisor = session.Supervisor;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Closes the socket gracefully (bounded by <see cref="AsyncAIWebSocketOptions.CloseTimeout"/>, then aborted) and
    /// stops reconnecting. Contexts still streaming fail. <see cref="ConnectAsync"/> may be called again afterwards.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for another lifecycle call to finish.</param>
    /// <returns>A task that completes when the socket and its loops have ended.</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Session? session;
            lock (_stateLock)
            {
                session = _session;
                if (session is null)
                {
                    return;
                }

                SetState(AsyncAIWebSocketState.Disconnecting);
            }

            await StopSessionAsync(session).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Creates a context on this client's socket.</summary>
    /// <param name="contextId">The id to send as <c>context_id</c>; null for a new UUID. It must not belong to a context the server may still send audio for.</param>
    /// <returns>The context; it sends nothing until <see cref="AsyncAIWebSocketContext.SendTextAsync"/>.</returns>
    /// <exception cref="InvalidOperationException">A context with that id is still open on this client.</exception>
    /// <exception cref="AsyncAIException">The client failed for good.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public AsyncAIWebSocketContext CreateContext(string? contextId = null)
    {
        if (contextId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(contextId);
        }

        var context = new AsyncAIWebSocketContext(this, contextId ?? Guid.NewGuid().ToString("D"));

        // Registered under the state lock: DisposeAsync marks the client disposed under it before FailAllContexts, so a
        // context is either refused here or registered in time to be failed (and its span ended) by the disposal.
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_state == AsyncAIWebSocketState.Disposed, this);
            if (_permanentError is not null)
            {
                throw CopyOf(_permanentError);
            }

            if (!_contexts.TryAdd(context.Id, context))
            {
                throw new InvalidOperationException($"A context with id '{context.Id}' is still open on this client; context ids must be unique while the server may still send audio for them.");
            }
        }

        // Only once registered, so a refused id starts no span that nothing would ever end.
        context.StartTrace();
        return context;
    }

    /// <summary>
    /// Closes the socket (bounded by <see cref="AsyncAIWebSocketOptions.CloseTimeout"/> even when the server ignores the
    /// close: the socket is aborted after it), fails contexts still streaming, and awaits every loop.
    /// </summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            Session? session;
            lock (_stateLock)
            {
                if (_state == AsyncAIWebSocketState.Disposed)
                {
                    return;
                }

                session = _session;
                SetState(AsyncAIWebSocketState.Disposed);
            }

            if (session is not null)
            {
                await StopSessionAsync(session).ConfigureAwait(false);
            }

            // A session that ended on its own (gave up, failed) left its supervisor finished but not yet awaited.
            await _lastSupervisor.ConfigureAwait(false);
            FailAllContexts(new AsyncAIException("The WebSocket client was disposed before the context finished.", AsyncAIErrorCategory.Connectivity));
            _events.Writer.TryComplete();
            try
            {
                await _eventLoop.WaitAsync(Options.CloseTimeout, TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A user handler is still running; it cannot be cancelled and must not hold up disposal.
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"AsyncAIWebSocketClient {{ Url = {_redactedUrl}, State = {State} }}";

    // ---- used by contexts ----------------------------------------------------------------------------------------

    /// <summary>Queues a message; throws when there is no session to carry it.</summary>
    internal void Enqueue(in OutboundMessage message)
    {
        if (!TryEnqueue(message))
        {
            throw NotConnected();
        }
    }

    /// <summary>Writes a message straight to the current socket when nothing is queued ahead of it; false means queue it.</summary>
    internal ValueTask<bool> TrySendDirectAsync(OutboundMessage message) =>
        Volatile.Read(ref _session)?.Current is { } connection ? connection.TrySendDirectAsync(message) : new(false);

    /// <summary>Throws when there is no session to carry a message (not connected, failed, disposed).</summary>
    internal void ThrowIfNotConnected()
    {
        if (Volatile.Read(ref _session) is not { Stopping: false })
        {
            throw NotConnected();
        }
    }

    internal bool TryEnqueue(in OutboundMessage message)
    {
        var session = Volatile.Read(ref _session);
        return session is { Stopping: false } && session.Outbound.Writer.TryWrite(message);
    }

    /// <summary>Enumerates the registered contexts bound to a socket (for the response watchdog; not a hot path).</summary>
    internal IEnumerable<AsyncAIWebSocketContext> ContextsOn(int connection)
    {
        foreach (var pair in _contexts)
        {
            if (pair.Value.BoundConnection == connection)
            {
                yield return pair.Value;
            }
        }
    }

    internal void Forget(AsyncAIWebSocketContext context) =>
        _contexts.TryRemove(new KeyValuePair<string, AsyncAIWebSocketContext>(context.Id, context));

    /// <summary>Removes the API key from text that may contain the URL (exception messages from the network stack).</summary>
    internal string Redact(string text) =>
        text.Replace(Options.ApiKey, RedactedKey, StringComparison.Ordinal).Replace(_escapedApiKey, RedactedKey, StringComparison.Ordinal);

    // ---- used by the receive loop (hot path) ----------------------------------------------------------------------

    /// <summary>Decodes one server message and routes it to its context.</summary>
    internal void OnServerMessage(ReadOnlySpan<byte> json, byte[] audioBuffer, WebSocketConnection connection)
    {
        ServerMessage message;
        try
        {
            message = ServerMessageReader.Read(json, audioBuffer);
        }
        catch (AsyncAIException ex) when (ex.Category == AsyncAIErrorCategory.Protocol)
        {
            ReportProtocolError(ex);
            return;
        }

        if (message.Kind == ServerMessageKind.Error)
        {
            OnServerError(message.Error!, connection);
            return;
        }

        var audio = message.Audio;
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Logger.AudioReceived(message.GetContextId(), audio.Length, message.IsFinal);
        }

        if (!message.HasContextId || !TryFindContext(message.ContextIdUtf8, out var context))
        {
            if (!audio.IsEmpty)
            {
                DropLateAudio(message.GetContextId(), audio.Length);
            }

            return;
        }

        if (!audio.IsEmpty)
        {
            if (!context.OnAudio(audio, TimeProvider.GetTimestamp(), BytesPerSample, out var misaligned))
            {
                DropLateAudio(context.Id, audio.Length);
            }
            else if (misaligned)
            {
                ReportProtocolError(new AsyncAIException(
                    $"Async sent {audio.Length} audio bytes for context '{context.Id}', which leaves a partial {BytesPerSample}-byte sample; it is held back and joined to the next chunk.",
                    AsyncAIErrorCategory.Protocol,
                    ProtocolErrorCodes.OddLengthAudio));
            }
        }

        if (message.IsFinal)
        {
            context.OnFinal();
        }
    }

    internal void ReportProtocolError(AsyncAIException error)
    {
        Logger.ProtocolViolation(error.ErrorCode, error.Message);
        WebSocketMetrics.RecordError(error);
        RaiseConnectionError(error);
    }

    private void OnServerError(ErrorMessage error, WebSocketConnection connection)
    {
        var exception = ServerErrors.ToException(error, Redact);
        Logger.ServerError(exception.ErrorCode, error.ContextId, exception.Message);
        WebSocketMetrics.RecordError(exception);
        if (error.ContextId is not null)
        {
            if (_contexts.TryGetValue(error.ContextId, out var context))
            {
                // The server has given up on it, so the client does too: audio still arriving for it is dropped and
                // counted as for any unknown context, and nothing else would ever unregister it (no final follows).
                // Forgotten first, so a reader woken by the failure finds the id free.
                Forget(context);
                context.Fail(exception);
            }

            return;
        }

        // No context id (the single-context protocol, or a connection-level error such as TIMEOUT): it cannot be
        // routed, so every context streaming on this socket fails loudly rather than waiting for audio that may never come.
        // A rejected session (bad key, voice, model, language or format in the init) would be rejected again on every
        // reconnect: the supervisor sees this mark when the socket closes and gives up at once instead.
        if (exception.Category is AsyncAIErrorCategory.Authentication or AsyncAIErrorCategory.InvalidRequest)
        {
            connection.SessionRejection ??= exception;
            lock (_stateLock)
            {
                // What a send that finds no session reports, even when the caller disconnects in reaction to the
                // ConnectionError event before the supervisor records the permanent error (it never does then).
                _sessionRejection ??= exception;
            }
        }

        // State first, event second: a handler that reacts (say, by disconnecting) finds the contexts already failed
        // with this error, so a send racing it reports this error and not a generic "not connected". A context that
        // binds to this socket after the loop fails with the rejection when it does (TryBeginSend).
        foreach (var context in _contexts.Values)
        {
            context.FailIfBoundTo(connection.Number, exception);
        }

        RaiseConnectionError(exception);
    }

    private void DropLateAudio(string? contextId, int byteCount)
    {
        WebSocketMetrics.LateChunksDropped.Add(1);
        Logger.LateAudioDropped(contextId, byteCount);
    }

    /// <summary>Finds a context by its UTF-8 id without allocating a string (ids up to 256 bytes).</summary>
    private bool TryFindContext(ReadOnlySpan<byte> idUtf8, [NotNullWhen(true)] out AsyncAIWebSocketContext? context)
    {
        const int MaxStackIdBytes = 256;
        if (idUtf8.Length <= MaxStackIdBytes)
        {
            Span<char> chars = stackalloc char[MaxStackIdBytes];
            if (Encoding.UTF8.TryGetChars(idUtf8, chars, out var length))
            {
                return _contextsByChars.TryGetValue(chars[..length], out context);
            }
        }

        return _contexts.TryGetValue(Encoding.UTF8.GetString(idUtf8), out context);
    }

    // ---- connection and state ------------------------------------------------------------------------------------

    /// <summary>Opens one socket and sends the init message; <paramref name="reconnectAttempt"/> is 0 for ConnectAsync.</summary>
    private async Task<WebSocketConnection> OpenConnectionAsync(int reconnectAttempt, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _connectionCount);
        Logger.Connecting(number, _redactedUrl);

        // Current only inside this method (an async method's changes to Activity.Current do not reach its caller).
        var activity = AsyncAITracing.Enabled ? StartConnectActivity(number, reconnectAttempt) : null;
        using var activityScope = AsyncAITracing.StopOnDispose(activity, Logger);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (Options.PingInterval != Timeout.InfiniteTimeSpan)
        {
            // The runtime checks PING deadlines on a heartbeat of a quarter of the shorter of the two periods, so its
            // worst case is interval + timeout + 2 heartbeats. 80 % of each keeps that within PingInterval +
            // KeepAliveTimeout: 0.8·(i + t) + 0.4·min(i, t) ≤ i + t.
            socket.Options.KeepAliveInterval = Options.PingInterval * DeadPeerScale;
            socket.Options.KeepAliveTimeout = Options.KeepAliveTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : Options.KeepAliveTimeout * DeadPeerScale;
        }
        else
        {
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
        }

        using var timeout = new CancellationTokenSource(Options.ConnectTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(_connectUri, linked.Token).ConfigureAwait(false);
            await socket.SendAsync(_initMessage, WebSocketMessageType.Text, endOfMessage: true, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                if (activity is not null)
                {
                    AsyncAITracing.RecordError(activity, ex);
                }

                throw;
            }

            var error = ToConnectError(ex, status);
            if (activity is not null)
            {
                AsyncAITracing.RecordError(activity, error);
            }

            Logger.ConnectFailed(number, _redactedUrl, error.Message);
            WebSocketMetrics.RecordError(error);
            throw error;
        }

        Logger.Connected(number, _redactedUrl);
        return new WebSocketConnection(this, socket, number, TimeProvider.GetTimestamp());
    }

    private Activity? StartConnectActivity(int number, int reconnectAttempt)
    {
        var activity = AsyncAITracing.Start(AsyncAITracing.ConnectSpanName, ActivityKind.Client, Logger);
        if (activity is { IsAllDataRequested: true })
        {
            AsyncAITracing.SetService(activity, Options.Url);
            activity.SetTag(AsyncAITracing.UrlFullTag, _redactedUrl);
            activity.SetTag(AsyncAITracing.RequestModelTag, Options.Model);
            activity.SetTag(AsyncAITracing.VoiceIdTag, Options.VoiceId);
            activity.SetTag(AsyncAITracing.ConnectionNumberTag, number);
            if (reconnectAttempt > 0)
            {
                activity.SetTag(AsyncAITracing.ReconnectAttemptTag, reconnectAttempt);
            }
        }

        return activity;
    }

    /// <summary>Starts a context's span (called only when someone listens); it does not become <see cref="Activity.Current"/>.</summary>
    internal Activity? StartContextActivity(string contextId)
    {
        var activity = AsyncAITracing.StartDetached(_contextSpanName, ActivityKind.Client, Logger);
        if (activity is { IsAllDataRequested: true })
        {
            AsyncAITracing.SetService(activity, Options.Url);
            AsyncAITracing.SetSynthesis(activity, Options.Model, Options.VoiceId);
            activity.SetTag(AsyncAITracing.ContextIdTag, contextId);
        }

        return activity;
    }

    private AsyncAIException ToConnectError(Exception ex, int status)
    {
        if (status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden)
        {
            return new AsyncAIException(
                $"Async refused the WebSocket handshake with HTTP {status}: the API key is missing, invalid or expired. Check ApiKey; the client will not retry and is now unusable.",
                AsyncAIErrorCategory.Authentication,
                statusCode: status,
                innerException: ex);
        }

        if (status is > 0 and not (int)HttpStatusCode.SwitchingProtocols)
        {
            return new AsyncAIException(
                $"Async refused the WebSocket handshake to {_redactedUrl} with HTTP {status}.",
                AsyncAIException.CategoryFor(status),
                statusCode: status,
                innerException: ex);
        }

        if (ex is OperationCanceledException)
        {
            return new AsyncAIException(
                $"Connecting to {_redactedUrl} took longer than ConnectTimeout ({Options.ConnectTimeout.TotalSeconds:0.###} s).",
                AsyncAIErrorCategory.Connectivity,
                innerException: ex);
        }

        return new AsyncAIException(
            $"Could not connect to {_redactedUrl}: {Redact(ex.Message)}{(ex.InnerException is null ? string.Empty : " (" + Redact(ex.InnerException.Message) + ")")}.",
            AsyncAIErrorCategory.Connectivity,
            innerException: ex);
    }

    /// <summary>The one place the client's state changes; call with <see cref="_stateLock"/> held.</summary>
    private void SetState(AsyncAIWebSocketState next)
    {
        var previous = _state;
        if (previous == next || previous == AsyncAIWebSocketState.Disposed || (previous == AsyncAIWebSocketState.Failed && next != AsyncAIWebSocketState.Disposed))
        {
            return;
        }

        _state = next;
        Logger.StateChanged(previous, next);
    }

    private void SetStateLocked(AsyncAIWebSocketState next)
    {
        lock (_stateLock)
        {
            SetState(next);
        }
    }

    private void FailPermanently(AsyncAIException error)
    {
        lock (_stateLock)
        {
            _permanentError ??= error;
            SetState(AsyncAIWebSocketState.Failed);
        }

        Logger.FailedPermanently(error.Message);
    }

    private void FailAllContexts(AsyncAIException error)
    {
        foreach (var context in _contexts.Values)
        {
            context.Fail(error);
            Forget(context);
        }
    }

    private Exception NotConnected()
    {
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_state == AsyncAIWebSocketState.Disposed, this);
            if ((_permanentError ?? _sessionRejection) is { } error)
            {
                return CopyOf(error);
            }
        }

        return new InvalidOperationException("The WebSocket client is not connected: call ConnectAsync first (or again after a disconnect or after reconnecting gave up).");
    }

    private static AsyncAIException CopyOf(AsyncAIException error) =>
        new(error.Message, error.Category, error.ErrorCode, error.StatusCode, error.RetryAfter, error);

    private static Uri BuildUri(Uri url, string apiKey, string version)
    {
        var builder = new UriBuilder(url);
        var query = builder.Query.TrimStart('?');
        var prefix = query.Length == 0 ? string.Empty : query + "&";
        builder.Query = $"{prefix}api_key={apiKey}&version={Uri.EscapeDataString(version)}";
        return builder.Uri;
    }

    /// <summary>One ConnectAsync…DisconnectAsync span: the outbound queue survives reconnects, the supervisor owns the sockets.</summary>
    private sealed class Session
    {
        public Channel<OutboundMessage> Outbound { get; } = Channel.CreateUnbounded<OutboundMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

        public CancellationTokenSource Stop { get; } = new();

        public Task Supervisor { get; set; } = Task.CompletedTask;

#pragma warning disable SA1401, CA1051 // volatile state shared by the supervisor, the send loop and DisconnectAsync
        public volatile WebSocketConnection? Current;

        public volatile bool Stopping;

        public AsyncAIException? GiveUpError;
#pragma warning restore SA1401, CA1051
    }
}
