using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>The WebSocket client's instruments on the library's one meter.</summary>
internal static class WebSocketMetrics
{
    public const string ErrorTypeTag = "error.type";
    public const string ErrorCodeTag = "asyncai.error.code";
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The <see cref="ErrorCodeTag"/> of a code that is neither documented by Async nor one of the library's own.</summary>
    public const string OtherCode = "other";

    public static readonly Histogram<double> TimeToFirstAudio = AsyncAITelemetry.Meter.CreateHistogram<double>(
        "asyncai.tts.websocket.time_to_first_audio", "s", "Time from a context's first SendTextAsync to its first audio chunk.");

    public static readonly Counter<double> AudioDuration = AsyncAITelemetry.Meter.CreateCounter<double>(
        "asyncai.tts.websocket.audio.duration", "s", "Seconds of audio delivered to contexts.");

    public static readonly Counter<long> CharactersSent = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.websocket.characters_sent", "{character}", "Characters of text written to the socket.");

    public static readonly Counter<long> LateChunksDropped = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.websocket.late_chunks_dropped", "{chunk}", "Audio chunks dropped because their context was interrupted, completed, failed or unknown.");

    public static readonly Counter<long> Reconnects = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.websocket.reconnects", "{connection}", "Sockets opened to replace one that died.");

    public static readonly Counter<long> Errors = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.websocket.errors",
        "{error}",
        "Errors: server errors, protocol violations, failed connects, lost connections. Tags error.type (the category) and asyncai.error.code (a documented code, else other).");

    // The server picks its error codes, so a code it made up would be a new time series each time: only these are
    // tagged as they are. Async's documented codes, and the library's own for protocol violations.
    private static readonly FrozenSet<string> KnownCodes = FrozenSet.Create(
        StringComparer.Ordinal,
        AsyncAIErrorCodes.Timeout,
        AsyncAIErrorCodes.InvalidApiKey,
        AsyncAIErrorCodes.VoiceNotFound,
        AsyncAIErrorCodes.VersionNotFound,
        AsyncAIErrorCodes.InvalidLanguage,
        AsyncAIErrorCodes.TooManyConcurrentRequests,
        AsyncAIErrorCodes.RateLimitExceeded,
        AsyncAIErrorCodes.UsageLimitExceeded,
        AsyncAIErrorCodes.QuotaExceeded,
        AsyncAIErrorCodes.ValidationError,
        ProtocolErrorCodes.MalformedJson,
        ProtocolErrorCodes.MissingField,
        ProtocolErrorCodes.InvalidBase64,
        ProtocolErrorCodes.MessageTooLarge,
        ProtocolErrorCodes.DestinationTooSmall,
        ProtocolErrorCodes.OddLengthAudio);

    /// <summary>
    /// Counts one error with bounded tags: <c>error.type</c> is its category, <c>asyncai.error.code</c> its code when
    /// it is a known one (else <see cref="OtherCode"/>; absent when it has none), <c>http.response.status_code</c> the
    /// status of a refused handshake.
    /// </summary>
    public static void RecordError(AsyncAIException error)
    {
        if (!Errors.Enabled)
        {
            return;
        }

        var tags = new TagList { { ErrorTypeTag, AsyncAIHttpMetrics.CategoryName(error.Category) } };
        if (error.ErrorCode is { } code)
        {
            tags.Add(ErrorCodeTag, CodeTag(code));
        }

        if (error.StatusCode is { } status)
        {
            tags.Add(StatusCodeTag, status);
        }

        Errors.Add(1, tags);
    }

    /// <summary>The code as tagged: itself when known, else <see cref="OtherCode"/>.</summary>
    public static string CodeTag(string code) => KnownCodes.Contains(code) ? code : OtherCode;
}
