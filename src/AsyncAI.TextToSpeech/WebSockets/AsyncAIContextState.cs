namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>The life cycle of an <see cref="AsyncAIWebSocketContext"/>.</summary>
public enum AsyncAIContextState
{
    /// <summary>Created; no text sent yet. Survives a reconnect.</summary>
    Created = 0,

    /// <summary>Text has been sent (or queued); audio may be arriving.</summary>
    Streaming,

    /// <summary><see cref="AsyncAIWebSocketContext.CompleteAsync"/> ended the input; waiting for the server's <c>final</c>.</summary>
    Completing,

    /// <summary>All audio arrived (the server sent <c>final</c>, or the completion timeout passed). Terminal.</summary>
    Completed,

    /// <summary><see cref="AsyncAIWebSocketContext.InterruptAsync"/> cut the context short. Terminal.</summary>
    Interrupted,

    /// <summary>The context failed (server error, lost connection, client disposed). Terminal; see <see cref="AsyncAIWebSocketContext.Error"/>.</summary>
    Faulted,
}
