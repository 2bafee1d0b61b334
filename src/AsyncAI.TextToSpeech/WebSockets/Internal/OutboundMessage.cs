namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>What the send loop writes next.</summary>
internal enum OutboundKind
{
    /// <summary><c>{"transcript":…,"context_id":…,"force":true}</c>.</summary>
    Text,

    /// <summary><c>{"transcript":" ","context_id":…,"force":true}</c>: synthesize what is buffered.</summary>
    Flush,

    /// <summary><c>{"transcript":"","context_id":…}</c>: no more input (the server answers with <c>final</c>).</summary>
    EndOfInput,

    /// <summary><c>{"context_id":…,"close_context":true,"transcript":""}</c>: free the server's context.</summary>
    CloseContext,

    /// <summary><c>{"transcript":" "}</c>: Async's keepalive, on the default context.</summary>
    KeepAlive,

    /// <summary><c>{"terminate":true}</c> then a WebSocket close frame; the send loop ends.</summary>
    Close,
}

/// <summary>One queued client message. The context decides, at dequeue time, whether it is still sent.</summary>
internal readonly record struct OutboundMessage(OutboundKind Kind, AsyncAIWebSocketContext? Context, string? Text)
{
    public static OutboundMessage KeepAlive => new(OutboundKind.KeepAlive, null, null);

    public static OutboundMessage Close => new(OutboundKind.Close, null, null);
}
