using AsyncAI.TextToSpeech.Pipeline.Frames;

namespace AsyncAI.TextToSpeech.Pipeline.Sinks;

/// <summary>Writes TTS audio as raw PCM to a stream (for example a file or standard output).</summary>
/// <remarks>See <see cref="AudioOutputSink"/> for the bot-speaking frames it emits.</remarks>
public sealed class PcmStreamSink : AudioOutputSink
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private int _finished;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="leaveOpen">Whether the stream stays open when the sink finishes (otherwise the sink disposes it).</param>
    /// <param name="silenceTimeout">See <see cref="AudioOutputSink.SilenceTimeout"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public PcmStreamSink(Stream stream, bool leaveOpen = false, TimeSpan? silenceTimeout = null)
        : base(silenceTimeout)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <inheritdoc />
    /// <remarks>
    /// False: the stream may be a pipe (standard output into a player) whose writes block when the reader lags, and an
    /// inline write would block the provider's receive loop — and with it the socket's keepalive — instead of this
    /// sink's own loop.
    /// </remarks>
    protected override bool ProcessesDataFramesInline => false;

    /// <inheritdoc />
    protected override async ValueTask WriteAudioAsync(TtsAudioRawFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        await _stream.WriteAsync(frame.Audio, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1)
        {
            return;
        }

        try
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
