using System.Diagnostics.Metrics;
using AsyncAI.TextToSpeech.Diagnostics;

namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>The WebSocket client's instruments on the library's one meter.</summary>
internal static class WebSocketMetrics
{
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
        "asyncai.tts.websocket.errors", "{error}", "Errors: server error codes, protocol violations, lost connections. Tag error.type.");

    public static void RecordError(string errorType) => Errors.Add(1, new KeyValuePair<string, object?>("error.type", errorType));
}
