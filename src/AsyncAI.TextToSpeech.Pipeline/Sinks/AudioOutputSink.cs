using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Timing;
using AsyncAI.TextToSpeech.Timing;

namespace AsyncAI.TextToSpeech.Pipeline.Sinks;

/// <summary>The base of an audio output at the end of a pipeline: writes TTS audio and reports the bot speaking, as an
/// output transport would.</summary>
/// <remarks>
/// <see cref="BotStartedSpeakingFrame"/> is pushed (upstream and downstream) before the first audio of a stretch of speech;
/// <see cref="BotStoppedSpeakingFrame"/> after its last audio: at <see cref="TtsStoppedFrame"/>, at an interruption, at the
/// end, or after <see cref="SilenceTimeout"/> without audio. TTS services rely on these to lift their pause after a turn.
/// Every frame is passed on downstream after it is written. Data frames are processed inline when the sink is idle, so
/// <see cref="WriteAudioAsync"/> may run on the thread that pushed the audio — for the WebSocket service, the socket's
/// receive loop: it must not block (return an incomplete task instead, and the rest runs on the sink's own loop). A sink
/// whose writes can block (a device paced in real time, a pipe) overrides <c>ProcessesDataFramesInline</c> to false, as
/// <see cref="PcmStreamSink"/> does.
/// </remarks>
public abstract class AudioOutputSink : FrameProcessor
{
    /// <summary>The default silence after which the bot counts as stopped: 350 ms, as output transports use.</summary>
    public static readonly TimeSpan DefaultSilenceTimeout = TimeSpan.FromMilliseconds(350);

    private readonly Lock _lock = new();
    private bool _speaking;
    private InactivityTimer? _silence;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="silenceTimeout">How long without audio counts as the bot having stopped; <see cref="DefaultSilenceTimeout"/> when null.</param>
    /// <param name="name">A name for logs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="silenceTimeout"/> is not positive, or longer than a timer can wait (≈ 49.7 days).</exception>
    protected AudioOutputSink(TimeSpan? silenceTimeout = null, string? name = null)
        : base(name)
    {
        SilenceTimeout = ValidateSilenceTimeout(silenceTimeout);
    }

    /// <summary>Returns the silence timeout a sink gets for <paramref name="silenceTimeout"/>, or throws if it is out of range.</summary>
    /// <remarks>For a derived constructor that must check it before acquiring anything (a file it would create).</remarks>
    private protected static TimeSpan ValidateSilenceTimeout(TimeSpan? silenceTimeout)
    {
        var value = silenceTimeout ?? DefaultSilenceTimeout;
        TimeoutRange.Require(value, nameof(silenceTimeout));
        return value;
    }

    /// <summary>Gets how long without audio counts as the bot having stopped speaking.</summary>
    public TimeSpan SilenceTimeout { get; }

    /// <summary>Gets the total number of audio bytes written.</summary>
    public long BytesWritten { get; private set; }

    /// <inheritdoc />
    protected override bool ProcessesDataFramesInline => true;

    /// <summary>Writes one audio frame.</summary>
    /// <param name="frame">The audio.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    protected abstract ValueTask WriteAudioAsync(TtsAudioRawFrame frame, CancellationToken cancellationToken);

    /// <summary>Finishes the output (flush, fix headers) at the end or cancellation of the pipeline, and at cleanup.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask FinishAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (direction == FrameDirection.Downstream)
        {
            switch (frame)
            {
                case TtsAudioRawFrame audio:
                    StartSpeaking();
                    await WriteAudioAsync(audio, cancellationToken).ConfigureAwait(false);
                    BytesWritten += audio.Audio.Length;
                    ArmSilenceTimer();
                    break;
                case TtsStoppedFrame or InterruptionFrame:
                    StopSpeaking();
                    break;
                case SilenceElapsedFrame:
                    lock (_lock)
                    {
                        if (_silence is null or { IsArmed: true })
                        {
                            return; // audio came after the timer fired (it re-armed the timer), or the sink is cleaned up
                        }
                    }

                    StopSpeaking();
                    return;
                case EndFrame or CancelFrame:
                    StopSpeaking();
                    try
                    {
                        await FinishAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        // Reported before the frame goes on, while the pipeline still runs. At a CancelFrame the
                        // processors upstream are already cancelling: they drop it, and it is only logged.
                        PushError($"{Name} could not finish its output: {ex.Message}", ex);
                    }
                    finally
                    {
                        // The frame goes on even after a failed flush: without its EndFrame the run would wait
                        // forever, and a CancelFrame would wait for CancelTimeout.
                        PushFrame(frame, direction);
                    }

                    return;
            }
        }

        PushFrame(frame, direction);
    }

    /// <inheritdoc />
    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _silence?.Dispose();
            _silence = null;
        }

        await FinishAsync(cancellationToken).ConfigureAwait(false);
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StartSpeaking()
    {
        lock (_lock)
        {
            if (_speaking)
            {
                return;
            }

            _speaking = true;
        }

        PushFrame(new BotStartedSpeakingFrame(), FrameDirection.Upstream);
        PushFrame(new BotStartedSpeakingFrame());
    }

    private void StopSpeaking()
    {
        DisarmSilenceTimer();
        lock (_lock)
        {
            if (!_speaking)
            {
                return;
            }

            _speaking = false;
        }

        PushFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        PushFrame(new BotStoppedSpeakingFrame());
    }

    private void ArmSilenceTimer()
    {
        lock (_lock)
        {
            // One timer per sink, armed once per stretch of speech, not re-armed per frame.
            _silence ??= new InactivityTimer(TimeProvider, SilenceTimeout, static state => ((AudioOutputSink)state!).OnSilence(), this);
            _silence.Touch(TimeProvider.GetTimestamp());
        }
    }

    private void DisarmSilenceTimer()
    {
        lock (_lock)
        {
            _silence?.Disarm();
        }
    }

    private void OnSilence()
    {
        lock (_lock)
        {
            if (_silence?.Expired() != true)
            {
                return;
            }
        }

        // Stopped on the data path, in order with the audio: stopped from this timer thread, the stop could be pushed
        // after the BotStartedSpeaking of audio that arrived meanwhile (or while a slow write was still in flight).
        QueueFrame(new SilenceElapsedFrame());
    }

    /// <summary>The silence timer fired: the bot stops speaking unless audio came since.</summary>
    private sealed class SilenceElapsedFrame : ControlFrame
    {
    }
}
