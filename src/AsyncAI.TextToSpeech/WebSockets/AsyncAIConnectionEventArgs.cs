namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>Describes a connection event of an <see cref="AsyncAIWebSocketClient"/>.</summary>
public sealed class AsyncAIConnectionEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="connectionNumber">The 1-based number of the socket within the client's lifetime.</param>
    /// <param name="error">The failure that caused the event, if any.</param>
    public AsyncAIConnectionEventArgs(int connectionNumber, AsyncAIException? error = null)
    {
        ConnectionNumber = connectionNumber;
        Error = error;
    }

    /// <summary>Gets the 1-based number of the socket within the client's lifetime (it grows with every reconnect).</summary>
    public int ConnectionNumber { get; }

    /// <summary>
    /// Gets the failure: for <see cref="AsyncAIWebSocketClient.Disconnected"/> the reason the socket closed (null when the
    /// caller closed it); for <see cref="AsyncAIWebSocketClient.ConnectionError"/> always set.
    /// </summary>
    public AsyncAIException? Error { get; }
}
