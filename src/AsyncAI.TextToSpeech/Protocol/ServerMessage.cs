using System.Text;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>What a server WebSocket message is.</summary>
public enum ServerMessageKind
{
    /// <summary>An audio message (<c>audioOutput</c>) or the end of a context (<c>finalOutput</c>, see <see cref="ServerMessage.IsFinal"/>).</summary>
    Audio = 0,

    /// <summary>An error message (<c>{error_code, message, extra?, request_id?}</c>).</summary>
    Error = 1,
}

/// <summary>
/// One decoded server WebSocket message, as returned by <see cref="ServerMessageReader.Read"/>.
/// </summary>
/// <remarks>
/// A ref struct because it points into the caller's buffers: <see cref="ContextIdUtf8"/> usually points into the
/// message bytes and <see cref="Audio"/> into the audio destination. Use it before either buffer is reused.
/// </remarks>
public readonly ref struct ServerMessage
{
    private readonly ReadOnlySpan<byte> _contextIdUtf8;
    private readonly ReadOnlySpan<byte> _audio;

    internal ServerMessage(
        ServerMessageKind kind,
        ReadOnlySpan<byte> contextIdUtf8,
        bool hasContextId,
        ReadOnlySpan<byte> audio,
        bool isFinal,
        ErrorMessage? error)
    {
        Kind = kind;
        _contextIdUtf8 = contextIdUtf8;
        HasContextId = hasContextId;
        _audio = audio;
        IsFinal = isFinal;
        Error = error;
    }

    /// <summary>Gets what the message is.</summary>
    public ServerMessageKind Kind { get; }

    /// <summary>Gets the unescaped UTF-8 bytes of <c>context_id</c>; empty when the message has none.</summary>
    public ReadOnlySpan<byte> ContextIdUtf8 => _contextIdUtf8;

    /// <summary>
    /// Gets whether the message carries a <c>context_id</c> string (false in the old single-context protocol,
    /// and when the value is JSON <c>null</c>).
    /// </summary>
    public bool HasContextId { get; }

    /// <summary>Gets the number of decoded audio bytes written at the start of the caller's destination.</summary>
    public int AudioByteCount => _audio.Length;

    /// <summary>Gets the decoded audio: the first <see cref="AudioByteCount"/> bytes of the caller's destination.</summary>
    public ReadOnlySpan<byte> Audio => _audio;

    /// <summary>Gets whether the message ends its context (<c>"final": true</c>). A final message may also carry audio.</summary>
    public bool IsFinal { get; }

    /// <summary>Gets the error when <see cref="Kind"/> is <see cref="ServerMessageKind.Error"/>; otherwise null.</summary>
    public ErrorMessage? Error { get; }

    /// <summary>Gets the context id as a string (allocates; meant for logs and errors), or null when absent.</summary>
    /// <returns>The context id, or null.</returns>
    public string? GetContextId() => HasContextId ? Encoding.UTF8.GetString(_contextIdUtf8) : null;
}
