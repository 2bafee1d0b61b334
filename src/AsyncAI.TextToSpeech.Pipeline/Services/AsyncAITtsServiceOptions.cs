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

    /// <summary>Gets or sets the WebSocket endpoint (<c>ws</c> or <c>wss</c>). A URL with user info or an <c>api_key</c> query parameter is refused: the key goes in <c>ApiKey</c>.</summary>
    /// <value>The default value is <c>wss://api.async.com/text_to_speech/websocket/ws</c>.</value>
    public Uri Url { get; set; } = new(AsyncAIWebSocketOptions.DefaultUrl);

    /// <summary>Gets or sets whether, after a turn was sent for synthesis, later frames wait until the bot stops speaking (as Pipecat's Async WebSocket service does).</summary>
    /// <value>The default value is true. Needs an output (such as <see cref="Sinks.WavFileSink"/>) that reports <see cref="Frames.BotStoppedSpeakingFrame"/>; without one each turn waits for the 3 s watchdog.</value>
    public bool PauseFrameProcessing { get; set; } = true;

    /// <summary>Gets or sets how long the socket may send nothing before Async's keepalive message is sent (counted from the last message of any kind), or <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
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
        ValidateSharedOptions();

        // Every other option means exactly what it means on the client, so the client's rules check it (one rule set,
        // the same option names in the errors).
        ToClientOptions(SampleRate ?? 24000, VoiceId, Model, Params?.Language is { } language ? AsyncAILanguages.ToAsyncCode(language) : null).Validate();
    }

    /// <summary>The client options for one connection: the connection-level settings come from the current settings.</summary>
    internal AsyncAIWebSocketOptions ToClientOptions(int sampleRate, string? voiceId, string? model, string? language) => new()
    {
        ApiKey = ApiKey,
        VoiceId = voiceId ?? VoiceId,
        Model = model ?? Model,
        Version = Version,
        Url = Url,
        SampleRate = sampleRate,
        Encoding = Encoding,
        Container = Container,
        Language = language,
        KeepAliveInterval = KeepAliveInterval,
        PingInterval = PingInterval,
        KeepAliveTimeout = KeepAliveTimeout,
        ResponseTimeout = ResponseTimeout,
        ConnectTimeout = ConnectTimeout,
        CloseTimeout = CloseTimeout,
        ContextCompletionTimeout = ContextCompletionTimeout,
        Reconnect = Reconnect,
    };
}
