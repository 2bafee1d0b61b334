namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>How text passed to <see cref="AsyncAIWebSocketContext.SendTextAsync"/> is cut, which decides its trailing whitespace.</summary>
public enum TextInputMode
{
    /// <summary>
    /// Whole sentences (or longer). Async's documentation says a transcript "always ends with a single space", so
    /// trailing whitespace is replaced by exactly one space. Whitespace-only text sends nothing.
    /// </summary>
    Sentence = 0,

    /// <summary>
    /// Pieces of a stream, such as LLM tokens, that are concatenated by the server. Sent unchanged, because adding
    /// a space would split words ("Hel" + "lo"). An empty token sends nothing (an empty transcript would end the input).
    /// </summary>
    Token,
}
