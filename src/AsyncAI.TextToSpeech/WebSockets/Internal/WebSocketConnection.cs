using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>
/// One open socket: exactly one receive loop and one send loop (the only caller of <see cref="WebSocket.SendAsync(ReadOnlyMemory{byte}, WebSocketMessageType, bool, CancellationToken)"/>,
/// as <see cref="ClientWebSocket"/> allows one send at a time), plus the keepalive timer. <see cref="RunAsync"/> owns and awaits both loops.
/// </summary>
internal sealed class WebSocketConnection
{
    // Async audio messages are base64 JSON of ~20–100 ms of audio (a 20 ms chunk at 48 kHz f32 is ~5 KiB of text);
    // 16 KiB holds nearly all of them, larger ones grow the buffer up to the reader's message limit.
    private const int InitialReceiveBufferSize = 16 * 1024;

    private readonly AsyncAIWebSocketClient _client;
    private readonly ClientWebSocket _socket;
    private readonly ILogger _logger;
    private ChannelWriter<OutboundMessage>? _keepAliveTarget;
    private ITimer? _keepAliveTimer;

    // When the last message was written to the socket (a TimeProvider timestamp); read by the keepalive timer.
    private long _lastSent;
    private volatile bool _closeSent;

    // Why the connection ends, set once by whichever part saw it first (the watchdog, the receive loop, a write). Once
    // the socket is aborted every later write fails too ("Cannot access a disposed object"): such a consequence must not
    // replace the cause the caller needs to see.
    private AsyncAIException? _endCause;
    private SemaphoreSlim? _sendLock;
    private ChannelReader<OutboundMessage>? _outbound;

    // Written only under the send lock (the send loop or the direct-send fast path).
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(1024);

    // When the last server message arrived (a TimeProvider timestamp); read by the response watchdog.
    private long _lastReceived;

    public WebSocketConnection(AsyncAIWebSocketClient client, ClientWebSocket socket, int number, long openedTimestamp)
    {
        _client = client;
        _socket = socket;
        _logger = client.Logger;
        Number = number;
        OpenedTimestamp = openedTimestamp;
    }

    /// <summary>Gets the 1-based number of this socket within the client's lifetime; contexts bind to it.</summary>
    public int Number { get; }

    /// <summary>Gets or sets the connection-level error with which the service rejected this session, if it did.</summary>
    public AsyncAIException? SessionRejection { get; set; }

    /// <summary>Gets when the socket opened (a <see cref="TimeProvider"/> timestamp).</summary>
    public long OpenedTimestamp { get; }

    /// <summary>Aborts the socket: both loops end promptly.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Runs the connection until the socket closes or fails; returns why (null when the caller closed it).</summary>
    public async Task<AsyncAIException?> RunAsync(Channel<OutboundMessage> outbound)
    {
        _keepAliveTarget = outbound.Writer;
        Volatile.Write(ref _lastSent, OpenedTimestamp); // the init message went out just before

        // One-shot, re-armed by each tick for one interval after the last message: a periodic tick that merely skips
        // when something was sent since the previous tick lets the socket go silent for almost two intervals.
        using var keepAlive = _client.Options.KeepAliveInterval == Timeout.InfiniteTimeSpan
            ? null
            : _client.TimeProvider.CreateTimer(static s => ((WebSocketConnection)s!).OnKeepAliveTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _keepAliveTimer = keepAlive;
        keepAlive?.Change(_client.Options.KeepAliveInterval, Timeout.InfiniteTimeSpan);

        using var watchdog = _client.Options.ResponseTimeout == Timeout.InfiniteTimeSpan
            ? null
            : _client.TimeProvider.CreateTimer(static s => ((WebSocketConnection)s!).OnResponseWatchdog(), this, WatchdogPeriod, WatchdogPeriod);
        Volatile.Write(ref _lastReceived, OpenedTimestamp);

        using var sendStop = new CancellationTokenSource();
        using var sendLock = new SemaphoreSlim(1, 1);
        _sendLock = sendLock;
        _outbound = outbound.Reader;
        var receive = ReceiveLoopAsync();
        var send = SendLoopAsync(outbound.Reader, sendLock, sendStop.Token);
        var first = await Task.WhenAny(receive, send).ConfigureAwait(false);
        if (first == send && send.IsFaulted)
        {
            // The socket cannot be written to: make the receive loop end now rather than when the peer notices.
            if (send.Exception?.InnerException is { } writeError && IsSocketError(writeError))
            {
                EndBecause(WriteFailed(writeError));
            }

            _socket.Abort();
        }

        var received = await receive.ConfigureAwait(false);
        await sendStop.CancelAsync().ConfigureAwait(false);
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (IsSocketError(ex))
        {
            EndBecause(WriteFailed(ex));
        }

        // Null from the receive loop: the caller's close went through. Otherwise the first cause stands.
        var reason = received is null ? null : Volatile.Read(ref _endCause) ?? received;

        if (_socket.State == WebSocketState.CloseReceived)
        {
            // The server started the close handshake; answer it, briefly, so the server sees a clean close.
            using var timeout = new CancellationTokenSource(_client.Options.CloseTimeout, _client.TimeProvider);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsSocketError(ex) || ex is OperationCanceledException)
            {
            }
        }

        _sendLock = null;
        _socket.Dispose();
        return reason;
    }

    // The watchdog checks four times per ResponseTimeout, so a stall is caught within 1.25 × ResponseTimeout.
    private TimeSpan WatchdogPeriod => _client.Options.ResponseTimeout / 4;

    private static bool IsSocketError(Exception ex) => ex is WebSocketException or IOException or ObjectDisposedException;

    /// <summary>Records why the connection ends unless an earlier cause was recorded (which then stands).</summary>
    private void EndBecause(AsyncAIException cause) => Interlocked.CompareExchange(ref _endCause, cause, null);

    private AsyncAIException WriteFailed(Exception ex) =>
        new("Writing to the socket failed: " + _client.Redact(ex.Message), AsyncAIErrorCategory.Connectivity, innerException: ex);

    /// <summary>
    /// Periodic check: a context on this socket is waiting for the audio of text it sent, and the server has said
    /// nothing at all for ResponseTimeout since (since that text, or since its last message if later) → the peer is hung.
    /// </summary>
    private void OnResponseWatchdog()
    {
        var now = _client.TimeProvider.GetTimestamp();
        var lastReceived = Volatile.Read(ref _lastReceived);
        foreach (var context in _client.ContextsOn(Number))
        {
            var waitingSince = context.UnvoicedSince;
            if (waitingSince != 0 && _client.TimeProvider.GetElapsedTime(Math.Max(waitingSince, lastReceived), now) >= _client.Options.ResponseTimeout)
            {
                if (!_closeSent)
                {
                    EndBecause(new AsyncAIException(
                        $"Async stopped answering: nothing arrived for {_client.Options.ResponseTimeout.TotalSeconds:0.###} s (ResponseTimeout) while text sent was waiting for its audio, so the connection was declared dead.",
                        AsyncAIErrorCategory.Connectivity));
                }

                _socket.Abort();
                return;
            }
        }
    }

    /// <summary>Queues a keepalive when nothing was sent for a whole interval; re-arms for one interval after the last message.</summary>
    private void OnKeepAliveTick()
    {
        var interval = _client.Options.KeepAliveInterval;
        var due = interval - _client.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastSent));
        if (due <= TimeSpan.Zero)
        {
            _keepAliveTarget?.TryWrite(OutboundMessage.KeepAlive);
            due = interval;
        }

        try
        {
            _keepAliveTimer?.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }

    // ---- send ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// The latency fast path for text: when nothing is queued and the send loop is idle, the caller writes the message
    /// itself instead of waking the loop (one thread hop less from SendTextAsync to the wire).
    /// </summary>
    /// <remarks>
    /// Holding the send lock with an empty queue proves no earlier message is pending, so order is kept; otherwise the
    /// caller queues the message behind the others. Returns false when the message must be queued.
    /// </remarks>
    public async ValueTask<bool> TrySendDirectAsync(OutboundMessage message)
    {
        var sendLock = _sendLock;
        var outbound = _outbound;
        if (sendLock is null || outbound is null || _closeSent || _client.IsStopping || !TryEnter(sendLock))
        {
            return false;
        }

        try
        {
            if (outbound.TryPeek(out _) || _closeSent)
            {
                return false;
            }

            if (ShouldSend(message))
            {
                await SendOneAsync(message, CancellationToken.None).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception ex) when (IsSocketError(ex) || ex is OperationCanceledException)
        {
            // The message's context is bound to this socket and fails with it; make the loops notice now. A cancelled
            // write was cut by an abort, whose own cause was recorded.
            if (ex is not OperationCanceledException)
            {
                EndBecause(WriteFailed(ex));
            }

            _socket.Abort();
            return true;
        }
        finally
        {
            Exit(sendLock);
        }

        // The lock dies with the connection (RunAsync disposes it); a late caller simply queues instead.
        static bool TryEnter(SemaphoreSlim sendLock)
        {
            try
            {
                return sendLock.Wait(0);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        static void Exit(SemaphoreSlim sendLock)
        {
            try
            {
                sendLock.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task SendLoopAsync(ChannelReader<OutboundMessage> outbound, SemaphoreSlim sendLock, CancellationToken cancellationToken)
    {
        while (await outbound.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (outbound.TryRead(out var message))
                {
                    if (!ShouldSend(message))
                    {
                        continue;
                    }

                    if (message.Kind == OutboundKind.Close)
                    {
                        _sendBuffer.ResetWrittenCount();
                        Write(_sendBuffer, message);
                        await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                        _closeSent = true;
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    await SendOneAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                sendLock.Release();
            }
        }
    }

    /// <summary>Writes one message; callers hold the send lock.</summary>
    private async ValueTask SendOneAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        _sendBuffer.ResetWrittenCount();
        Write(_sendBuffer, message);
        await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);

        // Any message (a keepalive too) resets the service's idle timer, so the next keepalive is due one interval later.
        Volatile.Write(ref _lastSent, _client.TimeProvider.GetTimestamp());
        AfterSend(message, _sendBuffer.WrittenCount);
    }

    private bool ShouldSend(in OutboundMessage message)
    {
        if (message.Kind == OutboundKind.Close)
        {
            return true;
        }

        if (_client.IsStopping)
        {
            // Closing: whatever is still queued belongs to contexts that are about to fail anyway.
            return false;
        }

        return message.Context is null || message.Context.TryBeginSend(message.Kind, this);
    }

    private void AfterSend(in OutboundMessage message, int byteCount)
    {
        var characters = message.Kind == OutboundKind.Text ? message.Text!.Length : 0;
        if (characters > 0)
        {
            WebSocketMetrics.CharactersSent.Add(characters);
        }

        message.Context?.OnSent(message.Kind, characters);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.MessageSent(message.Kind, message.Context?.Id, byteCount);
        }
    }

    private static void Write(ArrayBufferWriter<byte> buffer, in OutboundMessage message)
    {
        switch (message.Kind)
        {
            case OutboundKind.Text:
                ClientMessageWriter.WriteText(buffer, message.Context!.Id, message.Text, force: true);
                break;
            case OutboundKind.Flush:
                ClientMessageWriter.WriteFlush(buffer, message.Context!.Id);
                break;
            case OutboundKind.EndOfInput:
                ClientMessageWriter.WriteEndOfInput(buffer, message.Context!.Id);
                break;
            case OutboundKind.CloseContext:
                ClientMessageWriter.WriteCloseContext(buffer, message.Context!.Id);
                break;
            case OutboundKind.KeepAlive:
                // No context_id on purpose: the default context is never used by this client, so a whitespace
                // transcript there cannot re-open, extend or race with any of our contexts (Pipecat attaches the
                // active context and had to guard the resulting null-id path).
                ClientMessageWriter.WriteKeepalive(buffer, contextId: null);
                break;
            case OutboundKind.Close:
                ClientMessageWriter.WriteTerminate(buffer);
                break;
            default:
                break;
        }
    }

    // ---- receive -------------------------------------------------------------------------------------------------

    private async Task<AsyncAIException?> ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferSize);
        var audio = ArrayPool<byte>.Shared.Rent(ServerMessageReader.GetMaxAudioByteCount(InitialReceiveBufferSize));
        var count = 0;
        var oversized = false;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= ServerMessageReader.DefaultMaxMessageBytes)
                    {
                        // Keep reading to the end of the message, then report it; the socket survives.
                        oversized = true;
                        count = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_closeSent)
                    {
                        return null;
                    }

                    var status = _socket.CloseStatus is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
                    return Ended(new AsyncAIException(
                        $"Async closed the connection (close status {status}, '{_client.Redact(_socket.CloseStatusDescription ?? string.Empty)}').",
                        AsyncAIErrorCategory.Connectivity));
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                // Any message proves the peer alive (a plain store: the hot path stays interlock-free).
                Volatile.Write(ref _lastReceived, _client.TimeProvider.GetTimestamp());

                if (oversized)
                {
                    oversized = false;
                    _client.ReportProtocolError(new AsyncAIException("Async sent a message larger than 4 MiB; it was skipped.", AsyncAIErrorCategory.Protocol, "MESSAGE_TOO_LARGE"));
                }
                else if (result.MessageType == WebSocketMessageType.Binary)
                {
                    _logger.BinaryMessageIgnored(count);
                }
                else
                {
                    var needed = ServerMessageReader.GetMaxAudioByteCount(count);
                    if (audio.Length < needed)
                    {
                        ArrayPool<byte>.Shared.Return(audio);
                        audio = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    _client.OnServerMessage(buffer.AsSpan(0, count), audio, this);
                }

                count = 0;
            }
        }
        catch (Exception ex) when (IsSocketError(ex) || ex is OperationCanceledException)
        {
            if (_closeSent && ex is not WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely })
            {
                return null;
            }

            return Ended(new AsyncAIException(
                "The connection to Async failed: " + _client.Redact(ex.Message) + " (a dead peer is detected by PING/PONG within PingInterval + KeepAliveTimeout).",
                AsyncAIErrorCategory.Connectivity,
                innerException: ex));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(audio);
        }

        // Recorded as it happens: a write that fails after the peer closed or reset the socket is a consequence.
        AsyncAIException Ended(AsyncAIException reason)
        {
            EndBecause(reason);
            return reason;
        }
    }
}
