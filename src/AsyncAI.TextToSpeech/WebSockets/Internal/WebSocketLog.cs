using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>Source-generated log messages of the WebSocket client. URLs passed here are always redacted.</summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Opening WebSocket connection {ConnectionNumber} to {Url}")]
    public static partial void Connecting(this ILogger logger, int connectionNumber, string url);

    [LoggerMessage(1002, LogLevel.Information, "WebSocket connection {ConnectionNumber} to {Url} is open")]
    public static partial void Connected(this ILogger logger, int connectionNumber, string url);

    [LoggerMessage(1003, LogLevel.Warning, "WebSocket connection {ConnectionNumber} to {Url} could not be opened: {Reason}")]
    public static partial void ConnectFailed(this ILogger logger, int connectionNumber, string url, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "WebSocket connection {ConnectionNumber} closed after {LifetimeMs:F0} ms: {Reason}")]
    public static partial void ConnectionLost(this ILogger logger, int connectionNumber, double lifetimeMs, string reason);

    [LoggerMessage(1005, LogLevel.Information, "WebSocket connection {ConnectionNumber} closed by the caller after {LifetimeMs:F0} ms")]
    public static partial void ConnectionClosed(this ILogger logger, int connectionNumber, double lifetimeMs);

    [LoggerMessage(1006, LogLevel.Information, "Reconnecting: attempt {Attempt} of {MaxAttempts} in {DelayMs:F0} ms")]
    public static partial void Reconnecting(this ILogger logger, int attempt, int maxAttempts, double delayMs);

    [LoggerMessage(1007, LogLevel.Error, "The WebSocket client stopped for good: {Reason}")]
    public static partial void FailedPermanently(this ILogger logger, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "Gave up reconnecting after {Attempts} attempts; the client is disconnected")]
    public static partial void GaveUpReconnecting(this ILogger logger, int attempts);

    [LoggerMessage(1009, LogLevel.Debug, "WebSocket client state {OldState} -> {NewState}")]
    public static partial void StateChanged(this ILogger logger, AsyncAIWebSocketState oldState, AsyncAIWebSocketState newState);

    [LoggerMessage(1010, LogLevel.Warning, "The graceful close did not finish within {TimeoutMs:F0} ms; aborting the socket")]
    public static partial void CloseTimedOut(this ILogger logger, double timeoutMs);

    [LoggerMessage(1011, LogLevel.Error, "A {EventName} event handler threw; the client carries on")]
    public static partial void EventHandlerFailed(this ILogger logger, string eventName, Exception exception);

    [LoggerMessage(1020, LogLevel.Trace, "Sent {Kind} for context {ContextId} ({ByteCount} bytes)")]
    public static partial void MessageSent(this ILogger logger, OutboundKind kind, string? contextId, int byteCount);

    [LoggerMessage(1021, LogLevel.Trace, "Received {ByteCount} audio bytes for context {ContextId} (final: {IsFinal})")]
    public static partial void AudioReceived(this ILogger logger, string? contextId, int byteCount, bool isFinal);

    [LoggerMessage(1022, LogLevel.Debug, "Dropped {ByteCount} late audio bytes for context {ContextId} (interrupted, completed, failed or unknown)")]
    public static partial void LateAudioDropped(this ILogger logger, string? contextId, int byteCount);

    [LoggerMessage(1023, LogLevel.Warning, "Async sent a message the client could not read ({ErrorCode}): {Reason}. The connection stays open")]
    public static partial void ProtocolViolation(this ILogger logger, string? errorCode, string reason);

    [LoggerMessage(1024, LogLevel.Warning, "Async sent error {ErrorCode} for context {ContextId}: {Reason}")]
    public static partial void ServerError(this ILogger logger, string? errorCode, string? contextId, string reason);

    [LoggerMessage(1025, LogLevel.Warning, "Context {ContextId} failed: {Reason}")]
    public static partial void ContextFaulted(this ILogger logger, string contextId, string reason);

    [LoggerMessage(1026, LogLevel.Warning, "Context {ContextId} got no final within {TimeoutMs:F0} ms of its last audio; ending its audio stream")]
    public static partial void ContextCompletionTimedOut(this ILogger logger, string contextId, double timeoutMs);

    [LoggerMessage(1027, LogLevel.Debug, "Ignored a binary WebSocket message of {ByteCount} bytes (Async sends only JSON text)")]
    public static partial void BinaryMessageIgnored(this ILogger logger, int byteCount);

    [LoggerMessage(1028, LogLevel.Debug, "Context {ContextId} ended ({State})")]
    public static partial void ContextEnded(this ILogger logger, string contextId, AsyncAIContextState state);

    [LoggerMessage(1029, LogLevel.Warning, "Context {ContextId} ended with {ByteCount} bytes that do not make a whole sample; they were dropped")]
    public static partial void PartialSampleDropped(this ILogger logger, string contextId, int byteCount);
}
