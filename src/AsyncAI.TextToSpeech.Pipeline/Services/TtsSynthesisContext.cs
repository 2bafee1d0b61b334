namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>One synthesis context of a <see cref="TtsService"/>: the text of one turn goes in, its audio comes out.</summary>
/// <remarks>
/// <para>
/// The service calls <see cref="SendTextAsync"/> for each sentence (or token), then <see cref="CompleteInputAsync"/> once
/// at the end of the turn, from one loop, never concurrently. One reader consumes <see cref="ReadAudioAsync"/> for the
/// context's whole life, concurrently with those calls. The audio stream ends when all the context's audio has been
/// delivered (for Async's WebSocket API: when <c>final</c> arrives after the end of input); the service takes the end of
/// the stream as the end of the context, so its <see cref="Frames.TtsStoppedFrame"/> comes as soon as the audio is done.
/// A failure is reported by throwing from the stream (or from a send); the service turns it into an upstream
/// <see cref="Frames.ErrorFrame"/> and ends the context.
/// </para>
/// <para>
/// Where the provider produces a sentence's audio in the request that sends it (Async's HTTP streaming), let
/// <see cref="SendTextAsync"/> return only once that sentence's audio has been read from <see cref="ReadAudioAsync"/>: the
/// service then places the sentence's <see cref="Frames.TtsTextFrame"/> after its audio.
/// </para>
/// <para>
/// <see cref="InterruptAsync"/> is called when the user interrupts; no audio of the context is used afterwards, and the
/// stream's reader is cancelled. <see cref="DisposeAsync"/> is called once when the service is done with the context
/// (completed, failed or interrupted) and should free it on the provider's side (Async: <c>close_context</c>).
/// </para>
/// </remarks>
public abstract class TtsSynthesisContext : IAsyncDisposable
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="contextId">The context id the service chose.</param>
    protected TtsSynthesisContext(string contextId)
    {
        ArgumentException.ThrowIfNullOrEmpty(contextId);
        ContextId = contextId;
    }

    /// <summary>Gets the context id.</summary>
    public string ContextId { get; }

    /// <summary>Gets whether the context still takes text.</summary>
    /// <value>
    /// True by default. A provider whose context failed while audio it already produced is still being read (so the
    /// failure reaches the service only at the end of <see cref="ReadAudioAsync"/>) returns false: the service then sends
    /// the rest of the turn to a new context instead of to this one.
    /// </value>
    public virtual bool AcceptsText => true;

    /// <summary>Sends text for synthesis in this context.</summary>
    /// <param name="text">The text (a sentence, or a token in TOKEN mode).</param>
    /// <param name="cancellationToken">Cancelled when an interruption abandons the send.</param>
    /// <returns>A task that completes when the text has been handed over (see the remarks for providers that answer per request).</returns>
    public abstract ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Says that no more text follows: the audio stream ends once the audio for the text sent is delivered.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the end of input has been handed over.</returns>
    /// <remarks>
    /// Return without waiting for the audio: the service's processing loop awaits this call, and the end of
    /// <see cref="ReadAudioAsync"/> already signals completion. A provider call that does wait (such as
    /// <c>AsyncAIWebSocketContext.CompleteAsync</c>) should be started here, kept, and awaited at the end of
    /// <see cref="ReadAudioAsync"/> or in <see cref="DisposeAsync"/>, so that its failure is observed.
    /// </remarks>
    public abstract ValueTask CompleteInputAsync(CancellationToken cancellationToken = default);

    /// <summary>Abandons the context after a user interruption.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the provider has been told.</returns>
    public abstract ValueTask InterruptAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams the context's audio until all of it has been delivered.</summary>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The audio chunks, in order.</returns>
    public abstract IAsyncEnumerable<AudioChunk> ReadAudioAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lets the provider push the audio to <paramref name="receiver"/> from its own receive loop instead of the service
    /// reading <see cref="ReadAudioAsync"/> on a task of its own (one hand-over per chunk less).
    /// </summary>
    /// <param name="receiver">Takes the chunks and the end of the stream.</param>
    /// <returns>True when the provider delivers that way; false to be read through <see cref="ReadAudioAsync"/>.</returns>
    internal virtual bool TryDeliverAudioTo(WebSockets.Internal.IContextAudioReceiver receiver) => false;

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
