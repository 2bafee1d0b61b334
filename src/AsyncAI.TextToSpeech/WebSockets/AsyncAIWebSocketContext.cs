using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Timing;
using AsyncAI.TextToSpeech.WebSockets.Internal;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>
/// One utterance (or one turn) on an <see cref="AsyncAIWebSocketClient"/>'s socket: text goes in, its audio comes out,
/// in order and only here.
/// </summary>
/// <remarks>
/// <para>
/// Sending is thread-safe; <see cref="ReadAudioAsync"/> has a single consumer at a time. Audio is buffered without a
/// bound so that one slow reader never stalls the socket's receive loop, which serves every context.
/// </para>
/// <para>
/// Every state change of a context happens in this class, under its lock: the caller's
/// <see cref="SendTextAsync"/>/<see cref="CompleteAsync"/>/<see cref="InterruptAsync"/>, the receive loop's audio and
/// <c>final</c>, the send loop binding the context to a socket, the completion timer and the loss of the socket.
/// The context's span is stopped just after, outside the lock (see <see cref="FinishEnd"/>).
/// </para>
/// </remarks>
public sealed class AsyncAIWebSocketContext : IAsyncDisposable
{
    private readonly AsyncAIWebSocketClient _client;
    private readonly Lock _lock = new();
    private readonly Channel<AudioChunk> _audio = Channel.CreateUnbounded<AudioChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _carry = new byte[4];
    private int _carryCount;
    private AsyncAIContextState _state;
    private volatile bool _interrupted;
    private AsyncAIException? _error;
    private int _boundConnection;
    private bool _closeQueued;
    private InactivityTimer? _completionTimer;
    private long _firstSendTimestamp;
    private bool _firstAudioSeen;
    private long _charactersSent;
    private long _charactersSentAtLastAudio;
    private int _messagesSent;
    private long _audioBytes;
    private int _readerActive;
    private long _unvoicedSince;
    private IContextAudioReceiver? _receiver;
    private Activity? _activity;
    private double _timeToFirstAudio = -1;

    // Between the two halves of the context's end (see TransitionToTerminal): the span to stop outside the lock, and
    // whether the end has been signalled (stream completed, receiver told, Ended set).
    private Activity? _endingSpan;
    private bool _endSignalled;

    internal AsyncAIWebSocketContext(AsyncAIWebSocketClient client, string id)
    {
        _client = client;
        Id = id;
    }

    /// <summary>Gets the context id sent as <c>context_id</c>.</summary>
    public string Id { get; }

    /// <summary>Gets the current state.</summary>
    public AsyncAIContextState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets why the context failed, when <see cref="State"/> is <see cref="AsyncAIContextState.Faulted"/>.</summary>
    public AsyncAIException? Error
    {
        get
        {
            lock (_lock)
            {
                return _error;
            }
        }
    }

    /// <summary>Gets how many characters of text have been written to the socket for this context.</summary>
    public long CharactersSent => Interlocked.Read(ref _charactersSent);

    /// <summary>Gets how many audio bytes have been handed to this context's stream.</summary>
    public long AudioBytesReceived => Interlocked.Read(ref _audioBytes);

    /// <summary>Gets a task that completes when the context reaches a terminal state (completed, interrupted or faulted); it never faults.</summary>
    public Task Ended => _ended.Task;

    internal int BoundConnection => _boundConnection;

    /// <summary>Gets the context's span while it runs (null when nobody listens, and once it ended).</summary>
    internal Activity? Span
    {
        get
        {
            lock (_lock)
            {
                return _activity;
            }
        }
    }

    /// <summary>Gets when text was first sent after the last audio chunk (a TimeProvider timestamp), or 0 when all sent text has been answered with audio.</summary>
    internal long UnvoicedSince => Volatile.Read(ref _unvoicedSince);

    /// <summary>Queues text for synthesis (sent with <c>force: true</c>, so the server never holds it back waiting for more).</summary>
    /// <param name="text">The text.</param>
    /// <param name="mode">
    /// <see cref="TextInputMode.Sentence"/> (the default) ends the text with exactly one space, as Async's documentation
    /// requires; <see cref="TextInputMode.Token"/> sends it unchanged, for token-by-token LLM output.
    /// </param>
    /// <param name="cancellationToken">Cancels the call before the text is queued.</param>
    /// <returns>
    /// A task that completes when the text is written to the socket or queued behind messages still waiting (the send
    /// loop then writes it in order).
    /// </returns>
    /// <exception cref="InvalidOperationException">The context was completed or interrupted, or the client is not connected.</exception>
    /// <exception cref="AsyncAIException">The context failed; the exception says why.</exception>
    public async ValueTask SendTextAsync(string text, TextInputMode mode = TextInputMode.Sentence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        cancellationToken.ThrowIfCancellationRequested();
        var transcript = mode == TextInputMode.Sentence ? NormalizeSentence(text) : text;
        if (transcript.Length == 0)
        {
            return;
        }

        var message = new OutboundMessage(OutboundKind.Text, this, transcript);
        lock (_lock)
        {
            ThrowIfInputEnded(nameof(SendTextAsync));
            _client.ThrowIfNotConnected();
            if (_state == AsyncAIContextState.Created)
            {
                _state = AsyncAIContextState.Streaming;
                _firstSendTimestamp = _client.TimeProvider.GetTimestamp();
            }
        }

        // Outside the lock: whether the text still goes out is decided at send time (TryBeginSend), so an interrupt
        // that lands meanwhile discards it either way.
        if (!await _client.TrySendDirectAsync(message).ConfigureAwait(false))
        {
            _client.Enqueue(message);
        }
    }

    /// <summary>Asks the server to synthesize whatever text it has buffered for this context (a forced whitespace transcript).</summary>
    /// <param name="cancellationToken">Cancels the call before the flush is queued.</param>
    /// <returns>A task that completes when the flush is queued.</returns>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfInputEnded(nameof(FlushAsync));
            if (_state == AsyncAIContextState.Streaming)
            {
                _client.Enqueue(new OutboundMessage(OutboundKind.Flush, this, null));
            }
        }

        return default;
    }

    /// <summary>
    /// Ends the input and waits until all of this context's audio has arrived: the server's <c>final</c>, or
    /// <see cref="AsyncAIWebSocketOptions.ContextCompletionTimeout"/> without audio if it never comes.
    /// </summary>
    /// <remarks>
    /// The input is ended as Async's own LiveKit integration does, with an empty transcript for the context; only after
    /// the audio stream has ended is <c>close_context</c> sent to free the server's resources, so the tail is never cut
    /// even by a server that truncates on <c>close_context</c>. The audio stream of <see cref="ReadAudioAsync"/> then
    /// ends normally. Calling it on an interrupted or completed context returns at once.
    /// </remarks>
    /// <param name="cancellationToken">Stops waiting; the context still completes in the background.</param>
    /// <returns>A task that completes when the context's audio has ended.</returns>
    /// <exception cref="AsyncAIException">The context failed before its audio ended.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                switch (_state)
                {
                    case AsyncAIContextState.Created:
                        ending = TransitionToTerminal(AsyncAIContextState.Completed, null, EndReason.NoText);
                        _client.Forget(this);
                        break;
                    case AsyncAIContextState.Streaming:
                        _client.Enqueue(new OutboundMessage(OutboundKind.EndOfInput, this, null));
                        _state = AsyncAIContextState.Completing;
                        break;
                    default:
                        break;
                }
            }
        }
        finally
        {
            FinishEnd(ending);
        }

        await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var error = Error;
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Stops the context now: its queued, unsent text is discarded, <c>close_context</c> is sent, and its audio stream ends.
    /// After this returns not one more byte of this context reaches any reader; audio still arriving is dropped and counted.
    /// </summary>
    /// <param name="cancellationToken">Not used; the interrupt never waits.</param>
    /// <returns>A completed task.</returns>
    public ValueTask InterruptAsync(CancellationToken cancellationToken = default)
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (IsTerminal(_state))
                {
                    return default;
                }

                var sentOrQueued = _state != AsyncAIContextState.Created;
                _interrupted = true;
                ending = TransitionToTerminal(AsyncAIContextState.Interrupted, null, EndReason.Interrupted);
                if (!sentOrQueued || !QueueClose())
                {
                    _client.Forget(this);
                }
            }
        }
        finally
        {
            FinishEnd(ending);
        }

        return default;
    }

    /// <summary>Streams this context's audio as it arrives, in order, until the context completes or is interrupted.</summary>
    /// <remarks>One consumer at a time. Each <see cref="AudioChunk"/> holds whole samples and belongs to the caller.</remarks>
    /// <param name="cancellationToken">Stops the enumeration (the context carries on).</param>
    /// <returns>The audio chunks.</returns>
    /// <exception cref="AsyncAIException">The context failed (server error, lost connection); chunks that arrived before are yielded first.</exception>
    public async IAsyncEnumerable<AudioChunk> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _readerActive, 1) == 1)
        {
            throw new InvalidOperationException($"Context '{Id}' already has a reader; ReadAudioAsync supports one consumer at a time.");
        }

        if (Volatile.Read(ref _receiver) is not null)
        {
            Volatile.Write(ref _readerActive, 0);
            throw new InvalidOperationException($"Context '{Id}' already delivers its audio to a receiver; ReadAudioAsync supports one consumer at a time.");
        }

        try
        {
            var reader = _audio.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var chunk))
                {
                    // Checked after each dequeue: once InterruptAsync has returned, chunks still buffered are never handed out.
                    if (_interrupted)
                    {
                        yield break;
                    }

                    yield return chunk;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _readerActive, 0);
        }
    }

    /// <summary>
    /// Hands this context's audio to <paramref name="receiver"/> from the receive loop instead of through
    /// <see cref="ReadAudioAsync"/>: chunks already buffered first, then each chunk as it is decoded, then the end.
    /// </summary>
    /// <remarks>
    /// The receiver is called under the context's lock, so the interrupt guarantee holds as for a reader: once
    /// <see cref="InterruptAsync"/> has returned, the receiver gets no more audio.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The context already has a reader or a receiver.</exception>
    internal void DeliverAudioTo(IContextAudioReceiver receiver)
    {
        lock (_lock)
        {
            if (_receiver is not null || Volatile.Read(ref _readerActive) == 1)
            {
                throw new InvalidOperationException($"Context '{Id}' already has a reader; its audio goes to one consumer.");
            }

            _receiver = receiver;
            while (!_interrupted && _audio.Reader.TryRead(out var chunk))
            {
                receiver.OnAudio(chunk);
            }

            // Once the end is signalled; an end still on its way (its span being stopped) tells this receiver itself.
            if (_endSignalled)
            {
                receiver.OnEnded(_error);
            }
        }
    }

    /// <summary>Interrupts the context unless it already ended.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => InterruptAsync();

    /// <inheritdoc/>
    public override string ToString() => $"AsyncAIWebSocketContext {{ Id = {Id}, State = {State} }}";

    // ---- called by the send loop -------------------------------------------------------------------------------

    /// <summary>Decides whether a dequeued message of this context is still sent, binding the context to the socket.</summary>
    internal bool TryBeginSend(OutboundKind kind, WebSocketConnection socket)
    {
        var connection = socket.Number;
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (_boundConnection != 0 && _boundConnection != connection)
                {
                    return false;
                }

                if (kind == OutboundKind.CloseContext)
                {
                    if (_boundConnection == 0)
                    {
                        // The server never heard of this context: nothing to close.
                        _client.Forget(this);
                        return false;
                    }

                    return true;
                }

                if (_state is not (AsyncAIContextState.Streaming or AsyncAIContextState.Completing))
                {
                    return false;
                }

                // Read under this lock, after FailIfBoundTo has passed it: a context that binds to a socket whose session
                // was rejected fails with the rejection instead of sending text that will never be voiced.
                if (socket.SessionRejection is { } rejection)
                {
                    ending = TransitionToTerminal(AsyncAIContextState.Faulted, rejection, EndReason.Failed);
                    return false;
                }

                _boundConnection = connection;
                return true;
            }
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    /// <summary>Fails the context with <paramref name="error"/> if it is bound to socket <paramref name="connection"/> and has not ended (checked under its lock).</summary>
    internal void FailIfBoundTo(int connection, AsyncAIException error)
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (_boundConnection == connection && !IsTerminal(_state))
                {
                    ending = TransitionToTerminal(AsyncAIContextState.Faulted, error, EndReason.Failed);
                }
            }
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    internal void OnSent(OutboundKind kind, int characters)
    {
        lock (_lock)
        {
            _messagesSent++;
            _charactersSent += characters;
            if (kind == OutboundKind.Text && _unvoicedSince == 0 && !IsTerminal(_state))
            {
                Volatile.Write(ref _unvoicedSince, _client.TimeProvider.GetTimestamp());
            }
            if (kind == OutboundKind.EndOfInput && _state == AsyncAIContextState.Completing)
            {
                // Measured from the last audio, not reset per chunk (OnAudio only records the time).
                _completionTimer = new InactivityTimer(
                    _client.TimeProvider,
                    _client.Options.ContextCompletionTimeout,
                    static state => ((AsyncAIWebSocketContext)state!).OnCompletionTimeout(),
                    this);
            }
        }
    }

    // ---- called by the receive loop ----------------------------------------------------------------------------

    /// <summary>Hands decoded audio to the reader; returns false when the context no longer accepts audio (late audio).</summary>
    internal bool OnAudio(ReadOnlySpan<byte> audio, long arrivalTimestamp, int bytesPerSample, out bool misaligned)
    {
        misaligned = false;
        lock (_lock)
        {
            if (_state is not (AsyncAIContextState.Streaming or AsyncAIContextState.Completing))
            {
                return false;
            }

            var total = _carryCount + audio.Length;

            // Reported when this chunk leaves a partial sample behind, not when it completes one held back before.
            misaligned = total % bytesPerSample != 0;
            var whole = total - (total % bytesPerSample);
            if (whole > 0)
            {
                var bytes = new byte[whole];
                _carry.AsSpan(0, _carryCount).CopyTo(bytes);
                audio[..(whole - _carryCount)].CopyTo(bytes.AsSpan(_carryCount));
                var rest = audio[(whole - _carryCount)..];
                rest.CopyTo(_carry);
                _carryCount = rest.Length;
                _audioBytes += whole;
                var chunk = new AudioChunk(bytes, _client.Options.SampleRate, 1, _client.Options.Encoding, Id, arrivalTimestamp);
                if (_receiver is { } receiver)
                {
                    receiver.OnAudio(chunk);
                }
                else
                {
                    _audio.Writer.TryWrite(chunk);
                }

                WebSocketMetrics.AudioDuration.Add((double)whole / (bytesPerSample * _client.Options.SampleRate));
            }
            else
            {
                audio.CopyTo(_carry.AsSpan(_carryCount));
                _carryCount = total;
            }

            _charactersSentAtLastAudio = _charactersSent;
            Volatile.Write(ref _unvoicedSince, 0);
            if (!_firstAudioSeen)
            {
                // Once per context: the span is touched here and at the end, never per chunk.
                _firstAudioSeen = true;
                _timeToFirstAudio = _client.TimeProvider.GetElapsedTime(_firstSendTimestamp, arrivalTimestamp).TotalSeconds;
                WebSocketMetrics.TimeToFirstAudio.Record(_timeToFirstAudio);
                _activity?.AddEvent(new ActivityEvent(AsyncAITracing.FirstAudioEvent));
            }

            _completionTimer?.Touch(arrivalTimestamp);
            return true;
        }
    }

    /// <summary>The server's <c>final</c>: the context's audio is complete (or, after an interrupt, the server confirms the close).</summary>
    /// <remarks>No audio follows a <c>final</c>, so the context is forgotten at once; a completing context still gets its <c>close_context</c>.</remarks>
    internal void OnFinal()
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (_state is AsyncAIContextState.Streaming or AsyncAIContextState.Completing)
                {
                    ending = TransitionToTerminal(AsyncAIContextState.Completed, null, EndReason.Final);
                    QueueClose();
                }

                _client.Forget(this);
            }
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    // ---- called by timers, the client and the connection supervisor --------------------------------------------

    /// <summary>Fails the context unless it already ended; returns whether it did.</summary>
    internal bool Fail(AsyncAIException error)
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (IsTerminal(_state))
                {
                    return false;
                }

                ending = TransitionToTerminal(AsyncAIContextState.Faulted, error, EndReason.Failed);
                return true;
            }
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    /// <summary>The socket this context was bound to died: fail it if it was still streaming, and forget it.</summary>
    internal void OnConnectionLost(int connection, AsyncAIException cause)
    {
        var ending = false;
        try
        {
            OnConnectionLostLocked(connection, cause, ref ending);
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    private void OnConnectionLostLocked(int connection, AsyncAIException cause, ref bool ending)
    {
        lock (_lock)
        {
            if (_boundConnection != connection)
            {
                return;
            }

            if (!IsTerminal(_state))
            {
                var unvoiced = _charactersSent - _charactersSentAtLastAudio;
                var audioSeconds = (double)_audioBytes / (_client.BytesPerSample * _client.Options.SampleRate);
                var message = string.Create(
                    CultureInfo.InvariantCulture,
                    $"The connection to Async was lost while context '{Id}' was streaming ({cause.Message}). {_charactersSent} characters had been sent in {_messagesSent} messages and {audioSeconds:F2} s of audio had arrived; the {unvoiced} characters sent after the last audio chunk (and any text whose audio had not arrived) were never voiced. The server's context is gone: send that text again on a new context.");
                ending = TransitionToTerminal(AsyncAIContextState.Faulted, new AsyncAIException(message, AsyncAIErrorCategory.Connectivity, cause.ErrorCode, innerException: cause), EndReason.Failed);
            }

            _client.Forget(this);
        }
    }

    private void OnCompletionTimeout()
    {
        var ending = false;
        try
        {
            lock (_lock)
            {
                if (_state != AsyncAIContextState.Completing)
                {
                    return;
                }

                if (_completionTimer?.Expired() != true)
                {
                    return; // audio came after the timer was armed: it waits out the rest of the silence
                }

                _client.Logger.ContextCompletionTimedOut(Id, _client.Options.ContextCompletionTimeout.TotalMilliseconds);
                ending = TransitionToTerminal(AsyncAIContextState.Completed, null, EndReason.CompletionTimeout);
                if (!QueueClose())
                {
                    _client.Forget(this);
                }
            }
        }
        finally
        {
            FinishEnd(ending);
        }
    }

    private bool QueueClose()
    {
        if (_closeQueued)
        {
            return true;
        }

        _closeQueued = _client.TryEnqueue(new OutboundMessage(OutboundKind.CloseContext, this, null));
        return _closeQueued;
    }

    /// <summary>Starts the context's span unless nobody listens; called once, right after the client registered the context.</summary>
    internal void StartTrace()
    {
        if (!AsyncAITracing.Enabled)
        {
            return;
        }

        lock (_lock)
        {
            // Registered contexts can be failed at once by a client being disposed on another thread.
            if (!IsTerminal(_state))
            {
                _activity = _client.StartContextActivity(Id);
            }
        }
    }

    /// <summary>
    /// The one place a context ends, first half, under the lock: the terminal state, and the span's closing attributes.
    /// The caller passes the result to <see cref="FinishEnd"/> once it has released the lock.
    /// </summary>
    /// <remarks>Every caller holds the lock and has checked the context was not terminal, so this runs once per context.</remarks>
    /// <returns>True, for the caller's <see cref="FinishEnd"/>.</returns>
    private bool TransitionToTerminal(AsyncAIContextState state, AsyncAIException? error, string endReason)
    {
        _state = state;
        _error = error;
        Volatile.Write(ref _unvoicedSince, 0);
        _completionTimer?.Dispose();
        _completionTimer = null;
        if (state == AsyncAIContextState.Completed && _carryCount > 0)
        {
            _client.Logger.PartialSampleDropped(Id, _carryCount);
        }

        _carryCount = 0;
        if (error is not null)
        {
            _client.Logger.ContextFaulted(Id, error.Message);
        }
        else
        {
            _client.Logger.ContextEnded(Id, state);
        }

        if (_activity is { } activity)
        {
            _activity = null;
            _endingSpan = activity;
            TagEnd(activity, error, endReason);
        }

        return true;
    }

    /// <summary>
    /// The second half of a context's end, by the thread that did the first (<paramref name="ending"/>), after it released
    /// the lock: the span is stopped, then the end is signalled (the stream completed with the error if any, the receiver
    /// told, waiters released).
    /// </summary>
    /// <remarks>
    /// A listener's <c>ActivityStopped</c> thus runs outside the lock, and may wait for another thread that reads the
    /// context. The span still ends before anyone waiting can see the end, so it is complete when CompleteAsync or
    /// InterruptAsync returns and when the audio stream ends.
    /// </remarks>
    private void FinishEnd(bool ending)
    {
        if (!ending)
        {
            return;
        }

        // Only the ending thread reads it after the first half set it (under the lock it has since released).
        if (_endingSpan is { } activity)
        {
            _endingSpan = null;
            AsyncAITracing.StopDetached(activity, _client.Logger);
        }

        lock (_lock)
        {
            _endSignalled = true;
            _audio.Writer.TryComplete(_error);
            _receiver?.OnEnded(_error);
        }

        _ended.TrySetResult();
    }

    /// <summary>Sets the span's closing attributes and status (under the lock, from fields it guards); it is stopped later.</summary>
    private void TagEnd(Activity activity, AsyncAIException? error, string endReason)
    {
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(AsyncAITracing.ContextEndReasonTag, endReason);
            activity.SetTag(AsyncAITracing.CharactersTag, _charactersSent);
            activity.SetTag(AsyncAITracing.AudioDurationTag, (double)_audioBytes / (_client.BytesPerSample * _client.Options.SampleRate));
            if (_timeToFirstAudio >= 0)
            {
                activity.SetTag(AsyncAITracing.TimeToFirstAudioTag, _timeToFirstAudio);
            }

            if (_boundConnection != 0)
            {
                activity.SetTag(AsyncAITracing.ConnectionNumberTag, _boundConnection);
            }
        }

        if (error is not null)
        {
            AsyncAITracing.RecordError(activity, error);
        }
    }

    private void ThrowIfInputEnded(string operation)
    {
        switch (_state)
        {
            case AsyncAIContextState.Faulted:
                ExceptionDispatchInfo.Throw(_error!);
                break;
            case AsyncAIContextState.Completing or AsyncAIContextState.Completed:
                throw new InvalidOperationException($"{operation}: context '{Id}' was completed; create a new context for more text.");
            case AsyncAIContextState.Interrupted:
                throw new InvalidOperationException($"{operation}: context '{Id}' was interrupted; create a new context for more text.");
            default:
                break;
        }
    }

    private static bool IsTerminal(AsyncAIContextState state) =>
        state is AsyncAIContextState.Completed or AsyncAIContextState.Interrupted or AsyncAIContextState.Faulted;

    private static string NormalizeSentence(string text)
    {
        var trimmed = text.AsSpan().TrimEnd();
        if (trimmed.IsEmpty)
        {
            return string.Empty;
        }

        return trimmed.Length == text.Length - 1 && text[^1] == ' ' ? text : string.Concat(trimmed, " ");
    }

    /// <summary>The values of <c>asyncai.context.end_reason</c>.</summary>
    private static class EndReason
    {
        public const string Final = "final";
        public const string CompletionTimeout = "completion_timeout";
        public const string NoText = "no_text";
        public const string Interrupted = "interrupted";
        public const string Failed = "failed";
    }
}
