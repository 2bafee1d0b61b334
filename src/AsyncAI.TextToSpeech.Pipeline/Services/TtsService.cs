using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Timing;
using AsyncAI.TextToSpeech.WebSockets.Internal;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>The base of a text-to-speech service in a pipeline: aggregation, contexts, ordering, metrics, interruption.</summary>
/// <remarks>
/// <para>
/// Text (<see cref="TextFrame"/>s between <see cref="LlmFullResponseStartFrame"/> and <see cref="LlmFullResponseEndFrame"/>)
/// is aggregated into sentences (or passed through as tokens) and spoken in one context per turn; a
/// <see cref="TtsSpeakFrame"/> is spoken in a context of its own. A derived class supplies the contexts
/// (<see cref="CreateContextAsync"/>); this class orders their output. Per context it pushes, in order:
/// <see cref="TtsStartedFrame"/>, the audio (<see cref="TtsAudioRawFrame"/>) and the <see cref="TtsTextFrame"/>s, then
/// exactly one <see cref="TtsStoppedFrame"/> as soon as the context's audio stream ends (after
/// <see cref="TtsServiceOptions.StopFrameTimeout"/> of silence only as a fallback).
/// </para>
/// <para>
/// All output goes through one serialization queue (state under one lock, drained by whichever thread makes output
/// possible, with no loop of its own): contexts play one after another, and other
/// frames (the end of a turn, unrelated frames) wait behind the audio queued before them, so one turn's audio never
/// overtakes another's and no frame overtakes the audio it follows.
/// </para>
/// <para>
/// An <see cref="InterruptionFrame"/> interrupts every open context (<see cref="TtsSynthesisContext.InterruptAsync"/>),
/// discards their queued and late audio whether or not playback began (no <see cref="TtsStoppedFrame"/> for them), drops
/// queued interruptible frames and keeps uninterruptible ones.
/// </para>
/// </remarks>
public abstract class TtsService : FrameProcessor
{
    private static readonly object s_inputCompleted = new();
    private static readonly object s_streamEnded = new();

    private readonly TtsServiceOptions _options;
    private readonly TextAggregator _aggregator;
    private readonly Lock _outputLock = new();
    private readonly Queue<object> _pendingOutput = new();
    private readonly Channel<object> _closing = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, ContextState> _contexts = new(StringComparer.Ordinal);
    private readonly Lock _watchdogLock = new();
    private volatile TtsSettings _settings;
    private ContextState? _playing;
    private bool _outputClosed;

    // Set (under _outputLock) while an interruption closes the abandoned contexts: nothing is pushed until the
    // InterruptionFrame is, so an EndFrame the uninterruptible flush queues meanwhile cannot overtake it (nor the kept
    // uninterruptible frames, which go back in front of it).
    private bool _outputHeld;
    private InactivityTimer? _stopFallback;
    private Task? _closingLoop;
    private string? _turnContextId;

    // The turn's context once opened: the turn carries on in a new context when this one stops taking text, even after
    // it was removed (which the id alone cannot tell from "not opened yet").
    private ContextState? _turnContext;
    private bool _llmResponseStarted;
    private bool _processingText;

    // TOKEN mode: the turn's context could not be opened (a connect that failed). The rest of the turn's tokens are
    // dropped and counted instead of each opening a context of its own, with its own connect attempt and ErrorFrame.
    private bool _turnOpenFailed;
    private int _droppedTokens;
    private int _droppedCharacters;

    // The run's end ends the turn (a turn a CancelFrame cut short still logs the tokens it dropped), but the turn is the
    // data loop's, and after a cleanup whose wait for the loops timed out the data loop may still be in a frame (a
    // provider call that ignores its token). So the turn is ended once both cleanup and the data loop's end have come,
    // by whichever comes last.
    private int _turnEndAtCleanupWaits = 2;

    // Interruptions so far (incremented under _outputLock), and their count when the data frame being processed began. An
    // uninterruptible frame (the EndFrame's flush) is neither cancelled nor awaited by an interruption: text it still
    // speaks after one belongs to the interrupted turn. A change since the previous frame also tells the data loop to
    // forget the interrupted turn (the aggregator and the turn's fields are the data loop's alone).
    private int _interruptions;
    private int _interruptionsAtFrameStart;
    private int _zeroAudioContexts;
    private volatile bool _usable = true;
    private volatile bool _botSpeaking;
    private volatile bool _cancelled;
    private int _resumeSignaled;
    private ITimer? _watchdog;
    private int _watchdogGeneration;
    private EndFrame? _pendingEnd;
    private TaskCompletionSource? _endReached;
    private bool _metricsEnabled;
    private bool _usageMetricsEnabled;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">Aggregation, ordering and supervision options (validated here).</param>
    /// <param name="settings">The initial model, voice and language.</param>
    /// <param name="name">A name for logs and error frames.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    protected TtsService(TtsServiceOptions options, TtsSettings settings, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        options.Validate();
        _options = options;
        _settings = settings;
        _aggregator = new TextAggregator(options.AggregationMode);
    }

    /// <summary>Raised when the service has connected to its provider.</summary>
    public event EventHandler? Connected;

    /// <summary>Raised when the service has disconnected from its provider.</summary>
    public event EventHandler? Disconnected;

    /// <summary>Raised when connecting (or staying connected) to the provider failed.</summary>
    public event EventHandler<TtsConnectionErrorEventArgs>? ConnectionError;

    /// <summary>Gets the current settings; an update applies from the next context on.</summary>
    public TtsSettings Settings => _settings;

    /// <summary>Gets whether the service synthesizes; false after a permanent error or too many contexts without audio.</summary>
    public bool IsUsable => _usable;

    /// <summary>Gets the output sample rate in Hz (set when the <see cref="StartFrame"/> arrives; 0 before).</summary>
    public int SampleRate { get; private set; }

    /// <summary>Raised (for tests) after the service paused its data loop at the end of a turn, with the watchdog armed if it was.</summary>
    internal event EventHandler? TurnPaused;

    /// <summary>Gets the options.</summary>
    protected internal TtsServiceOptions Options => _options;

    /// <inheritdoc />
    /// <remarks>
    /// True: a frame pushed to an idle service (a <see cref="TtsSpeakFrame"/> from the task's queue, an LLM token) is
    /// aggregated and its text handed to the provider on the pushing thread, one thread hand-over less before the first
    /// audio. Everything the service awaits (connecting, a busy socket) continues on its own loop as before.
    /// </remarks>
    protected override bool ProcessesDataFramesInline => true;

    /// <summary>Gets whether processing-time metrics make sense (false where sending returns before synthesis, as over a WebSocket).</summary>
    protected virtual bool SupportsProcessingMetrics => true;

    /// <summary>Marks the service usable or not. Marking it usable forgets the count of contexts without audio.</summary>
    /// <param name="usable">Whether the service should synthesize.</param>
    public void SetUsable(bool usable)
    {
        if (usable)
        {
            Interlocked.Exchange(ref _zeroAudioContexts, 0);
        }

        _usable = usable;
    }

    /// <summary>Opens a synthesis context on the provider.</summary>
    /// <param name="contextId">The id this service chose for the context (unique per turn).</param>
    /// <param name="settings">The settings to synthesize with (a snapshot: updates apply from the next context on).</param>
    /// <param name="cancellationToken">
    /// Cancelled by an interruption, a <see cref="CancelFrame"/> or cleanup while the context is opening. It covers the
    /// open only: its source is released when this method returns, so a context that keeps it is never cancelled
    /// through it; a context stops its own work in <see cref="TtsSynthesisContext.InterruptAsync"/> and disposal.
    /// </param>
    /// <returns>The context.</returns>
    protected abstract ValueTask<TtsSynthesisContext> CreateContextAsync(string contextId, TtsSettings settings, CancellationToken cancellationToken);

    /// <summary>Called when the <see cref="StartFrame"/> arrives, after <see cref="SampleRate"/> is set: connect here.</summary>
    /// <param name="frame">The start frame.</param>
    /// <param name="cancellationToken">Cancelled at cleanup.</param>
    /// <returns>A task that completes when started. An exception becomes an upstream <see cref="ErrorFrame"/>.</returns>
    protected virtual ValueTask StartServiceAsync(StartFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Checks the output rate against what the provider accepts; null when it is fine.</summary>
    /// <param name="sampleRate">The service's output rate (<see cref="SampleRate"/>).</param>
    /// <returns>The error to report, or null.</returns>
    /// <remarks>
    /// Called at the StartFrame, before <see cref="StartServiceAsync"/>: a failure is one "could not start" ErrorFrame
    /// (with a permanent category the service is then unusable, instead of failing every turn). Called again before each
    /// context opens, since a settings update makes the service usable again but cannot change the rate.
    /// </remarks>
    protected virtual AsyncAIException? CheckSampleRate(int sampleRate) => null;

    /// <summary>Called when the <see cref="EndFrame"/> arrives, after all audio has been pushed: disconnect here.</summary>
    /// <param name="cancellationToken">Cancelled at cleanup.</param>
    /// <returns>A task that completes when stopped.</returns>
    protected virtual ValueTask StopServiceAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called when a <see cref="CancelFrame"/> arrives, after open contexts were abandoned: disconnect at once here.</summary>
    /// <param name="cancellationToken">Cancelled at cleanup.</param>
    /// <returns>A task that completes when stopped.</returns>
    protected virtual ValueTask CancelServiceAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Raises <see cref="Connected"/>.</summary>
    protected void OnConnected() => Raise(Connected, EventArgs.Empty);

    /// <summary>Raises <see cref="Disconnected"/>.</summary>
    protected void OnDisconnected() => Raise(Disconnected, EventArgs.Empty);

    /// <summary>Raises <see cref="ConnectionError"/>.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="exception">The exception, if any.</param>
    protected void OnConnectionError(string message, Exception? exception) => Raise(ConnectionError, new TtsConnectionErrorEventArgs(message, exception));

    /// <inheritdoc />
    /// <remarks>An error this service reports with a permanent category (authentication, invalid request) marks it unusable first.</remarks>
    protected override void PushErrorFrame(ErrorFrame errorFrame)
    {
        ArgumentNullException.ThrowIfNull(errorFrame);
        if (errorFrame.Processor == this && errorFrame.Category is AsyncAIErrorCategory.Authentication or AsyncAIErrorCategory.InvalidRequest)
        {
            _usable = false;
        }

        base.PushErrorFrame(errorFrame);
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        switch (frame)
        {
            case StartFrame start:
                await StartAsync(start, cancellationToken).ConfigureAwait(false);
                PushFrame(frame, direction);
                return;
            case CancelFrame:
                await CancelAsync(cancellationToken).ConfigureAwait(false);
                PushFrame(frame, direction);
                return;
            case InterruptionFrame:
                await HandleInterruptionAsync(frame, direction).ConfigureAwait(false);
                return;
            case BotStartedSpeakingFrame:
                // A stop before this start was a silence gap (a slow LLM between two sentences), not the turn's end:
                // the turn's pause now waits for the stop that follows this audio. Every start is followed by a stop
                // (or an interruption), which signals again, so this cannot leave a pause nothing lifts.
                Interlocked.Exchange(ref _resumeSignaled, 0);
                _botSpeaking = true;
                CancelWatchdog();
                PushFrame(frame, direction);
                return;
            case BotStoppedSpeakingFrame:
                _botSpeaking = false;
                ResumeAfterTurn();
                PushFrame(frame, direction);
                return;
            case SystemFrame:
                PushFrame(frame, direction);
                return;
        }

        if (direction == FrameDirection.Upstream)
        {
            PushFrame(frame, direction);
            return;
        }

        var interruptions = Volatile.Read(ref _interruptions);
        if (interruptions != _interruptionsAtFrameStart)
        {
            // An interruption (or a cancel) came since the previous frame began: the interrupted turn is forgotten here,
            // on the data loop, which owns the aggregator and the turn. The system loop must not: an uninterruptible frame
            // (the EndFrame's flush) may still be using them while it handles the interruption, and the aggregator is not
            // thread-safe. What that frame still sends belongs to the interrupted turn and is dropped (InterruptedSinceFrameStart).
            _aggregator.Reset();
            StartTurn(null);
            _llmResponseStarted = false;
            _processingText = false;
        }

        _interruptionsAtFrameStart = interruptions;
        switch (frame)
        {
            case TextFrame { SkipTts: true } or LlmFullResponseStartFrame { SkipTts: true } or LlmFullResponseEndFrame { SkipTts: true }:
                EnqueueOutput(frame);
                return;
            case AggregatedTextFrame aggregated:
                await SpeakAggregateAsync(aggregated, aggregated.AppendToContext, flushed: false, cancellationToken).ConfigureAwait(false);
                return;
            case TextFrame text:
                foreach (var aggregate in _aggregator.Aggregate(text.Text))
                {
                    await SpeakAggregateAsync(new AggregatedTextFrame(aggregate.Text, aggregate.Type), text.AppendToContext, flushed: false, cancellationToken).ConfigureAwait(false);
                }

                return;
            case LlmFullResponseStartFrame:
                // A response that starts before the previous one ended: finish the previous turn (flush and end its input) first.
                await EndTurnAsync(cancellationToken).ConfigureAwait(false);
                _llmResponseStarted = true;
                StartTurn(NewContextId());
                EnqueueOutput(frame);
                return;
            case LlmFullResponseEndFrame:
                await EndTurnAsync(cancellationToken).ConfigureAwait(false);
                EnqueueOutput(frame);
                MaybePause();
                _processingText = false;
                return;
            case EndFrame end:
                try
                {
                    await EndTurnAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A failed flush (a text filter that throws) loses only the flushed text: the end still waits behind
                    // the audio already queued and stops the service. Thrown on, FrameProcessor would push the EndFrame
                    // past that audio.
                    PushError($"{Name} could not flush its text at the end: {ex.Message}", ex);
                }

                if (await FinishAsync(end, cancellationToken).ConfigureAwait(false))
                {
                    PushFrame(end, direction);
                }

                return;
            case TtsSpeakFrame speak:
                await SpeakStandaloneAsync(speak, cancellationToken).ConfigureAwait(false);
                return;
            case TtsUpdateSettingsFrame update when update.Service is not null && update.Service != this:
                PushFrame(frame, direction);
                return;
            case TtsUpdateSettingsFrame update:
                ApplySettings(update.Update);
                return;
            default:
                EnqueueOutput(frame);
                return;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken)
    {
        CancelWatchdog();
        await AbandonAllContextsAsync(interrupt: false, closeOutput: true).ConfigureAwait(false);
        _closing.Writer.TryComplete();
        if (_closingLoop is { } closingLoop)
        {
            await closingLoop.ConfigureAwait(false);
        }

        lock (_outputLock)
        {
            _stopFallback?.Dispose();
            _stopFallback = null;
        }

        EndTurnAtCleanup();
        _endReached?.TrySetResult();
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    private protected override void OnDataLoopExited() => EndTurnAtCleanup();

    /// <summary>Gets whether an interruption came after the data frame being processed began (only an uninterruptible one survives that).</summary>
    private bool InterruptedSinceFrameStart => Volatile.Read(ref _interruptions) != _interruptionsAtFrameStart;

    private static string NewContextId() => Guid.NewGuid().ToString();

    private async ValueTask StartAsync(StartFrame start, CancellationToken cancellationToken)
    {
        SampleRate = _options.SampleRate ?? start.AudioOutSampleRate;
        _metricsEnabled = start.EnableMetrics;
        _usageMetricsEnabled = start.EnableUsageMetrics;
        _closingLoop ??= RunClosingLoopAsync();
        if (CheckSampleRate(SampleRate) is { } unsupported)
        {
            PushError($"{Name} could not start: {unsupported.Message}", unsupported);
            return;
        }

        try
        {
            await StartServiceAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PushError($"{Name} could not start: {ex.Message}", ex);
        }
    }

    private async ValueTask CancelAsync(CancellationToken cancellationToken)
    {
        _cancelled = true;
        CancelWatchdog();
        await AbandonAllContextsAsync(interrupt: true, closeOutput: true).ConfigureAwait(false);
        _endReached?.TrySetResult();
        try
        {
            await CancelServiceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PipelineLog.ServiceStopFailed(Logger, Name, ex);
        }
    }

    private async ValueTask<bool> FinishAsync(EndFrame end, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_outputLock)
        {
            _pendingEnd = end;
            _endReached = reached;
            EnqueueOutputLocked(end);
        }

        // Signalled when the output reaches the EndFrame: everything queued before it has been pushed.
        await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_cancelled)
        {
            return false;
        }

        // The contexts that ended before it are freed (close_context sent) before the service stops.
        await WaitForClosedContextsAsync(cancellationToken).ConfigureAwait(false);

        try
        {
            await StopServiceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PipelineLog.ServiceStopFailed(Logger, Name, ex);
        }

        return true;
    }

    private async ValueTask HandleInterruptionAsync(Frame interruption, FrameDirection direction)
    {
        CancelWatchdog();
        List<object>? kept = null;
        try
        {
            // The interrupted turn's text and state are forgotten by the data loop at its next frame (ProcessFrameAsync).
            kept = await AbandonAllContextsAsync(interrupt: true, closeOutput: false).ConfigureAwait(false);
            _botSpeaking = false;
            PushFrame(interruption, direction);
        }
        finally
        {
            lock (_outputLock)
            {
                // Uninterruptible frames that were waiting for output survive the interruption and follow it, in order,
                // ahead of what was queued while the contexts closed (the EndFrame of a flush that raced the interruption).
                List<object>? later = null;
                while (_pendingOutput.TryDequeue(out var item))
                {
                    (later ??= []).Add(item);
                }

                _outputHeld = false;
                foreach (var item in (IEnumerable<object>?)kept ?? [])
                {
                    EnqueueOutputLocked(item);
                }

                foreach (var item in (IEnumerable<object>?)later ?? [])
                {
                    EnqueueOutputLocked(item);
                }

                DrainOutputLocked();
            }
        }

        ResumeAfterTurn();
    }

    /// <summary>Abandons every open context (no more of their output is pushed) and empties the output queue.</summary>
    /// <returns>The uninterruptible frames that were queued for output, in order, or null.</returns>
    private async ValueTask<List<object>?> AbandonAllContextsAsync(bool interrupt, bool closeOutput)
    {
        ContextState[] open;
        List<object>? kept = null;
        lock (_outputLock)
        {
            _interruptions++;
            open = [.. _contexts.Values];
            _contexts.Clear();
            foreach (var context in open)
            {
                context.OutputClosed = true;
                context.Abandoned = true;
            }

            _playing = null;
            _outputClosed |= closeOutput;
            _outputHeld = interrupt && !closeOutput; // released by HandleInterruptionAsync
            while (_pendingOutput.TryDequeue(out var item))
            {
                if (item is IUninterruptibleFrame && !_outputClosed)
                {
                    (kept ??= []).Add(item);
                }
            }
        }

        if (open.Length > 0)
        {
            PipelineLog.ContextsInterrupted(Logger, Name, open.Length);
            await Task.WhenAll(open.Select(c => CloseContextAsync(c, interrupt))).ConfigureAwait(false);
        }

        return kept;
    }

    private async Task CloseContextAsync(ContextState context, bool interrupt)
    {
        // PumpStop is not disposed: it owns no timer, and a send that fails after an interruption may still cancel it.
        // Cancelling it also stops an open that is still pending (a connect), which then hands over no session.
        await context.PumpStop.CancelAsync().ConfigureAwait(false);
        try
        {
            if (interrupt && context.Session is { } interrupted)
            {
                await interrupted.InterruptAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (context.Pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }

            if (context.Session is { } session)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Freeing a context must not stop the pipeline; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.ContextCloseFailed(Logger, Name, context.Id, ex);
        }
    }

    // ---- output: one ordered stream of frames and contexts, pushed by whichever thread produces it ---------------
    //
    // Everything below runs under _outputLock and never waits: a frame is pushed as soon as everything queued before it
    // has been, by the thread that makes that possible (the data loop queueing a frame, the provider's receive loop
    // delivering audio, a timer). So an audio chunk goes from the socket to the next processor without a hand-over.
    // Lock order: a provider context's lock, then _outputLock; nothing here calls into a provider context.

    private void EnqueueOutput(object item)
    {
        lock (_outputLock)
        {
            EnqueueOutputLocked(item);
        }
    }

    private void EnqueueOutputLocked(object item)
    {
        if (_outputClosed)
        {
            if (item is EndFrame end && ReferenceEquals(end, _pendingEnd))
            {
                _endReached?.TrySetResult();
            }

            return;
        }

        _pendingOutput.Enqueue(item);
        DrainOutputLocked();
    }

    /// <summary>Pushes queued output until a context that has not ended is playing.</summary>
    private void DrainOutputLocked()
    {
        while (_playing is null && !_outputClosed && !_outputHeld && _pendingOutput.TryDequeue(out var item))
        {
            switch (item)
            {
                case ContextState context when !context.OutputClosed:
                    _playing = context;
                    if (context.Buffered is { } buffered)
                    {
                        while (_playing == context && buffered.TryDequeue(out var buffer))
                        {
                            PlayLocked(context, buffer);
                        }
                    }

                    break;
                case ContextState:
                    break;
                case EndFrame end when ReferenceEquals(end, _pendingEnd):
                    _endReached?.TrySetResult();
                    break;
                case Frame frame:
                    PushFrame(frame);
                    break;
            }
        }
    }

    /// <summary>Takes an item of a context's output: pushed now if the context is playing, kept until it plays otherwise.</summary>
    private void WriteToContext(ContextState context, object item)
    {
        lock (_outputLock)
        {
            if (context.OutputClosed || _outputClosed)
            {
                return; // interrupted, ended or cancelled: late output is dropped
            }

            if (_playing != context)
            {
                (context.Buffered ??= new Queue<object>()).Enqueue(item);
                return;
            }

            PlayLocked(context, item);
            DrainOutputLocked();
        }
    }

    private void PlayLocked(ContextState context, object item)
    {
        if (ReferenceEquals(item, s_inputCompleted))
        {
            context.EndOfInputSeen = true;
            ArmStopFallbackLocked();
            return;
        }

        if (context.EndOfInputSeen)
        {
            _stopFallback!.Touch(TimeProvider.GetTimestamp());
        }

        if (ReferenceEquals(item, s_streamEnded))
        {
            FinishPlayingLocked(context);
            return;
        }

        switch (item)
        {
            case TtsAudioRawFrame audio:
                if (!context.HasAudio)
                {
                    context.HasAudio = true;
                    ReportTtfb(context);
                }

                // A stop before this audio (a silence gap) is not the end of it: the sink starts and stops again for it.
                Interlocked.Exchange(ref _resumeSignaled, 0);
                PushFrame(audio);
                break;
            case ErrorFrame error:
                PushErrorFrame(error);
                break;
            case TtsStartedFrame started:
                context.StartedPushed = true;
                PushFrame(started);
                break;
            case Frame frame:
                PushFrame(frame);
                break;
        }
    }

    /// <summary>The playing context's audio is over: its stop frame goes out, it is freed in the background, the next output plays.</summary>
    private void FinishPlayingLocked(ContextState context)
    {
        context.OutputClosed = true;
        _playing = null;
        _stopFallback?.Disarm();
        if (!(_contexts.TryGetValue(context.Id, out var registered) && registered == context && _contexts.Remove(context.Id)))
        {
            return;
        }

        if (context.StartedPushed)
        {
            if (context.PushAssistantAggregation)
            {
                PushFrame(new LlmAssistantPushAggregationFrame());
            }

            PushFrame(new TtsStoppedFrame(context.Id));
        }

        _closing.Writer.TryWrite(context);
        RecordOutcome(context);
    }

    /// <summary>Arms the stop fallback for the playing context: one timer per service, touched (not re-armed) per chunk.</summary>
    private void ArmStopFallbackLocked()
    {
        if (_stopFallback is null)
        {
            _stopFallback = new InactivityTimer(TimeProvider, _options.StopFrameTimeout, static state => ((TtsService)state!).OnStopFallbackTimer(), this);
        }
        else
        {
            _stopFallback.Restart();
        }
    }

    private void OnStopFallbackTimer()
    {
        lock (_outputLock)
        {
            if (_outputClosed || _playing is not { EndOfInputSeen: true } context || _stopFallback?.Expired() != true)
            {
                return;
            }

            PipelineLog.ContextStopFallback(Logger, Name, context.Id, _options.StopFrameTimeout);
            FinishPlayingLocked(context);
            DrainOutputLocked();
        }
    }

    /// <summary>Frees ended contexts (provider-side close, pump, connection) off the output path, one after another.</summary>
    private async Task RunClosingLoopAsync()
    {
        await foreach (var item in _closing.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (item)
            {
                case ContextState context:
                    await CloseContextAsync(context, interrupt: false).ConfigureAwait(false);
                    break;
                case TaskCompletionSource barrier:
                    barrier.TrySetResult();
                    break;
            }
        }
    }

    private async ValueTask WaitForClosedContextsAsync(CancellationToken cancellationToken)
    {
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_closing.Writer.TryWrite(barrier))
        {
            await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void RecordOutcome(ContextState context)
    {
        if (context.HasAudio)
        {
            Interlocked.Exchange(ref _zeroAudioContexts, 0);

            // The bot stopped after all the audio pushed so far and no context is left (read under _outputLock, which
            // FinishPlayingLocked holds): a turn that paused while this context was still open (its audio had played
            // before the response end, only the provider's end was missing) has no stop left to wait for.
            if (TurnAudioDoneLocked())
            {
                ResumeAfterTurn();
            }

            return;
        }

        if (!_botSpeaking)
        {
            ResumeAfterTurn();
        }

        var limit = _options.MaxConsecutiveZeroAudioContexts;
        if (!_usable || limit == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _zeroAudioContexts) >= limit)
        {
            _usable = false;
            PushError(
                $"{Name}: {limit} consecutive context(s) produced no audio; the service is marked unusable until a settings update or SetUsable(true). Check the voice, model and language, and the provider's status.",
                category: AsyncAIErrorCategory.Unknown);
        }
    }

    // flushed: the aggregator's rest at the turn's end, which may be leftover punctuation (see SpeakAsync).
    private async ValueTask SpeakAggregateAsync(AggregatedTextFrame aggregated, bool appendToContext, bool flushed, CancellationToken cancellationToken)
    {
        if (aggregated.AggregatedBy == AggregationType.Token && _turnContextId is null)
        {
            // Tokens outside an LLM response form one implicit turn (ended by the next response end or EndFrame), not a context each.
            StartTurn(NewContextId());
        }

        if (aggregated.AggregatedBy == AggregationType.Token && _turnOpenFailed)
        {
            // One outage, one attempt and one ErrorFrame per turn: the turn's text is not spoken, the next turn tries again.
            _droppedTokens++;
            _droppedCharacters += aggregated.Text.Length;
            return;
        }

        if (_turnContextId is { } turn)
        {
            await SpeakAsync(aggregated, turn, appendToContext, pushAssistantAggregation: false, standalone: false, flushed, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SpeakAsync(aggregated, NewContextId(), appendToContext, pushAssistantAggregation: false, standalone: true, flushed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SpeakStandaloneAsync(TtsSpeakFrame speak, CancellationToken cancellationToken)
    {
        var processingText = _processingText;
        _processingText = false;
        var aggregated = new AggregatedTextFrame(speak.Text, AggregationType.Sentence) { RawText = speak.Text };
        await SpeakAsync(aggregated, NewContextId(), speak.AppendToContext, speak.AppendToContext && !_llmResponseStarted, standalone: true, flushed: false, cancellationToken).ConfigureAwait(false);
        MaybePause();
        _processingText = processingText;
    }

    private async ValueTask SpeakAsync(AggregatedTextFrame source, string contextId, bool appendToContext, bool pushAssistantAggregation, bool standalone, bool flushed, CancellationToken cancellationToken)
    {
        var isSentence = source.AggregatedBy != AggregationType.Token;
        var text = source.Text;
        if (isSentence)
        {
            text = text.TrimStart('\n');
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
        }
        else if (standalone || _turnContext is not { TakesText: true, HasText: true })
        {
            text = text.TrimStart(); // a context's first text
        }

        var processingStart = TimeProvider.GetTimestamp();
        foreach (var filter in _options.TextFilters)
        {
            text = filter(text) ?? string.Empty;
        }

        if (text.Length == 0 || (isSentence && string.IsNullOrWhiteSpace(text)))
        {
            return;
        }

        if (InterruptedSinceFrameStart)
        {
            return; // the interrupted turn's text (an uninterruptible frame's flush): not sent, not spoken
        }

        // The context is chosen here, once, right before the open or the send: the turn's context may have failed from the
        // provider's side (its receive loop) while this text was being filtered. A context id is never reused: text for an
        // id the server has closed would start a new context there, and a second context under one id would take the
        // first one's place in _contexts, leaving it without its TtsStoppedFrame and never closed.
        ContextState? context = null;
        if (!standalone)
        {
            if (_turnContext is { TakesText: false })
            {
                // The turn's context failed (it may still be playing the audio it got): carry on in a new one.
                _turnContextId = contextId = NewContextId();
                _turnContext = null;
                if (!isSentence)
                {
                    // The token becomes the new context's first text, which it was not when it was trimmed above (the
                    // context failed while the token was being filtered).
                    text = text.TrimStart();
                    if (text.Length == 0)
                    {
                        return;
                    }
                }
            }

            context = _turnContext;
        }

        if (flushed && context is null && !HasSomethingToSpeak(text))
        {
            // The turn's leftover punctuation ("**", "(", "--" after the last sentence, from an LLM's markdown): with the
            // turn's context open it goes there, as in Pipecat; alone it would open a context with nothing to say (a
            // request, Started/Stopped frames, and no audio, which counts toward the unusable limit). The aggregator
            // never cuts such a sentence mid-turn; only its flush can leave one.
            PipelineLog.NothingToSpeakDropped(Logger, Name, text);
            return;
        }

        _processingText = true;
        source.AppendToContext = false;
        source.ContextId = contextId;
        source.WillBeSpoken = true;
        if (context is null)
        {
            context = await OpenContextAsync(isSentence ? source : null, contextId, appendToContext, pushAssistantAggregation, cancellationToken).ConfigureAwait(false);
            if (context is null)
            {
                return;
            }
        }
        else if (isSentence)
        {
            WriteToContext(context, source);
        }

        if (context.Session is { } session)
        {
            var sent = isSentence && _options.AppendTrailingSpace && !text.EndsWith(' ') ? text + " " : text;
            try
            {
                await session.SendTextAsync(sent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (InterruptedSinceFrameStart)
            {
                // An interruption came between the check above and the send (an uninterruptible flush is not awaited by
                // it): the context refused text for an interrupted turn, which is no error.
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                PushError($"{Name} could not send text for synthesis in context {contextId}: {ex.Message}", ex);
                FailContext(context);
                return;
            }

            if (InterruptedSinceFrameStart)
            {
                // An interruption came during the send and abandoned the context (an uninterruptible flush; an HTTP
                // context returns quietly from the request it cut): the text was not spoken, so no usage and no
                // processing time for it, as for an interruptible frame, whose send the interruption cancels.
                return;
            }

            if (isSentence)
            {
                ReportUsage(text.Length);
            }
        }
        else
        {
            PipelineLog.SkippingUnusable(Logger, Name, contextId);
        }

        if (isSentence)
        {
            ReportProcessing(processingStart);
            if (_options.PushTextFrames)
            {
                WriteToContext(context, new TtsTextFrame(text, source.AggregatedBy, contextId) { AppendToContext = appendToContext, RawText = source.RawText });
            }
        }
        else
        {
            (context.TokenText ??= new StringBuilder()).Append(text);
        }

        context.HasText = true;
        if (standalone)
        {
            await CompleteInputAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    // Opens a context and queues it for output; null when it did not open (failed, interrupted or cancelled). source is
    // the sentence's anchor frame, pushed right before the context's TtsStartedFrame; null for a token.
    private async ValueTask<ContextState?> OpenContextAsync(AggregatedTextFrame? source, string contextId, bool appendToContext, bool pushAssistantAggregation, CancellationToken cancellationToken)
    {
        var context = new ContextState(this, contextId, appendToContext, pushAssistantAggregation);
        lock (_outputLock)
        {
            if (InterruptedSinceFrameStart)
            {
                return null; // checked under the lock the interruption abandons contexts under, so none opens after it
            }

            _contexts[contextId] = context;
            if (source is not null)
            {
                EnqueueOutputLocked(source); // right before its TTSStartedFrame
            }

            EnqueueOutputLocked(context);
        }

        if (contextId == _turnContextId)
        {
            _turnContext = context;
        }

        Interlocked.Exchange(ref _resumeSignaled, 0);
        WriteToContext(context, new TtsStartedFrame(contextId) { AppendToContext = appendToContext });
        context.OpenedTimestamp = TimeProvider.GetTimestamp();
        if (!_usable)
        {
            return context;
        }

        TtsSynthesisContext session;
        try
        {
            if (CheckSampleRate(SampleRate) is { } unsupported)
            {
                throw unsupported;
            }

            // The frame's token does not cover an uninterruptible frame (the EndFrame's flush): abandoning the context
            // (an interruption, a CancelFrame, cleanup) stops the open through the context's own token.
            using var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.PumpStop.Token);
            session = await CreateContextAsync(contextId, _settings, opening.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancelled)
        {
            // A CancelFrame stopped the provider while the context was opening: nothing to report, no output follows.
            FailContext(context);
            return null;
        }
        catch (OperationCanceledException) when (context.PumpStop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null; // abandoned while opening: it never opened, so there is nothing to close and nothing to report
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PushError($"{Name} could not open synthesis context {contextId}: {ex.Message}", ex);
            FailContext(context);
            if (source is null && contextId == _turnContextId && _llmResponseStarted)
            {
                // A response's token turn: its later tokens are dropped (SpeakAggregateAsync) until the response ends.
                // Tokens outside a response keep trying: their implicit turn has no end to wait for.
                _turnOpenFailed = true;
            }

            return null;
        }

        // Handed over under the lock the abandonment runs under: either the abandonment finds the session and closes it,
        // or the context was abandoned first (the open completed just as it was cancelled) and the session is closed here.
        bool abandoned;
        lock (_outputLock)
        {
            abandoned = context.Abandoned;
            if (!abandoned)
            {
                context.Session = session;
            }
        }

        if (abandoned)
        {
            await CloseAbandonedSessionAsync(contextId, session).ConfigureAwait(false);
            return null;
        }

        if (!session.TryDeliverAudioTo(context))
        {
            context.Pump = PumpAudioAsync(context);
        }

        return context;
    }

    private async Task CloseAbandonedSessionAsync(string contextId, TtsSynthesisContext session)
    {
        try
        {
            await session.InterruptAsync(CancellationToken.None).ConfigureAwait(false);
            await session.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Freeing a context must not stop the pipeline; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.ContextCloseFailed(Logger, Name, contextId, ex);
        }
    }

    private async Task PumpAudioAsync(ContextState context)
    {
        var token = context.PumpStop.Token;
        try
        {
            await foreach (var chunk in context.Session!.ReadAudioAsync(token).ConfigureAwait(false))
            {
                OnContextAudio(context, chunk);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed stream ends its context with an upstream ErrorFrame.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnContextStreamEnded(context, ex);
            return;
        }

        OnContextStreamEnded(context, null);
    }

    /// <summary>A chunk of a context's audio, from its pump or straight from the provider's receive loop.</summary>
    private void OnContextAudio(ContextState context, AudioChunk chunk)
    {
        if (chunk.Audio.IsEmpty)
        {
            return;
        }

        if (context.FirstAudioTimestamp == 0)
        {
            context.FirstAudioTimestamp = TimeProvider.GetTimestamp();
        }

        WriteToContext(context, new TtsAudioRawFrame(chunk.Audio, chunk.SampleRate, chunk.Channels, context.Id));
    }

    /// <summary>The end of a context's audio stream; a failure becomes an upstream ErrorFrame first.</summary>
    private void OnContextStreamEnded(ContextState context, Exception? error)
    {
        if (error is not null)
        {
            WriteToContext(context, new ErrorFrame($"{Name}: synthesis in context {context.Id} failed: {error.Message}")
            {
                Exception = error,
                Category = CategorizeException(error),
                Processor = this,
            });
        }

        context.StreamEnded = true;
        WriteToContext(context, s_streamEnded);
    }

    private async ValueTask CompleteInputAsync(ContextState context, CancellationToken cancellationToken)
    {
        if (context.InputCompleted)
        {
            return;
        }

        context.InputCompleted = true;
        if (context.TokenText is { Length: > 0 } tokens)
        {
            var joined = tokens.ToString();
            WriteToContext(context, new AggregatedTextFrame(joined, AggregationType.Sentence) { ContextId = context.Id, WillBeSpoken = true, AppendToContext = false });
            if (_options.PushTextFrames)
            {
                WriteToContext(context, new TtsTextFrame(joined, AggregationType.Sentence, context.Id) { AppendToContext = context.AppendToContext });
            }

            if (context.Session is not null)
            {
                ReportUsage(joined.Length); // as for sentences, only text that was sent (an unusable service sends none)
            }
        }

        WriteToContext(context, s_inputCompleted);
        if (context.Session is not { } session || context.Failed)
        {
            WriteToContext(context, s_streamEnded);
            return;
        }

        try
        {
            await session.CompleteInputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PushError($"{Name} could not end the input of context {context.Id}: {ex.Message}", ex);
            FailContext(context);
        }
    }

    private async ValueTask EndTurnAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_aggregator.Flush() is { } rest)
            {
                await SpeakAggregateAsync(new AggregatedTextFrame(rest.Text, rest.Type), appendToContext: true, flushed: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Even after a failed flush the turn's context gets its end of input, or its output (and everything queued
            // behind it, an EndFrame too) would wait for a stream that never ends.
            await CompleteTurnContextAsync(cancellationToken).ConfigureAwait(false);
            _llmResponseStarted = false;
        }
    }

    private async ValueTask CompleteTurnContextAsync(CancellationToken cancellationToken)
    {
        if (_turnContextId is not { } turn)
        {
            return;
        }

        StartTurn(null);
        ContextState? context;
        lock (_outputLock)
        {
            _contexts.TryGetValue(turn, out context);
        }

        if (context is not null)
        {
            await CompleteInputAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>At cleanup and at the data loop's end: the second of the two ends the turn (see <c>_turnEndAtCleanupWaits</c>).</summary>
    private void EndTurnAtCleanup()
    {
        if (Interlocked.Decrement(ref _turnEndAtCleanupWaits) == 0)
        {
            StartTurn(null);

            // A frame that outlived cleanup's bound may still have paused after its turn (MaybePause, on the data loop,
            // is the only place the watchdog is armed), after cleanup had cancelled the watchdog: left armed, it would
            // fire into the cleaned-up service and push its Timeout ErrorFrame into a pipeline that has ended.
            CancelWatchdog();
        }
    }

    /// <summary>Ends the current turn (if any) and begins the next one (null: none yet).</summary>
    private void StartTurn(string? contextId)
    {
        if (_droppedTokens > 0)
        {
            PipelineLog.TurnTokensDropped(Logger, Name, _droppedTokens, _droppedCharacters, _turnContextId ?? string.Empty);
        }

        _turnOpenFailed = false;
        _droppedTokens = 0;
        _droppedCharacters = 0;
        _turnContextId = contextId;
        _turnContext = null;
    }

    // A letter or a number, or a symbol a TTS may read out on its own: an emoji or another symbol ("\U0001F44D", "\u00A9")
    // or a currency sign. Punctuation, math and modifier symbols ("*", "#", "|", ">", "~", "`") are markdown's leftovers.
    private static bool HasSomethingToSpeak(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            // U+20E3, the combining enclosing keycap (an EnclosingMark), makes "#", "*" or a digit an emoji ("#️⃣").
            if (Rune.IsLetter(rune) || Rune.IsNumber(rune)
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.OtherSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.EnclosingMark)
            {
                return true;
            }
        }

        return false;
    }

    private void FailContext(ContextState context)
    {
        context.Failed = true;
        context.PumpStop.Cancel();
        WriteToContext(context, s_streamEnded);
    }

    private void ApplySettings(TtsSettingsUpdate update)
    {
        var old = _settings;
        _settings = old.Apply(update);
        if (!ReferenceEquals(old, _settings))
        {
            SetUsable(true);
        }
    }

    private void MaybePause()
    {
        if (!_options.PauseFrameProcessing || !_processingText)
        {
            return;
        }

        PauseProcessingFrames();

        // A resume that came after this turn's context opened, with no BotStartedSpeaking and no audio pushed since (its
        // audio already played, or it ended silent), counts once no context is left: an open one may still bring audio
        // (a last sentence sent after a stop in a silence gap), and then the stop after that audio resumes, or, if its
        // audio had all played, its end does (RecordOutcome). Checked under the lock contexts end under, so an end
        // either comes before this check or finds the pause taken.
        bool done;
        lock (_outputLock)
        {
            done = TurnAudioDoneLocked();
        }

        if (done)
        {
            ResumeProcessingFrames();
            return;
        }

        if (!_botSpeaking)
        {
            ArmWatchdog();

            // The first audio can reach the sink (and its BotStartedSpeaking come back) while this turn was still being
            // sent: if the bot started speaking meanwhile, its BotStoppedSpeaking resumes us, not the watchdog.
            if (_botSpeaking)
            {
                CancelWatchdog();
            }
        }

        TurnPaused?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>
    /// Under <c>_outputLock</c>: no audio of the turn can still come, so a pause after it has nothing to wait for. The bot
    /// stopped after all the audio pushed so far (the resume signal, cleared by each push and each start) and no context
    /// is left open to bring more.
    /// </summary>
    private bool TurnAudioDoneLocked() => _contexts.Count == 0 && Volatile.Read(ref _resumeSignaled) == 1;

    private void ResumeAfterTurn()
    {
        Interlocked.Exchange(ref _resumeSignaled, 1);
        CancelWatchdog();
        ResumeProcessingFrames();
    }

    private void ArmWatchdog()
    {
        lock (_watchdogLock)
        {
            _watchdog?.Dispose();
            var generation = ++_watchdogGeneration;
            _watchdog = TimeProvider.CreateTimer(_ => OnWatchdogFired(generation), null, _options.PauseWatchdogTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void CancelWatchdog()
    {
        lock (_watchdogLock)
        {
            _watchdogGeneration++;
            _watchdog?.Dispose();
            _watchdog = null;
        }
    }

    private void OnWatchdogFired(int generation)
    {
        lock (_watchdogLock)
        {
            if (generation != _watchdogGeneration)
            {
                return;
            }

            _watchdog?.Dispose();
            _watchdog = null;
        }

        if (!IsProcessingPaused || _botSpeaking)
        {
            return;
        }

        ResumeProcessingFrames();
        PushError(
            $"{Name} paused after a turn until the bot stops speaking, but the bot did not start speaking within {_options.PauseWatchdogTimeout}; resuming. Is an output sink that reports BotStartedSpeaking/BotStoppedSpeaking in the pipeline?",
            category: AsyncAIErrorCategory.Timeout);
    }

    private void ReportTtfb(ContextState context)
    {
        if (!_metricsEnabled || context.FirstAudioTimestamp == 0)
        {
            return;
        }

        var ttfb = TimeProvider.GetElapsedTime(context.OpenedTimestamp, context.FirstAudioTimestamp);
        if (ttfb < TimeSpan.Zero)
        {
            return;
        }

        PushFrame(new MetricsFrame([new TtfbMetricsData(Name, _settings.Model, ttfb)]));
    }

    private void ReportProcessing(long start)
    {
        if (!_metricsEnabled || !SupportsProcessingMetrics)
        {
            return;
        }

        PushFrame(new MetricsFrame([new ProcessingMetricsData(Name, _settings.Model, TimeProvider.GetElapsedTime(start))]));
    }

    private void ReportUsage(int characters)
    {
        if (!_usageMetricsEnabled)
        {
            return;
        }

        PushFrame(new MetricsFrame([new TtsUsageMetricsData(Name, _settings.Model, characters)]));
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // A subscriber's failure must not break the service.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.EventHandlerFailed(Logger, Name, ex);
        }
    }

    private void Raise(EventHandler? handler, EventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // A subscriber's failure must not break the service.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.EventHandlerFailed(Logger, Name, ex);
        }
    }

    /// <summary>One context as the service sees it; also the provider's push target for its audio.</summary>
    private sealed class ContextState(TtsService owner, string id, bool appendToContext, bool pushAssistantAggregation) : IContextAudioReceiver
    {
        private volatile bool _failed;
        private volatile bool _streamEnded;

        public string Id { get; } = id;

        public bool AppendToContext { get; } = appendToContext;

        public bool PushAssistantAggregation { get; } = pushAssistantAggregation;

        public CancellationTokenSource PumpStop { get; } = new();

        public TtsSynthesisContext? Session { get; set; }

        public Task? Pump { get; set; }

        public StringBuilder? TokenText { get; set; }

        // Data loop side.
        public bool HasText { get; set; }

        public bool InputCompleted { get; set; }

        // Output side (under the service's output lock).
        public Queue<object>? Buffered { get; set; }

        /// <summary>Gets or sets whether the context takes no more output: interrupted or abandoned, or its stream ended.</summary>
        public bool OutputClosed { get; set; }

        /// <summary>Gets or sets whether an interruption, a cancel or cleanup abandoned the context (its closing is theirs, or the opener's if it had no session yet).</summary>
        public bool Abandoned { get; set; }

        public bool EndOfInputSeen { get; set; }

        public bool StartedPushed { get; set; }

        public bool HasAudio { get; set; }

        public long OpenedTimestamp { get; set; }

        public long FirstAudioTimestamp { get; set; }

        public bool Failed
        {
            get => _failed;
            set => _failed = value;
        }

        public bool StreamEnded
        {
            get => _streamEnded;
            set => _streamEnded = value;
        }

        public bool IsLive => !Failed && !StreamEnded && !InputCompleted;

        /// <summary>Gets whether more of the turn's text can go to this context: it is live, and its provider context still takes text.</summary>
        public bool TakesText => IsLive && Session is not { AcceptsText: false };

        void IContextAudioReceiver.OnAudio(AudioChunk chunk) => owner.OnContextAudio(this, chunk);

        void IContextAudioReceiver.OnEnded(AsyncAIException? error) => owner.OnContextStreamEnded(this, error);
    }
}
