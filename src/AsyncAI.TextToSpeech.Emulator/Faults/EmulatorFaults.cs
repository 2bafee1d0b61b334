namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// Server-wide fault switches. Thread-safe and live: a change applies to later connections, requests and messages, and
/// wakes every open WebSocket session, so a timing switch (such as <see cref="CloseAfterIdle"/>) applies at once.
/// Per connection (WebSocket query <c>emulator_fault=…</c>) or per request (header <c>x-emulator-fault: …</c>) the
/// same faults can be switched on for one exchange only; see <c>docs/emulator.md</c> for the syntax.
/// </summary>
public sealed class EmulatorFaults
{
    private readonly Lock _gate = new();
    private bool _blackHole;
    private bool _closeAbruptlyMidContext;
    private TimeSpan? _closeAfterIdle;
    private int? _rejectHandshakeStatus;
    private bool _malformedJson;
    private bool _invalidBase64;
    private bool _oddLengthChunk;
    private TimeSpan _extraDelay;
    private int? _quotaExceededAfterBytes;
    private int? _httpChunkBytes;
    private int _failCount;
    private int _failStatus;
    private string? _failErrorCode;
    private TimeSpan? _failRetryAfter;
    private int _version;

    /// <summary>Raised after a switch changed (outside the lock), so sessions asleep until a far deadline re-read them.</summary>
    internal event Action? Changed;

    /// <summary>Gets a number that changes whenever a switch changes (sessions cache their merged faults).</summary>
    internal int Version => Volatile.Read(ref _version);

    /// <summary>Gets or sets whether WebSockets stop answering (no audio, no errors, no finals) without closing.</summary>
    public bool BlackHole
    {
        get { lock (_gate) { return _blackHole; } }
        set => Set(ref _blackHole, value);
    }

    /// <summary>Gets or sets whether the server aborts the TCP connection after the first audio message of a context.</summary>
    public bool CloseAbruptlyMidContext
    {
        get { lock (_gate) { return _closeAbruptlyMidContext; } }
        set => Set(ref _closeAbruptlyMidContext, value);
    }

    /// <summary>Gets or sets the client silence after which the server closes the WebSocket (no <c>TIMEOUT</c> error); null = off.</summary>
    public TimeSpan? CloseAfterIdle
    {
        get { lock (_gate) { return _closeAfterIdle; } }
        set
        {
            if (value is { } v && v <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(CloseAfterIdle), value, "CloseAfterIdle must be positive or null (off).");
            }

            Set(ref _closeAfterIdle, value);
        }
    }

    /// <summary>Gets or sets the HTTP status (400–599) with which WebSocket upgrades are refused; null = off.</summary>
    public int? RejectHandshakeStatus
    {
        get { lock (_gate) { return _rejectHandshakeStatus; } }
        set
        {
            if (value is { } v && v is < 400 or > 599)
            {
                throw new ArgumentOutOfRangeException(nameof(RejectHandshakeStatus), value, "RejectHandshakeStatus must be an HTTP error status 400–599, or null (off).");
            }

            Set(ref _rejectHandshakeStatus, value);
        }
    }

    /// <summary>Gets or sets whether one audio message per connection is sent as malformed JSON (then normal).</summary>
    public bool MalformedJson
    {
        get { lock (_gate) { return _malformedJson; } }
        set => Set(ref _malformedJson, value);
    }

    /// <summary>Gets or sets whether one audio message per connection carries invalid base64 (then normal).</summary>
    public bool InvalidBase64
    {
        get { lock (_gate) { return _invalidBase64; } }
        set => Set(ref _invalidBase64, value);
    }

    /// <summary>
    /// Gets or sets whether one audio chunk per connection ends mid-sample: it is one byte short and the next
    /// message of that context starts with the missing byte, so the stream stays complete. It applies to
    /// <c>pcm_s16le</c> and <c>pcm_f32le</c> at any rate; <c>pcm_mulaw</c> connections (1-byte samples, nothing to
    /// split) are left alone by this switch, and refused at init when they ask for the fault themselves.
    /// </summary>
    public bool OddLengthChunk
    {
        get { lock (_gate) { return _oddLengthChunk; } }
        set => Set(ref _oddLengthChunk, value);
    }

    /// <summary>Gets or sets a delay added before every WebSocket audio message and every HTTP response.</summary>
    public TimeSpan ExtraDelay
    {
        get { lock (_gate) { return _extraDelay; } }
        set
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(ExtraDelay), value, "ExtraDelay must not be negative.");
            }

            Set(ref _extraDelay, value);
        }
    }

    /// <summary>
    /// Gets or sets the audio bytes after which <c>/text_to_speech/streaming</c> writes <c>--ERROR:QUOTA_EXCEEDED--</c>
    /// and ends the 200 body; null = off.
    /// </summary>
    public int? QuotaExceededAfterBytes
    {
        get { lock (_gate) { return _quotaExceededAfterBytes; } }
        set
        {
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(QuotaExceededAfterBytes), value, "QuotaExceededAfterBytes must not be negative.");
            }

            Set(ref _quotaExceededAfterBytes, value);
        }
    }

    /// <summary>Gets or sets the exact size of each write of a <c>/text_to_speech/streaming</c> body (odd-sized reads), the quota marker included; null = one write per audio chunk.</summary>
    public int? HttpChunkBytes
    {
        get { lock (_gate) { return _httpChunkBytes; } }
        set
        {
            if (value is <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(HttpChunkBytes), value, "HttpChunkBytes must be positive or null (off).");
            }

            Set(ref _httpChunkBytes, value);
        }
    }

    /// <summary>Answers the next <paramref name="count"/> HTTP requests (not WebSocket upgrades) with an error.</summary>
    /// <param name="count">How many requests fail; 0 cancels a pending failure.</param>
    /// <param name="statusCode">The HTTP status (400–599).</param>
    /// <param name="errorCode">The <c>error_code</c> in the body; null picks the documented code for the status.</param>
    /// <param name="retryAfter">When set, a <c>Retry-After</c> header and <c>extra.retry_after_ms</c> are sent.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or a status is not 400–599.</exception>
    public void FailNextHttpRequests(int count, int statusCode, string? errorCode = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "statusCode must be an HTTP error status 400–599.");
        }

        lock (_gate)
        {
            _failCount = count;
            _failStatus = statusCode;
            _failErrorCode = errorCode;
            _failRetryAfter = retryAfter;
        }
    }

    /// <summary>Changes a switch: under the lock with a new <see cref="Version"/>, then <see cref="Changed"/> outside it.</summary>
    private void Set<T>(ref T field, T value)
    {
        lock (_gate)
        {
            field = value;
            _version++;
        }

        Changed?.Invoke();
    }

    internal HttpFailure? TakeHttpFailure()
    {
        lock (_gate)
        {
            if (_failCount <= 0)
            {
                return null;
            }

            _failCount--;
            return new HttpFailure(_failStatus, _failErrorCode, _failRetryAfter);
        }
    }

    internal FaultSet Snapshot()
    {
        lock (_gate)
        {
            return new FaultSet
            {
                BlackHole = _blackHole,
                CloseMidContext = _closeAbruptlyMidContext,
                CloseAfterIdle = _closeAfterIdle,
                RejectHandshakeStatus = _rejectHandshakeStatus,
                MalformedJson = _malformedJson,
                InvalidBase64 = _invalidBase64,
                OddLengthChunk = _oddLengthChunk,
                Delay = _extraDelay,
                QuotaAfterBytes = _quotaExceededAfterBytes,
                HttpChunkBytes = _httpChunkBytes,
            };
        }
    }
}

/// <summary>One forced HTTP failure.</summary>
internal sealed record HttpFailure(int StatusCode, string? ErrorCode, TimeSpan? RetryAfter);
