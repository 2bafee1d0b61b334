namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// Settings of an <see cref="AsyncAIEmulator"/>. The object is live: changing a property of a running emulator's
/// <see cref="AsyncAIEmulator.Options"/> applies to later connections, requests and messages
/// (a change of <see cref="IdleTimeout"/>, like one of the <see cref="Faults"/>, also wakes open connections, so it applies to them at once).
/// </summary>
/// <remarks>Every setter validates its value and throws <see cref="ArgumentOutOfRangeException"/> naming the option.</remarks>
public sealed class EmulatorOptions
{
    private string _host = "127.0.0.1";
    private int _port;
    private TimeSpan _chunkDuration = TimeSpan.FromMilliseconds(20);
    private double _secondsPerCharacter = 0.05;
    private double _pacingRate;
    private TimeSpan _timeToFirstAudio = TimeSpan.Zero;
    private TimeSpan _idleTimeout = TimeSpan.FromSeconds(60);
    private int _maxMessageBytes = 1024 * 1024;
    private int _maxContextsPerConnection = 256;
    private int _maxConnections = 5000;
    private int _maxConcurrentHttpRequests;
    private int _httpRequestsPerMinute;
    private TimeSpan _concurrencyRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the address to bind. The default value is <c>127.0.0.1</c>.</summary>
    public string Host
    {
        get => _host;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Host));
            _host = value;
        }
    }

    /// <summary>Gets or sets the TCP port; 0 picks a free port. The default value is 0. Read once at start.</summary>
    public int Port
    {
        get => _port;
        set => _port = value is >= 0 and <= 65535
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Port), value, "Port must be between 0 and 65535 (0 = any free port).");
    }

    /// <summary>Gets the accepted API keys. Empty (the default) accepts any non-empty key; otherwise only these.</summary>
    public ICollection<string> ApiKeys { get; } = new ApiKeyCollection();

    /// <summary>Gets or sets the duration of audio in one WebSocket audio message or HTTP stream write. The default value is 20 ms.</summary>
    public TimeSpan ChunkDuration
    {
        get => _chunkDuration;
        set => _chunkDuration = value > TimeSpan.Zero && value <= TimeSpan.FromSeconds(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ChunkDuration), value, "ChunkDuration must be greater than zero and at most 10 seconds.");
    }

    /// <summary>
    /// Gets or sets the seconds of audio produced per non-whitespace character of text. The default value is 0.05.
    /// </summary>
    public double SecondsPerCharacter
    {
        get => _secondsPerCharacter;
        set => _secondsPerCharacter = value > 0 && value <= 10 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SecondsPerCharacter), value, "SecondsPerCharacter must be greater than 0 and at most 10.");
    }

    /// <summary>
    /// Gets or sets how fast audio is produced relative to real time: 0 (the default) as fast as possible,
    /// 1 real time, 2 twice real time.
    /// </summary>
    public double PacingRate
    {
        get => _pacingRate;
        set => _pacingRate = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PacingRate), value, "PacingRate must be 0 (as fast as possible) or a positive multiple of real time.");
    }

    /// <summary>Gets or sets the delay before a context's first audio after it receives text. The default value is zero.</summary>
    public TimeSpan TimeToFirstAudio
    {
        get => _timeToFirstAudio;
        set => _timeToFirstAudio = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TimeToFirstAudio), value, "TimeToFirstAudio must not be negative.");
    }

    /// <summary>
    /// Gets or sets how long a WebSocket may go without a client message before the server sends <c>TIMEOUT</c> and
    /// closes. The default value is 60 seconds (the live service's value). A change applies at once to open
    /// connections too (it wakes them, as a fault switch does).
    /// </summary>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set
        {
            _idleTimeout = value > TimeSpan.Zero
                ? value
                : throw new ArgumentOutOfRangeException(nameof(IdleTimeout), value, "IdleTimeout must be greater than zero.");
            IdleTimeoutChanged?.Invoke();
        }
    }

    /// <summary>Raised after <see cref="IdleTimeout"/> changed, so sessions asleep until the old deadline re-read it.</summary>
    internal event Action? IdleTimeoutChanged;

    /// <summary>
    /// Gets or sets whether <c>close_context</c> drops the context's pending audio (as one third-party client
    /// reports) instead of completing it first (as the docs say). The default value is false.
    /// </summary>
    public bool CloseContextTruncates { get; set; }

    /// <summary>Gets or sets whether the server never sends <c>final: true</c>. The default value is false.</summary>
    public bool WithholdFinal { get; set; }

    /// <summary>
    /// Gets or sets the context id the server writes on audio for messages sent without <c>context_id</c>; null
    /// omits the field (the old single-context protocol). The default value is <c>default</c>.
    /// </summary>
    public string? DefaultContextId { get; set; } = "default";

    /// <summary>Gets or sets the largest client WebSocket message accepted. The default value is 1 MiB.</summary>
    public int MaxMessageBytes
    {
        get => _maxMessageBytes;
        set => _maxMessageBytes = value >= 64
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), value, "MaxMessageBytes must be at least 64.");
    }

    /// <summary>Gets or sets the most contexts open at once on one WebSocket. The default value is 256.</summary>
    public int MaxContextsPerConnection
    {
        get => _maxContextsPerConnection;
        set => _maxContextsPerConnection = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxContextsPerConnection), value, "MaxContextsPerConnection must be at least 1.");
    }

    /// <summary>Gets or sets the most WebSocket connections open at once. The default value is 5000.</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxConnections), value, "MaxConnections must be at least 1.");
    }

    /// <summary>
    /// Gets or sets the most HTTP TTS requests in flight at once before <c>429 TOO_MANY_CONCURRENT_REQUESTS</c>;
    /// 0 (the default) means unlimited.
    /// </summary>
    public int MaxConcurrentHttpRequests
    {
        get => _maxConcurrentHttpRequests;
        set => _maxConcurrentHttpRequests = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxConcurrentHttpRequests), value, "MaxConcurrentHttpRequests must be 0 (unlimited) or positive.");
    }

    /// <summary>
    /// Gets or sets the most authenticated HTTP requests per rolling minute before <c>429 RATE_LIMIT_EXCEEDED</c>;
    /// 0 (the default) means unlimited.
    /// </summary>
    public int HttpRequestsPerMinute
    {
        get => _httpRequestsPerMinute;
        set => _httpRequestsPerMinute = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(HttpRequestsPerMinute), value, "HttpRequestsPerMinute must be 0 (unlimited) or positive.");
    }

    /// <summary>Gets or sets the retry hint sent with <c>TOO_MANY_CONCURRENT_REQUESTS</c>. The default value is 1 second.</summary>
    public TimeSpan ConcurrencyRetryAfter
    {
        get => _concurrencyRetryAfter;
        set => _concurrencyRetryAfter = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ConcurrencyRetryAfter), value, "ConcurrencyRetryAfter must not be negative.");
    }

    /// <summary>Gets or sets whether ASP.NET Core logs to the console, without its per-request lines (they print each URL whole, a WebSocket client's <c>api_key</c> included). The default value is false. Read once at start.</summary>
    public bool EnableLogging { get; set; }

    /// <summary>Gets the server-wide faults; settable at runtime.</summary>
    public EmulatorFaults Faults { get; } = new();

    internal bool IsKeyAccepted(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var keys = (ApiKeyCollection)ApiKeys;
        return keys.Count == 0 || keys.Contains(key);
    }

    /// <summary>A thread-safe key set (tests change keys while requests run).</summary>
    private sealed class ApiKeyCollection : ICollection<string>
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _keys.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(string item)
        {
            ArgumentException.ThrowIfNullOrEmpty(item, nameof(ApiKeys));
            lock (_gate)
            {
                _keys.Add(item);
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _keys.Clear();
            }
        }

        public bool Contains(string item)
        {
            lock (_gate)
            {
                return _keys.Contains(item);
            }
        }

        public void CopyTo(string[] array, int arrayIndex)
        {
            lock (_gate)
            {
                _keys.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(string item)
        {
            lock (_gate)
            {
                return _keys.Remove(item);
            }
        }

        public IEnumerator<string> GetEnumerator()
        {
            string[] copy;
            lock (_gate)
            {
                copy = [.. _keys];
            }

            return ((IEnumerable<string>)copy).GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
