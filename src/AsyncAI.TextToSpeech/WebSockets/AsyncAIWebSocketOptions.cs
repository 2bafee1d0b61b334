using System.Globalization;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>Options of an <see cref="AsyncAIWebSocketClient"/>; validated (and copied) when the client is constructed.</summary>
/// <remarks>
/// <para>
/// Liveness has two independent mechanisms. <see cref="KeepAliveInterval"/> sends Async's own keepalive message so the
/// service's 60-second idle timeout never fires on a quiet socket. <see cref="PingInterval"/> and
/// <see cref="KeepAliveTimeout"/> drive WebSocket PING/PONG frames: a PING goes out when nothing has arrived for
/// <see cref="PingInterval"/>, and when no PONG arrives within <see cref="KeepAliveTimeout"/> the socket is aborted.
/// A black-holed peer is therefore detected within <see cref="PingInterval"/> + <see cref="KeepAliveTimeout"/>
/// (5 s with the defaults; Pipecat needed 19.5 s). The runtime checks these deadlines on a coarse heartbeat, so the
/// socket is configured with 80 % of each value to keep that bound.
/// The keepalive message cannot serve for detection: Async never answers it.
/// </para>
/// <para>Finite time spans are limited to 24 days (the runtime's timers and delays refuse longer ones).</para>
/// <para><see cref="ToString"/> never shows <see cref="ApiKey"/>, nor a <see cref="Url"/> that carries credentials.</para>
/// </remarks>
public sealed class AsyncAIWebSocketOptions
{
    /// <summary>The production WebSocket endpoint.</summary>
    public const string DefaultUrl = "wss://api.async.com/text_to_speech/websocket/ws";

    /// <summary>Gets or sets the API key (<c>sk_…</c>). Required. It travels as the <c>api_key</c> query parameter and is redacted wherever the URL is logged.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Gets or sets the voice id (a UUID). Required.</summary>
    public string VoiceId { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id.</summary>
    /// <value>The default value is <c>async_flash_v1.0</c>.</value>
    public string Model { get; set; } = AsyncAIModels.FlashV10;

    /// <summary>Gets or sets the API version sent as the <c>version</c> query parameter.</summary>
    /// <value>The default value is <c>v1</c>.</value>
    public string Version { get; set; } = "v1";

    /// <summary>Gets or sets the WebSocket endpoint (<c>ws</c> or <c>wss</c>). Query parameters already present (for example an emulator fault) are kept. A URL with user info or an <c>api_key</c> query parameter is refused: the key goes in <see cref="ApiKey"/>.</summary>
    /// <value>The default value is <see cref="DefaultUrl"/>.</value>
    public Uri Url { get; set; } = new(DefaultUrl);

    /// <summary>Gets or sets the output sample rate in Hz (8000–48000).</summary>
    /// <value>The default value is 24000.</value>
    public int SampleRate { get; set; } = 24000;

    /// <summary>Gets or sets the PCM encoding: <c>pcm_s16le</c>, <c>pcm_f32le</c> or <c>pcm_mulaw</c>.</summary>
    /// <value>The default value is <c>pcm_s16le</c>.</value>
    public string Encoding { get; set; } = AudioEncodings.PcmS16Le;

    /// <summary>Gets or sets the container. Only <c>raw</c> is allowed: the client hands out whole PCM samples, which a per-chunk WAV header or MP3 frames would break.</summary>
    /// <value>The default value is <c>raw</c>.</value>
    public string Container { get; set; } = AudioContainers.Raw;

    /// <summary>
    /// Gets or sets the language to force (an Async code such as <c>en</c> or <c>de</c>), or null to let the service
    /// detect it. BCP-47 tags of known languages are normalized to Async's base code (<c>de-DE</c> → <c>de</c>, see
    /// <see cref="AsyncAILanguages.Normalize"/>); unknown codes are sent unchanged.
    /// </summary>
    /// <value>The default value is null.</value>
    public string? Language { get; set; }

    /// <summary>Gets or sets how long the socket may send nothing before Async's keepalive message is sent (counted from the last message of any kind, a keepalive included), or <see cref="Timeout.InfiniteTimeSpan"/> to never send it.</summary>
    /// <value>The default value is 10 s (the service drops sockets idle for 60 s). Allowed: 100 ms to 55 s, or infinite.</value>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long the socket may receive nothing before a WebSocket PING is sent, or <see cref="Timeout.InfiniteTimeSpan"/> to send none (then dead peers go unnoticed until TCP gives up).</summary>
    /// <value>The default value is 2.5 s.</value>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>Gets or sets how long to wait for the PONG answering a PING before the socket is declared dead and aborted.</summary>
    /// <value>The default value is 2.5 s, so a dead peer is detected within 5 s.</value>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// Gets or sets how long the server may stay completely silent while a context waits for the audio of text it sent
    /// before the connection is declared dead, or <see cref="Timeout.InfiniteTimeSpan"/> to never do so. Checked four
    /// times per period, so a stall is caught within 1.25 × this value.
    /// </summary>
    /// <remarks>
    /// This catches a peer that still answers PINGs but no longer processes messages (a hung server), which PING/PONG
    /// cannot see. It only runs while some context has sent text (with
    /// <c>force: true</c>) and received no audio since, and any server message restarts it, so idle contexts (an LLM
    /// pausing between tokens) never trip it; raise it if a deployment answers some text only after a long pause.
    /// </remarks>
    /// <value>The default value is 5 s (Async's time to first audio is typically below 200 ms).</value>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the limit for opening a socket (TCP, TLS and the WebSocket handshake).</summary>
    /// <value>The default value is 10 s.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a graceful close may take before the socket is aborted; it bounds <see cref="AsyncAIWebSocketClient.DisposeAsync"/> and <see cref="AsyncAIWebSocketClient.DisconnectAsync"/>.</summary>
    /// <value>The default value is 2 s (as Pipecat's <c>ws_close_timeout</c>).</value>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how long a completing context waits for the server's <c>final</c>, counted from the end of input
    /// and restarted by each audio chunk that arrives meanwhile. When it passes, the audio stream ends normally.
    /// </summary>
    /// <value>The default value is 5 s.</value>
    public TimeSpan ContextCompletionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the reconnect policy.</summary>
    public AsyncAIReconnectPolicy Reconnect { get; set; } = new();

    /// <summary>Gets or sets the clock for keepalive, backoff, completion timeouts and timestamps (tests pass a fake one).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default value is <see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Describes the options without the API key.</summary>
    /// <returns>A description for logs and debugging.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"AsyncAIWebSocketOptions {{ Url = {OptionValidation.Displayable(Url)}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(redacted)")}, VoiceId = {VoiceId}, Model = {Model}, Version = {Version}, SampleRate = {SampleRate}, Encoding = {Encoding}, Container = {Container}, Language = {Language ?? "(auto)"} }}");

    internal AsyncAIWebSocketOptions Clone()
    {
        var copy = (AsyncAIWebSocketOptions)MemberwiseClone();
        copy.Reconnect = (Reconnect ?? throw new ArgumentNullException(nameof(Reconnect), "Reconnect must not be null.")).Clone();
        return copy;
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("ApiKey is required: pass the Async API key (sk_…).", nameof(ApiKey));
        }

        // As on HTTP: a stray character copied with the key would be escaped into the URL and refused as a wrong key.
        OptionValidation.ApiKey(ApiKey, nameof(ApiKey));

        if (string.IsNullOrWhiteSpace(VoiceId))
        {
            throw new ArgumentException("VoiceId is required: pass the id of an Async voice.", nameof(VoiceId));
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ArgumentException("Model must not be empty (for example async_flash_v1.0).", nameof(Model));
        }

        if (string.IsNullOrWhiteSpace(Version))
        {
            throw new ArgumentException("Version must not be empty (for example v1).", nameof(Version));
        }

        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != "ws" && Url.Scheme != "wss"))
        {
            throw new ArgumentException("Url must be an absolute ws:// or wss:// URL.", nameof(Url));
        }

        OptionValidation.RejectCredentials(Url, nameof(Url));

        if (SampleRate is < 8000 or > 48000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be between 8000 and 48000 Hz.");
        }

        if (Encoding is not (AudioEncodings.PcmS16Le or AudioEncodings.PcmF32Le or AudioEncodings.PcmMulaw))
        {
            throw new ArgumentException("Encoding must be pcm_s16le, pcm_f32le or pcm_mulaw.", nameof(Encoding));
        }

        if (Container != AudioContainers.Raw)
        {
            throw new ArgumentException("Container must be raw: the WebSocket client hands out whole PCM samples, which wav headers or mp3 frames would break.", nameof(Container));
        }

        if (Language is not null && string.IsNullOrWhiteSpace(Language))
        {
            throw new ArgumentException("Language must be null (auto-detect) or an Async language code such as en.", nameof(Language));
        }

        if (KeepAliveInterval != Timeout.InfiniteTimeSpan && (KeepAliveInterval < TimeSpan.FromMilliseconds(100) || KeepAliveInterval > TimeSpan.FromSeconds(55)))
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "KeepAliveInterval must be between 100 ms and 55 s (the service drops sockets idle for 60 s), or Timeout.InfiniteTimeSpan.");
        }

        RequirePositiveOrInfinite(PingInterval, nameof(PingInterval));
        RequirePositiveOrInfinite(KeepAliveTimeout, nameof(KeepAliveTimeout));
        RequirePositiveOrInfinite(ResponseTimeout, nameof(ResponseTimeout));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(CloseTimeout, nameof(CloseTimeout));
        RequirePositive(ContextCompletionTimeout, nameof(ContextCompletionTimeout));

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "TimeProvider must not be null; use TimeProvider.System.");
        }

        if (LoggerFactory is null)
        {
            throw new ArgumentNullException(nameof(LoggerFactory), "LoggerFactory must not be null; use NullLoggerFactory.Instance.");
        }

        if (Reconnect is null)
        {
            throw new ArgumentNullException(nameof(Reconnect), "Reconnect must not be null.");
        }

        Reconnect.Validate();
    }

    /// <summary>The longest finite time span accepted: the runtime's timers, delays and cancellation timeouts refuse more than ~49.7 days, some APIs more than ~24.8.</summary>
    internal static readonly TimeSpan MaxTimeSpan = TimeSpan.FromDays(24);

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan || value > MaxTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be a positive, finite time span of at most 24 days.");
        }
    }

    private static void RequirePositiveOrInfinite(TimeSpan value, string name)
    {
        if (value != Timeout.InfiniteTimeSpan && (value <= TimeSpan.Zero || value > MaxTimeSpan))
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be positive and at most 24 days, or Timeout.InfiniteTimeSpan to turn it off.");
        }
    }
}
