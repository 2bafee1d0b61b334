namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>One thing the emulator received or sent.</summary>
/// <param name="Sequence">The event's position in the journal, from 1.</param>
/// <param name="ConnectionId">The WebSocket connection or HTTP request the event belongs to (unique per emulator).</param>
/// <param name="Kind">What happened.</param>
/// <param name="ContextId">The context concerned, if any (the default context uses <see cref="EmulatorOptions.DefaultContextId"/> or <c>""</c>).</param>
/// <param name="Detail">Kind-specific detail; see <c>docs/emulator.md</c>.</param>
/// <param name="Time">When it happened.</param>
public sealed record EmulatorEvent(long Sequence, int ConnectionId, EmulatorEventKind Kind, string? ContextId, string? Detail, DateTimeOffset Time);

/// <summary>The kinds of <see cref="EmulatorEvent"/>.</summary>
public enum EmulatorEventKind
{
    /// <summary>A WebSocket was accepted. Detail: the fault list from the query, if any.</summary>
    Connected,

    /// <summary>The init message arrived. Detail: <c>model_id voice_id container/encoding/sample_rate language</c>.</summary>
    Init,

    /// <summary>A transcript with non-whitespace text arrived. Detail: the transcript.</summary>
    Text,

    /// <summary>A whitespace-only transcript (flush / keepalive) arrived. Detail: <c>force=true|false</c>.</summary>
    Flush,

    /// <summary>An empty transcript ended a context's input.</summary>
    EndOfInput,

    /// <summary>A <c>close_context</c> arrived.</summary>
    CloseContext,

    /// <summary>A <c>terminate</c> (or <c>{"text":""}</c>) arrived.</summary>
    Terminate,

    /// <summary>The first audio message of a context was sent (later ones are only counted, see <see cref="EmulatorJournal.AudioBytesSent"/>).</summary>
    AudioSent,

    /// <summary><c>final: true</c> was sent. Detail: the context's total audio bytes.</summary>
    FinalSent,

    /// <summary>An error message or error response was sent. Detail: the error code.</summary>
    ErrorSent,

    /// <summary>A WebSocket ended. Detail: the close status or reason.</summary>
    Disconnected,

    /// <summary>A WebSocket upgrade was refused. Detail: the HTTP status.</summary>
    HandshakeRejected,

    /// <summary>
    /// An HTTP request finished. Detail: <c>METHOD /path STATUS</c>, followed by <c> aborted</c> when the response did not
    /// complete (the client went away mid-response, or the emulator stopped).
    /// </summary>
    HttpRequest,
}
