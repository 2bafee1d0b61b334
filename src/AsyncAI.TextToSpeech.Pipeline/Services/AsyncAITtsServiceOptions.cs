using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>Options of <see cref="AsyncAITtsService"/> (Async's WebSocket API).</summary>
/// <remarks>
/// The connection knobs (<see cref="KeepAliveInterval"/> … <see cref="Reconnect"/>) are passed to the
/// <see cref="AsyncAIWebSocketClient"/> the service opens; <c>docs/websocket-client.md</c> explains them.
/// </remarks>
public sealed class AsyncAITtsServiceOptions : AsyncAITtsOptionsBase
{
    private static readonly AsyncAIWebSocketOptions s_defaults = new();

    /// <summary>Gets or sets the WebSocket endpoint (<c>ws</c> or <c>wss</c>).</summary>
    /// <value>The default value is <c>wss://api.async.com/text_to_speech/websocket/ws</c>.</value>
    public Uri Url { get; set; } = new(AsyncAIWebSocketOptions.DefaultUrl);

    /// <summary>Gets or sets whether, after a turn was sent for synthesis, later frames wait until the bot stops speaking (as Pipecat's Async WebSocket service does).</summary>
    /// <value>The default value is true. Needs an output (such as <see cref="Sinks.WavFileSink"/>) that reports <see cref="Frames.BotStoppedSpeakingFrame"/>; without one each turn waits for the 3 s watchdog.</value>
    public bool PauseFrameProcessing { get; set; } = true;

    /// <summary>Gets or sets how often Async's keepalive message is sent on an otherwise quiet socket, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    /// <value>The default value is 10 s. Allowed: 100 ms to 55 s, or infinite.</value>
    public TimeSpan KeepAliveInterval { get; set; } = s_defaults.KeepAliveInterval;

    /// <summary>Gets or sets how long the socket may receive nothing before a WebSocket PING is sent, or <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    /// <value>The default value is 2.5 s.</value>
    public TimeSpan PingInterval { get; set; } = s_defaults.PingInterval;

    /// <summary>Gets or sets how long to wait for a PONG before the socket is declared dead.</summary>
    /// <value>The default value is 2.5 s (a dead peer is detected within 5 s).</value>
    public TimeSpan KeepAliveTimeout { get; set; } = s_defaults.KeepAliveTimeout;

    /// <summary>Gets or sets how long the server may stay silent after text was sent before the connection is declared dead, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    /// <value>The default value is 5 s.</value>
    public TimeSpan ResponseTimeout { get; set; } = s_defaults.ResponseTimeout;

    /// <summary>Gets or sets the limit for opening a socket (TCP, TLS and the WebSocket handshake).</summary>
    /// <value>The default value is 10 s.</value>
    public TimeSpan ConnectTimeout { get; set; } = s_defaults.ConnectTimeout;

    /// <summary>Gets or sets how long a graceful close may take before the socket is aborted; it bounds the disconnect at <see cref="Frames.EndFrame"/> and <see cref="Frames.CancelFrame"/>.</summary>
    /// <value>The default value is 2 s.</value>
    public TimeSpan CloseTimeout { get; set; } = s_defaults.CloseTimeout;

    /// <summary>Gets or sets how long a finished turn waits for the server's <c>final</c> without any audio arriving before its audio counts as complete.</summary>
    /// <value>The default value is 5 s.</value>
    public TimeSpan ContextCompletionTimeout { get; set; } = s_defaults.ContextCompletionTimeout;

    /// <summary>Gets or sets how a socket that died unexpectedly is replaced.</summary>
    public AsyncAIReconnectPolicy Reconnect { get; set; } = new();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("ApiKey is required: pass the Async API key (for example from ASYNCAI_API_KEY).", nameof(ApiKey));
        }

        if (string.IsNullOrWhiteSpace(VoiceId))
        {
            throw new ArgumentException("VoiceId is required: pass the id (UUID) of an Async voice.", nameof(VoiceId));
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

        if (SampleRate is < 8000 or > 48000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be null (the pipeline's rate) or between 8000 and 48000 Hz.");
        }

        if (Encoding is not (AudioEncodings.PcmS16Le or AudioEncodings.PcmF32Le or AudioEncodings.PcmMulaw))
        {
            throw new ArgumentException("Encoding must be pcm_s16le, pcm_f32le or pcm_mulaw.", nameof(Encoding));
        }

        if (Container != AudioContainers.Raw)
        {
            throw new ArgumentException("Container must be raw over the WebSocket: the audio is handed on as whole PCM samples.", nameof(Container));
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
        ValidateReconnect();
    }

    private void ValidateReconnect()
    {
        var policy = Reconnect;
        if (policy is null)
        {
            throw new ArgumentNullException(nameof(Reconnect), "Reconnect must not be null.");
        }

        const string Prefix = nameof(Reconnect) + ".";
        if (policy.MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(policy.MaxAttempts), policy.MaxAttempts, "Reconnect.MaxAttempts must be between 1 and 100.");
        }

        if (policy.MaxShortLivedConnections is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(policy.MaxShortLivedConnections), policy.MaxShortLivedConnections, "Reconnect.MaxShortLivedConnections must be between 1 and 100.");
        }

        if (policy.MaxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(policy.MaxDelay), policy.MaxDelay, "Reconnect.MaxDelay must not be negative.");
        }

        if (policy.InitialDelay < TimeSpan.Zero || policy.InitialDelay > policy.MaxDelay)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(policy.InitialDelay), policy.InitialDelay, "Reconnect.InitialDelay must be between zero and Reconnect.MaxDelay.");
        }

        if (policy.MinHealthyConnectionLifetime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(policy.MinHealthyConnectionLifetime), policy.MinHealthyConnectionLifetime, "Reconnect.MinHealthyConnectionLifetime must not be negative.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be a positive, finite time span.");
        }
    }

    private static void RequirePositiveOrInfinite(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be positive, or Timeout.InfiniteTimeSpan to turn it off.");
        }
    }
}
