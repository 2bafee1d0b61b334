using System.Globalization;
using System.Text;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>Settings of an <see cref="AsyncAIHttpClient"/>: credentials, endpoint, default voice and audio format, retries.</summary>
/// <remarks>
/// Every property is checked when it is set: a bad value throws <see cref="ArgumentException"/> or
/// <see cref="ArgumentOutOfRangeException"/> whose <see cref="ArgumentException.ParamName"/> is the property's name.
/// <see cref="ApiKey"/> is required; <see cref="AsyncAIHttpClient"/> refuses options without one.
/// The client copies the options when it is constructed, so later changes do not affect it.
/// <see cref="ToString"/> never shows the API key.
/// </remarks>
public sealed class AsyncAIHttpOptions
{
    /// <summary>The voice the Async documentation uses in its examples.</summary>
    public const string DefaultVoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

    private static readonly Uri DefaultBaseUrl = new("https://api.async.com");

    private string? _apiKey;
    private string _voiceId = DefaultVoiceId;
    private string _model = AsyncAIModels.FlashV10;
    private string _version = "v1";
    private Uri _baseUrl = DefaultBaseUrl;
    private int _sampleRate = 24000;
    private string _encoding = AudioEncodings.PcmS16Le;
    private string _container = AudioContainers.Raw;
    private string? _language;
    private double? _speedControl;
    private int? _stability;
    private int? _bitRate;
    private int _maxRetries = 3;
    private TimeSpan _retryBaseDelay = TimeSpan.FromMilliseconds(500);
    private TimeSpan _maxRetryDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _streamIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Initializes options without a key; set <see cref="ApiKey"/> before creating a client.</summary>
    public AsyncAIHttpOptions()
    {
    }

    /// <summary>Initializes options with an API key.</summary>
    /// <param name="apiKey">The Async API key (<c>sk_…</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="apiKey"/> is null or blank.</exception>
    public AsyncAIHttpOptions(string apiKey) => ApiKey = apiKey;

    /// <summary>Gets or sets the Async API key, sent as the <c>x-api-key</c> header. Required.</summary>
    /// <exception cref="ArgumentException">The value is null, blank, or not printable ASCII.</exception>
    public string ApiKey
    {
        get => _apiKey ?? string.Empty;
        set => _apiKey = OptionValidation.ApiKey(value, nameof(ApiKey));
    }

    /// <summary>Gets or sets the voice id (a UUID). The default is <see cref="DefaultVoiceId"/>.</summary>
    /// <exception cref="ArgumentException">The value is null or blank.</exception>
    public string VoiceId
    {
        get => _voiceId;
        set => _voiceId = OptionValidation.NotBlank(value, nameof(VoiceId), "pass a voice id from ListVoicesAsync");
    }

    /// <summary>Gets or sets the model id. The default is <c>async_flash_v1.0</c>, the only model every HTTP endpoint serves.</summary>
    /// <exception cref="ArgumentException">The value is null or blank.</exception>
    public string Model
    {
        get => _model;
        set => _model = OptionValidation.NotBlank(value, nameof(Model), "for example async_flash_v1.0");
    }

    /// <summary>Gets or sets the API version sent as the <c>version</c> header. The default is <c>v1</c>.</summary>
    /// <exception cref="ArgumentException">The value is null or blank.</exception>
    public string Version
    {
        get => _version;
        set => _version = OptionValidation.NotBlank(value, nameof(Version), "the service documents v1");
    }

    /// <summary>Gets or sets the service's base URL. The default is <c>https://api.async.com</c>.</summary>
    /// <exception cref="ArgumentException">The value is null, relative, not http/https, or carries credentials (user info or an <c>api_key</c> query parameter).</exception>
    public Uri BaseUrl
    {
        get => _baseUrl;
        set => _baseUrl = OptionValidation.BaseUrl(value, nameof(BaseUrl));
    }

    /// <summary>Gets or sets the sample rate in Hz, 8000–48000. The default is 24000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 8000–48000.</exception>
    public int SampleRate
    {
        get => _sampleRate;
        set => _sampleRate = OptionValidation.SampleRate(value, nameof(SampleRate));
    }

    /// <summary>Gets or sets the PCM encoding: <c>pcm_s16le</c> (default), <c>pcm_f32le</c> or <c>pcm_mulaw</c> (streaming only).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the three encodings.</exception>
    public string Encoding
    {
        get => _encoding;
        set => _encoding = OptionValidation.Encoding(value, nameof(Encoding));
    }

    /// <summary>Gets or sets the container: <c>raw</c> (default), <c>wav</c> (not for streaming) or <c>mp3</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the three containers.</exception>
    public string Container
    {
        get => _container;
        set => _container = OptionValidation.Container(value, nameof(Container));
    }

    /// <summary>
    /// Gets or sets the forced language as an Async code (<c>en</c>, <c>de</c>, …), or null to let the service detect it.
    /// Locale tags are reduced to the base code (<c>de-DE</c> and <c>en_US</c> become <c>de</c> and <c>en</c>); use
    /// <see cref="AsyncAILanguages.ToAsyncCode"/> to convert a <see cref="TextToSpeech.Language"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is blank.</exception>
    public string? Language
    {
        get => _language;
        set => _language = OptionValidation.Language(value, nameof(Language));
    }

    /// <summary>Gets or sets the speed, 0.7–2.0, or null for the service default. Only <c>async_flash_v1.0</c> honours it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0.7–2.0.</exception>
    public double? SpeedControl
    {
        get => _speedControl;
        set => _speedControl = OptionValidation.SpeedControl(value, nameof(SpeedControl));
    }

    /// <summary>Gets or sets the stability, 0–100, or null for the service default. Only <c>async_flash_v1.0</c> honours it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0–100.</exception>
    public int? Stability
    {
        get => _stability;
        set => _stability = OptionValidation.Stability(value, nameof(Stability));
    }

    /// <summary>
    /// Gets or sets the mp3 bit rate in bit/s, 32000–320000, or null for the service default (192000). Sent only when
    /// <see cref="Container"/> is <c>mp3</c>; ignored for other containers, as <see cref="Encoding"/> is ignored for mp3.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 32000–320000.</exception>
    public int? BitRate
    {
        get => _bitRate;
        set => _bitRate = OptionValidation.BitRate(value, nameof(BitRate));
    }

    /// <summary>
    /// Gets or sets how many times a rate-limited, server or connectivity failure is retried, 0–10. The default is 3.
    /// Streams are retried only before their first audio was handed out.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0–10.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        set => _maxRetries = OptionValidation.Range(value, 0, 10, nameof(MaxRetries));
    }

    /// <summary>Gets or sets the first retry's delay when the service gives none; later retries back off exponentially. The default is 500 ms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or exceeds one minute.</exception>
    public TimeSpan RetryBaseDelay
    {
        get => _retryBaseDelay;
        set => _retryBaseDelay = OptionValidation.Delay(value, TimeSpan.FromMinutes(1), nameof(RetryBaseDelay));
    }

    /// <summary>
    /// Gets or sets the longest delay before a retry, including a delay the service asked for
    /// (<c>retry_after_ms</c>, <c>Retry-After</c>). The default is 30 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or exceeds ten minutes.</exception>
    public TimeSpan MaxRetryDelay
    {
        get => _maxRetryDelay;
        set => _maxRetryDelay = OptionValidation.Delay(value, TimeSpan.FromMinutes(10), nameof(MaxRetryDelay));
    }

    /// <summary>
    /// Gets or sets how long a streaming response body may send nothing before the stream fails with a
    /// <see cref="AsyncAIErrorCategory.Timeout"/> error, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> to
    /// wait for ever. The default is 30 s.
    /// </summary>
    /// <remarks>
    /// <see cref="HttpClient.Timeout"/> stops applying once a streamed response's headers have arrived, so without this a
    /// body that stalls would hold its reader (and a pipeline's turn) until it is cancelled. Only the time spent waiting for
    /// bytes counts, not the time the caller takes between chunks.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive (and not infinite), or exceeds one hour.</exception>
    public TimeSpan StreamIdleTimeout
    {
        get => _streamIdleTimeout;
        set => _streamIdleTimeout = value == System.Threading.Timeout.InfiniteTimeSpan
            ? value
            : OptionValidation.Delay(value, TimeSpan.FromHours(1), nameof(StreamIdleTimeout));
    }

    /// <summary>Gets or sets whether computed backoff delays get random jitter. The default is true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Creates a copy of these options.</summary>
    /// <returns>A new instance with the same values.</returns>
    public AsyncAIHttpOptions Clone() => (AsyncAIHttpOptions)MemberwiseClone();

    /// <summary>Returns the options without the API key.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString()
    {
        var builder = new StringBuilder(256);
        builder.Append(CultureInfo.InvariantCulture, $"AsyncAIHttpOptions {{ ApiKey = {(_apiKey is null ? "(not set)" : "***")}, ");
        builder.Append(CultureInfo.InvariantCulture, $"BaseUrl = {BaseUrl}, Version = {Version}, Model = {Model}, VoiceId = {VoiceId}, ");
        builder.Append(CultureInfo.InvariantCulture, $"SampleRate = {SampleRate}, Encoding = {Encoding}, Container = {Container}, Language = {Language ?? "(auto)"}, ");
        builder.Append(CultureInfo.InvariantCulture, $"SpeedControl = {SpeedControl?.ToString(CultureInfo.InvariantCulture) ?? "(default)"}, Stability = {Stability?.ToString(CultureInfo.InvariantCulture) ?? "(default)"}, ");
        builder.Append(CultureInfo.InvariantCulture, $"BitRate = {BitRate?.ToString(CultureInfo.InvariantCulture) ?? "(default)"}, ");
        builder.Append(CultureInfo.InvariantCulture, $"MaxRetries = {MaxRetries}, RetryBaseDelay = {RetryBaseDelay}, MaxRetryDelay = {MaxRetryDelay}, StreamIdleTimeout = {StreamIdleTimeout}, UseJitter = {UseJitter} }}");
        return builder.ToString();
    }

    /// <summary>Throws when a required option is missing.</summary>
    internal void EnsureComplete()
    {
        if (_apiKey is null)
        {
            throw new ArgumentException(
                "AsyncAIHttpOptions.ApiKey is required: set it to the key from your async.com dashboard.",
                nameof(ApiKey));
        }
    }

    internal bool HasApiKey => _apiKey is not null;
}
