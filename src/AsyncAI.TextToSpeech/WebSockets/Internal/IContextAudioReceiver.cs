namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>
/// Takes a context's audio straight from the socket's receive loop instead of through
/// <see cref="AsyncAIWebSocketContext.ReadAudioAsync"/> (see <see cref="AsyncAIWebSocketContext.DeliverAudioTo"/>).
/// </summary>
/// <remarks>
/// Both methods are called under the context's lock, in order, from whichever thread changes the context (the receive
/// loop for audio and <c>final</c>; an interrupt, a timer or the connection supervisor for the other ends). They must
/// not block and must not call back into the context. Saves the pool hand-over a pull-based reader costs per chunk.
/// </remarks>
internal interface IContextAudioReceiver
{
    /// <summary>A chunk of whole samples arrived for the context.</summary>
    /// <param name="chunk">The audio; the receiver owns it.</param>
    void OnAudio(AudioChunk chunk);

    /// <summary>The context ended: completed or interrupted (<paramref name="error"/> null) or failed. Called once; no audio follows.</summary>
    /// <param name="error">Why the context failed, or null.</param>
    void OnEnded(AsyncAIException? error);
}
