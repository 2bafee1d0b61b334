namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>The connection state of an <see cref="AsyncAIWebSocketClient"/>.</summary>
public enum AsyncAIWebSocketState
{
    /// <summary>Not connected: before <see cref="AsyncAIWebSocketClient.ConnectAsync"/>, after a disconnect, or after reconnecting gave up.</summary>
    Disconnected = 0,

    /// <summary><see cref="AsyncAIWebSocketClient.ConnectAsync"/> is opening the first socket.</summary>
    Connecting,

    /// <summary>A socket is open and initialized; contexts can stream.</summary>
    Connected,

    /// <summary>The socket died unexpectedly and the client is opening a new one; text sent now is queued.</summary>
    Reconnecting,

    /// <summary><see cref="AsyncAIWebSocketClient.DisconnectAsync"/> is closing the socket.</summary>
    Disconnecting,

    /// <summary>The client gave up for good (rejected API key, or connections that keep dying right after opening). See <see cref="AsyncAIWebSocketClient.PermanentError"/>.</summary>
    Failed,

    /// <summary>The client was disposed.</summary>
    Disposed,
}
