using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.AspNetCore.Http;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// One emulated WebSocket connection: a reader loop that parses client messages and updates contexts, and one writer
/// loop that owns the socket's send side and interleaves the contexts' audio round-robin.
/// </summary>
internal sealed class WebSocketSession : IDisposable
{
    private const string TooManyContexts = "TOO_MANY_CONTEXTS";
    private const string MessageTooLarge = "MESSAGE_TOO_LARGE";
    private const string ContextClosed = "CONTEXT_CLOSED";
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How many chunks the writer sends on the thread that woke it before it moves to a pool thread of its own.</summary>
    private const int MaxChunksOnWakersThread = 8;

    private readonly WebSocket _socket;
    private readonly CoalescingStream _stream;
    private readonly HttpContext _http;
    private readonly EmulatorOptions _options;
    private readonly EmulatorJournal _journal;
    private readonly int _connectionId;
    private readonly string _requestId;
    private readonly string? _faultSpec;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _dropConnection;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SpeechContext> _contexts = new(StringComparer.Ordinal);
    private readonly List<SpeechContext> _active = [];
    // Ids whose final went out and that no text has reused since: an end of input for one of them is a repeat, not a
    // new context. One entry per distinct id for the connection's lifetime (the journal keeps more per context).
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly Queue<(byte[] Message, string Code, string? ContextId)> _control = new();
    private readonly WriterWakeup _wakeup;
    private readonly Action _onDeadlineChanged;
    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastReceived;
    private int _roundRobin;
    private SpeechRequest? _init;
    private bool _closing;
    private WebSocketCloseStatus _closeStatus;
    private string _closeReason = "";
    private string? _disconnectDetail;
    // The merged faults and the switches' version they were built from, swapped as one reference: the writer and the
    // reader's pong path both read it, and a version stored apart from its faults could pair a new version with old faults.
    private FaultsCacheEntry _faultsCache;
    private bool _malformedUsed;
    private bool _invalidBase64Used;
    private bool _oddLengthUsed;
    private byte[] _sendBuffer = [];
    private byte[] _pcmBuffer = [];

    public WebSocketSession(WebSocket socket, CoalescingStream stream, HttpContext http, EmulatorOptions options, EmulatorJournal journal, int connectionId, string? faultSpec, CancellationToken stopping)
    {
        _socket = socket;
        _stream = stream;
        _http = http;
        _options = options;
        _journal = journal;
        _connectionId = connectionId;
        _requestId = string.Create(CultureInfo.InvariantCulture, $"emulator-{connectionId}");
        _faultSpec = faultSpec;
        _stopping = stopping;
        _dropConnection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _wakeup = new WriterWakeup(stopping);
        _faultsCache = new FaultsCacheEntry(options.Faults.Version, options.Faults.Snapshot().Apply(faultSpec));
        _lastReceived = Stopwatch.GetTimestamp();
        stream.SwallowPongs = () => CurrentFaults().BlackHole;
        _onDeadlineChanged = () => ThreadPool.UnsafeQueueUserWorkItem(static s => s.Signal(), this, preferLocal: false);
        options.Faults.Changed += _onDeadlineChanged;
        options.IdleTimeoutChanged += _onDeadlineChanged;
    }

    public void Dispose()
    {
        _options.Faults.Changed -= _onDeadlineChanged;
        _options.IdleTimeoutChanged -= _onDeadlineChanged;
        _wakeup.Dispose();
        _dropConnection.Dispose();
    }

    /// <summary>Runs the connection to its end.</summary>
    /// <returns>How it ended, for the journal's Disconnected event (which the server adds once the connection's slot is free).</returns>
    public async Task<string> RunAsync()
    {
        var writer = WriterLoopAsync();
        try
        {
            await ReaderLoopAsync();
        }
        finally
        {
            _readerDone.TrySetResult();
            RequestClose(WebSocketCloseStatus.NormalClosure, "", null);
        }

        try
        {
            await writer.WaitAsync(CloseHandshakeTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            _http.Abort();
            _dropConnection.Cancel(); // a writer inside the delay fault's wait
            Signal(); // a writer asleep until its next deadline would otherwise notice the abort only then
            await writer;
        }

        return _disconnectDetail ?? _socket.CloseStatus?.ToString() ?? "aborted";
    }

    // ---------------------------------------------------------------- reader

    private async Task ReaderLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                var count = 0;
                var tooLarge = false;
                var maxBytes = _options.MaxMessageBytes;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        if (buffer.Length > maxBytes)
                        {
                            tooLarge = true;
                            count = 0; // keep draining the oversize message without storing it
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                            buffer.AsSpan(0, count).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), _dropConnection.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _disconnectDetail = string.Create(CultureInfo.InvariantCulture, $"client closed {(int?)_socket.CloseStatus}");
                        RequestClose(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", null);
                        return;
                    }

                    count += result.Count;
                    if (count > maxBytes)
                    {
                        tooLarge = true;
                    }
                }
                while (!result.EndOfMessage);

                Interlocked.Exchange(ref _lastReceived, Stopwatch.GetTimestamp());
                if (Volatile.Read(ref _closing))
                {
                    continue;
                }

                if (tooLarge)
                {
                    SendError(new ApiError(400, MessageTooLarge,
                        string.Create(CultureInfo.InvariantCulture, $"Message exceeds the maximum size of {maxBytes} bytes."),
                        [new("limit", maxBytes)]), null);
                    RequestClose(WebSocketCloseStatus.MessageTooBig, "Message too large", "message too large");
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    SendError(ApiError.Validation("Binary frames are not supported; send JSON text messages."), null);
                    continue;
                }

                HandleMessage(buffer.AsSpan(0, count));
            }
        }
        catch (WebSocketException)
        {
            _disconnectDetail ??= "aborted";
        }
        catch (OperationCanceledException)
        {
            _disconnectDetail ??= "server stopping";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void HandleMessage(ReadOnlySpan<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException)
        {
            RejectMessage(ApiError.Validation("The message is not valid JSON."));
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!JsonStrings.AllReadable(root))
            {
                RejectMessage(ApiError.Validation("The message holds a string that is not valid Unicode (a lone surrogate escape)."));
                return;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                RejectMessage(ApiError.Validation("Each message must be a JSON object."));
                return;
            }

            if (_init is null)
            {
                HandleInit(root);
                return;
            }

            if (root.TryGetProperty("model_id", out _) || root.TryGetProperty("voice", out _))
            {
                _journal.Add(_connectionId, EmulatorEventKind.Init, null, "ignored: the connection is already initialized");
                return;
            }

            if (IsTrue(root, "terminate") || (root.TryGetProperty("text", out var oldText) && oldText.ValueKind == JsonValueKind.String && oldText.GetString()!.Length == 0
                                               && !root.TryGetProperty("transcript", out _)))
            {
                _journal.Add(_connectionId, EmulatorEventKind.Terminate);
                lock (_gate)
                {
                    _contexts.Clear();
                    _active.Clear();
                }

                RequestClose(WebSocketCloseStatus.NormalClosure, "Terminated", "terminate");
                return;
            }

            string? contextIdRaw = null;
            if (root.TryGetProperty("context_id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
            {
                if (idElement.ValueKind != JsonValueKind.String)
                {
                    SendError(ApiError.Validation("'context_id' must be a string.", "context_id"), null);
                    return;
                }

                contextIdRaw = idElement.GetString();
            }

            var contextKey = contextIdRaw ?? _options.DefaultContextId ?? "";

            if (IsTrue(root, "close_context"))
            {
                _journal.Add(_connectionId, EmulatorEventKind.CloseContext, contextKey);
                EndInput(contextKey, contextIdRaw, truncate: _options.CloseContextTruncates);
                return;
            }

            string? transcript = null;
            if (root.TryGetProperty("transcript", out var t) && t.ValueKind == JsonValueKind.String)
            {
                transcript = t.GetString();
            }
            else if (root.TryGetProperty("text", out var legacy) && legacy.ValueKind == JsonValueKind.String)
            {
                transcript = legacy.GetString(); // the old edition's example used "text"
            }

            if (transcript is null)
            {
                SendError(ApiError.Validation("Unrecognized message: expected 'transcript', 'close_context' or 'terminate'."), contextIdRaw);
                return;
            }

            if (transcript.Length == 0)
            {
                _journal.Add(_connectionId, EmulatorEventKind.EndOfInput, contextKey);
                EndInput(contextKey, contextIdRaw, truncate: false);
                return;
            }

            if (EmulatorAudio.CountAudibleCharacters(transcript) == 0)
            {
                _journal.Add(_connectionId, EmulatorEventKind.Flush, contextKey, IsTrue(root, "force") ? "force=true" : "force=false");
                return;
            }

            _journal.Add(_connectionId, EmulatorEventKind.Text, contextKey, transcript);
            AddText(contextKey, contextIdRaw, transcript);
        }
    }

    /// <summary>Answers a message the server cannot use with an error; before the init, it is a bad init (then close 1008).</summary>
    private void RejectMessage(ApiError error)
    {
        if (_init is null)
        {
            RejectInit(error);
        }
        else
        {
            SendError(error, null);
        }
    }

    private void RejectInit(ApiError error)
    {
        SendError(error, null);
        RequestClose(WebSocketCloseStatus.PolicyViolation, "Invalid init", "invalid init");
    }

    private void HandleInit(JsonElement root)
    {
        if (!root.TryGetProperty("model_id", out _) && !root.TryGetProperty("voice", out _))
        {
            SendError(ApiError.Validation("The first message must initialize the connection: {\"model_id\",\"voice\",\"output_format\"}."), null);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "Missing init", "missing init");
            return;
        }

        var request = SpeechRequest.Parse(root, SpeechEndpoint.WebSocket, out var error);
        if (request is null)
        {
            RejectInit(error!);
            return;
        }

        if (request.Format.BytesPerSample == 1 && new FaultSet().Apply(_faultSpec).OddLengthChunk)
        {
            // Asked for on this connection but impossible: a 1-byte sample cannot be split, so refuse rather than
            // send normal audio to a test that expects a misaligned chunk. (The server-wide switch skips such connections.)
            RejectInit(ApiError.Validation(
                $"The odd-length-chunk fault cannot apply to {request.Format.Encoding}: its samples are 1 byte, so no chunk can end mid-sample.",
                "output_format.encoding"));
            return;
        }

        _init = request;
        var f = request.Format;
        _journal.Add(_connectionId, EmulatorEventKind.Init, null,
            string.Create(CultureInfo.InvariantCulture, $"{request.ModelId} {request.VoiceId} {f.Container}/{f.Encoding}/{f.SampleRate} {request.Language ?? "auto"}"));
    }

    private void AddText(string key, string? wireId, string transcript)
    {
        var format = _init!.Format;
        var samplesPerCharacter = EmulatorAudio.SamplesPerCharacter(format.SampleRate, _options.SecondsPerCharacter);
        var chunkSamples = Math.Max(1, (int)Math.Round(_options.ChunkDuration.TotalSeconds * format.SampleRate));
        var segment = new SpeechContext.Segment(
            ToneSynthesizer.PhaseOf(transcript),
            ToneSynthesizer.StepOf(format.SampleRate),
            (long)EmulatorAudio.CountAudibleCharacters(transcript) * samplesPerCharacter,
            chunkSamples);

        ApiError? error = null;
        lock (_gate)
        {
            if (!_contexts.TryGetValue(key, out var context))
            {
                if (_contexts.Count >= _options.MaxContextsPerConnection)
                {
                    error = new ApiError(400, TooManyContexts,
                        string.Create(CultureInfo.InvariantCulture, $"Too many open contexts on this connection (limit {_options.MaxContextsPerConnection}); close one first."),
                        [new("limit", _options.MaxContextsPerConnection)]);
                }
                else
                {
                    context = new SpeechContext(key, wireId ?? _options.DefaultContextId, _journal);
                    _contexts.Add(key, context);
                    _finished.Remove(key);
                }
            }

            if (context is not null)
            {
                if (context.InputEnded)
                {
                    error = new ApiError(400, ContextClosed, $"Context '{key}' has ended its input; wait for final or use a new context_id.");
                }
                else
                {
                    var now = Stopwatch.GetTimestamp();
                    if (context.Pending.Count == 0)
                    {
                        var firstAudio = now + ToTicks(_options.TimeToFirstAudio);
                        context.DueTimestamp = Math.Max(context.DueTimestamp, firstAudio);
                    }

                    context.Pending.Enqueue(segment);
                    Activate(context);
                }
            }
        }

        if (error is not null)
        {
            SendError(error, wireId);
        }

        Signal();
    }

    private void EndInput(string key, string? wireId, bool truncate)
    {
        lock (_gate)
        {
            if (!_contexts.TryGetValue(key, out var context))
            {
                if (_finished.Contains(key))
                {
                    // Its final is out already (this project's client sends close_context after it): a second
                    // final would be for a context nobody opened. A guess: no source says what the service does.
                    return;
                }

                // Closing a context that never got text still answers with final, so a waiting client completes.
                context = new SpeechContext(key, wireId ?? _options.DefaultContextId, _journal);
                _contexts.Add(key, context);
            }
            else if (context.InputEnded && !truncate)
            {
                return;
            }

            context.InputEnded = true;
            if (truncate)
            {
                context.Pending.Clear();
            }

            Activate(context);
        }

        Signal();
    }

    private void Activate(SpeechContext context)
    {
        if (!context.IsActive)
        {
            context.IsActive = true;
            _active.Add(context);
        }
    }

    // ---------------------------------------------------------------- writer

    private async Task WriterLoopAsync()
    {
        await Task.Yield();
        var inBurst = false;
        var sentSinceWake = 0;
        try
        {
            while (true)
            {
                var faults = CurrentFaults();
                (byte[] Message, string Code, string? ContextId) control = default;
                bool closing;
                lock (_gate)
                {
                    closing = _closing;
                    if (!faults.BlackHole && _control.Count > 0)
                    {
                        control = _control.Dequeue();
                    }
                }

                if (control.Message is not null)
                {
                    StartBurst(ref inBurst);
                    _journal.Add(_connectionId, EmulatorEventKind.ErrorSent, control.ContextId, control.Code);
                    await _socket.SendAsync(control.Message, WebSocketMessageType.Text, true, _stopping);
                    continue;
                }

                if (closing)
                {
                    await EndBurstAsync(inBurst);
                    inBurst = false;
                    await CloseAsync();
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                var deadline = long.MaxValue;
                if (!faults.BlackHole)
                {
                    var lastReceived = Interlocked.Read(ref _lastReceived);
                    if (faults.CloseAfterIdle is { } closeAfterIdle)
                    {
                        var closeAt = lastReceived + ToTicks(closeAfterIdle);
                        if (now >= closeAt)
                        {
                            RequestClose(WebSocketCloseStatus.NormalClosure, "Idle", "closed after idle (fault)");
                            continue;
                        }

                        deadline = Math.Min(deadline, closeAt);
                    }

                    var timeoutAt = lastReceived + ToTicks(_options.IdleTimeout);
                    if (now >= timeoutAt)
                    {
                        var seconds = _options.IdleTimeout.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture);
                        SendError(new ApiError(408, AsyncAIErrorCodes.Timeout, $"Timeout: no message received in {seconds} seconds"), null);
                        RequestClose(WebSocketCloseStatus.NormalClosure, "Timeout", "idle timeout");
                        continue;
                    }

                    deadline = Math.Min(deadline, timeoutAt);

                    var work = TakeWork(now, ref deadline);
                    if (work.Context is not null)
                    {
                        StartBurst(ref inBurst);
                        if (work.Final)
                        {
                            await SendFinalAsync(work.Context, faults);
                        }
                        else
                        {
                            await SendAudioAsync(work.Context, work.Segment!, work.FirstSample, work.SampleCount, faults);
                            if (++sentSinceWake == MaxChunksOnWakersThread && _wakeup.WokeInline)
                            {
                                // Woken on the reader's (or a timer's) thread: send what is buffered and give that
                                // thread back; an unpaced context would otherwise stream all of its audio from there.
                                await EndBurstAsync(inBurst);
                                inBurst = false;
                                await Task.Yield();
                            }

                            if (faults.CloseMidContext && work.Context.MessagesSent == 1)
                            {
                                // Drop the connection without a close handshake: flush what was sent, stop reading
                                // (which aborts the socket) and let the handler return, so Kestrel ends the TCP
                                // connection. An RST (HttpContext.Abort) could discard the chunk the client has not read yet.
                                _disconnectDetail = "dropped mid-context (fault)";
                                await EndBurstAsync(inBurst);
                                _dropConnection.Cancel();
                                return;
                            }
                        }

                        continue;
                    }
                }
                else
                {
                    // black hole: poll for the switch being turned off
                    deadline = now + ToTicks(TimeSpan.FromMilliseconds(100));
                }

                await EndBurstAsync(inBurst);
                inBurst = false;

                var waitMs = deadline == long.MaxValue ? Timeout.Infinite : (int)Math.Clamp(Math.Ceiling((deadline - now) * 1000.0 / Stopwatch.Frequency), 0, int.MaxValue);
                if (waitMs != 0)
                {
                    await _wakeup.WaitAsync(waitMs);
                    sentSinceWake = 0;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _disconnectDetail ??= "aborted";
        }
        finally
        {
            if (_sendBuffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_sendBuffer);
            }

            if (_pcmBuffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_pcmBuffer);
            }
        }
    }

    private (SpeechContext? Context, bool Final, SpeechContext.Segment? Segment, long FirstSample, int SampleCount) TakeWork(long now, ref long deadline)
    {
        var pacing = _options.PacingRate;
        lock (_gate)
        {
            // One round-robin pass: every context in the rotation is looked at most once. Idle contexts (no text,
            // input not ended) leave the rotation; the next one shifts into their slot.
            var index = _active.Count == 0 ? 0 : _roundRobin % _active.Count;
            var visited = 0;
            while (visited < _active.Count)
            {
                if (index >= _active.Count)
                {
                    index = 0;
                }

                var context = _active[index];
                if (context.Pending.Count > 0)
                {
                    if (context.DueTimestamp > now)
                    {
                        deadline = Math.Min(deadline, context.DueTimestamp);
                        index++;
                        visited++;
                        continue;
                    }

                    var segment = context.Pending.Peek();
                    var first = segment.Produced;
                    var samples = (int)Math.Min(segment.ChunkSamples, segment.TotalSamples - first);
                    segment.Produced += samples;
                    if (segment.Produced >= segment.TotalSamples)
                    {
                        context.Pending.Dequeue();
                    }

                    if (pacing > 0)
                    {
                        var chunkTicks = (long)(samples * (double)Stopwatch.Frequency / _init!.Format.SampleRate / pacing);
                        context.DueTimestamp = Math.Max(context.DueTimestamp, now - Stopwatch.Frequency) + chunkTicks;
                    }

                    _roundRobin = index + 1;
                    return (context, false, segment, first, samples);
                }

                context.IsActive = false;
                _active.RemoveAt(index);
                if (context.InputEnded)
                {
                    if (_contexts.TryGetValue(context.Id, out var current) && ReferenceEquals(current, context))
                    {
                        _contexts.Remove(context.Id);
                        _finished.Add(context.Id);
                    }

                    _roundRobin = index;
                    return (context, true, null, 0, 0);
                }
            }
        }

        return default;
    }

    private async ValueTask SendAudioAsync(SpeechContext context, SpeechContext.Segment segment, long firstSample, int sampleCount, FaultSet faults)
    {
        var format = _init!.Format;
        var bytesPerSample = format.BytesPerSample;
        var pcmLength = (sampleCount * bytesPerSample) + 1;
        if (_pcmBuffer.Length < pcmLength)
        {
            Rent(ref _pcmBuffer, pcmLength);
        }

        var offset = 0;
        if (context.CarryByte >= 0)
        {
            _pcmBuffer[0] = (byte)context.CarryByte;
            context.CarryByte = -1;
            offset = 1;
        }

        var length = offset + ToneSynthesizer.Write(_pcmBuffer.AsSpan(offset), format.SampleEncoding, segment.Phase, segment.Step, firstSample, sampleCount);
        // Cut one byte off a chunk of whole samples, so it ends mid-sample; 1-byte samples (μ-law) cannot be split.
        if (faults.OddLengthChunk && !_oddLengthUsed && bytesPerSample > 1 && length >= 2)
        {
            _oddLengthUsed = true;
            context.CarryByte = _pcmBuffer[length - 1];
            length--;
        }

        await SendPcmAsync(context, _pcmBuffer.AsMemory(0, length), faults);
    }

    private async ValueTask SendPcmAsync(SpeechContext context, ReadOnlyMemory<byte> pcm, FaultSet faults)
    {
        if (faults.Delay > TimeSpan.Zero)
        {
            await Task.Delay(faults.Delay, _dropConnection.Token);
        }

        // The frame is written by hand (server frames are unmasked) straight into the coalescing stream: one copy
        // per message instead of two, and none of ManagedWebSocket's per-send overhead. The stream keeps whole
        // frames atomic, so pongs and close frames from ManagedWebSocket never interleave with ours.
        var prefix = context.AudioPrefix;
        var suffix = SpeechContext.AudioSuffix;
        var needed = WebSocketFrame.MaxHeaderSize + prefix.Length + Base64.GetMaxEncodedToUtf8Length(pcm.Length) + suffix.Length;
        if (_sendBuffer.Length < needed)
        {
            Rent(ref _sendBuffer, needed);
        }

        var span = _sendBuffer.AsSpan(WebSocketFrame.MaxHeaderSize);
        prefix.CopyTo(span);
        var position = prefix.Length;
        Base64.EncodeToUtf8(pcm.Span, span[position..], out _, out var encoded);
        var audioStart = position;
        position += encoded;
        suffix.CopyTo(span[position..]);
        position += suffix.Length;

        var countBytes = true;
        if (faults.MalformedJson && !_malformedUsed)
        {
            _malformedUsed = true;
            countBytes = false;
            position -= suffix.Length + 1; // cut the closing quote and the rest: unterminated string
        }
        else if (faults.InvalidBase64 && !_invalidBase64Used && encoded >= 4)
        {
            _invalidBase64Used = true;
            countBytes = false;
            "!*?#"u8.CopyTo(span[audioStart..]);
        }

        var headerSize = WebSocketFrame.HeaderSize(position);
        var frameStart = WebSocketFrame.MaxHeaderSize - headerSize;
        WebSocketFrame.WriteTextHeader(_sendBuffer.AsSpan(frameStart, headerSize), position);

        // Counted and journaled before the write (as every message the emulator sends): whatever the client does on
        // receiving it then always comes later in the journal.
        context.MessagesSent++;
        if (countBytes)
        {
            context.BytesSent += pcm.Length;
            Interlocked.Add(ref context.Counter.Value, pcm.Length);
        }

        if (context.MessagesSent == 1)
        {
            _journal.Add(_connectionId, EmulatorEventKind.AudioSent, context.Id,
                string.Create(CultureInfo.InvariantCulture, $"first chunk {pcm.Length} bytes"));
        }

        await _stream.WriteAsync(_sendBuffer.AsMemory(frameStart, headerSize + position), _stopping);
    }

    private async ValueTask SendFinalAsync(SpeechContext context, FaultSet faults)
    {
        if (context.CarryByte >= 0)
        {
            var carry = new[] { (byte)context.CarryByte };
            context.CarryByte = -1;
            await SendPcmAsync(context, carry, faults);
        }

        if (faults.WithholdFinal || _options.WithholdFinal)
        {
            return;
        }

        _journal.Add(_connectionId, EmulatorEventKind.FinalSent, context.Id, context.BytesSent.ToString(CultureInfo.InvariantCulture));
        await _socket.SendAsync(context.FinalMessage, WebSocketMessageType.Text, true, _stopping);
    }

    private void StartBurst(ref bool inBurst)
    {
        if (!inBurst)
        {
            _stream.BeginBurst();
            inBurst = true;
        }
    }

    private async ValueTask EndBurstAsync(bool inBurst)
    {
        if (inBurst)
        {
            await _stream.EndBurstAsync(_stopping);
        }
    }

    private async Task CloseAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(_closeStatus, _closeReason, _stopping);
        }

        try
        {
            await _readerDone.Task.WaitAsync(CloseHandshakeTimeout, _stopping);
        }
        catch (TimeoutException)
        {
            _http.Abort(); // the client never answered our close
        }
    }

    // ---------------------------------------------------------------- helpers

    private FaultSet CurrentFaults()
    {
        var version = _options.Faults.Version;
        var cache = Volatile.Read(ref _faultsCache);
        if (version != cache.Version)
        {
            // Read before the snapshot: a switch changed in between makes the next call rebuild again, never the reverse.
            cache = new FaultsCacheEntry(version, _options.Faults.Snapshot().Apply(_faultSpec));
            Volatile.Write(ref _faultsCache, cache);
        }

        return cache.Faults;
    }

    private sealed record FaultsCacheEntry(int Version, FaultSet Faults);

    private void SendError(ApiError error, string? contextId)
    {
        var message = error.ToWebSocketMessage(_requestId, contextId);
        lock (_gate)
        {
            _control.Enqueue((message, error.ErrorCode, contextId));
        }

        Signal();
    }

    private void RequestClose(WebSocketCloseStatus status, string reason, string? detail)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _closeStatus = status;
            _closeReason = reason;
        }

        _disconnectDetail ??= detail;
        Signal();
    }

    private void Signal() => _wakeup.Signal();

    private static bool IsTrue(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static long ToTicks(TimeSpan time) => time == TimeSpan.MaxValue ? long.MaxValue / 4 : (long)(time.TotalSeconds * Stopwatch.Frequency);

    private static void Rent(ref byte[] buffer, int minimumLength)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
    }
}
