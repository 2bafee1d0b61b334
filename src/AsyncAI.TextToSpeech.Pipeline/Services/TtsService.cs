using System.Text;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;

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
/// All output goes through one serialization queue drained by one output loop: contexts play one after another, and other
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
    private readonly Channel<object> _output = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _outputLock = new();
    private readonly Dictionary<string, ContextState> _contexts = new(StringComparer.Ordinal);
    private readonly Lock _watchdogLock = new();
    private volatile TtsSettings _settings;
    private Task? _outputLoop;
    private CancellationTokenSource? _outputStop;
    private string? _turnContextId;
    private bool _llmResponseStarted;
    private bool _processingText;
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
    protected TtsServiceOptions Options => _options;

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
    /// <param name="cancellationToken">Cancelled by an interruption.</param>
    /// <returns>The context.</returns>
    protected abstract ValueTask<TtsSynthesisContext> CreateContextAsync(string contextId, TtsSettings settings, CancellationToken cancellationToken);

    /// <summary>Called when the <see cref="StartFrame"/> arrives, after <see cref="SampleRate"/> is set: connect here.</summary>
    /// <param name="frame">The start frame.</param>
    /// <param name="cancellationToken">Cancelled at cleanup.</param>
    /// <returns>A task that completes when started. An exception becomes an upstream <see cref="ErrorFrame"/>.</returns>
    protected virtual ValueTask StartServiceAsync(StartFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

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
                await HandleInterruptionAsync().ConfigureAwait(false);
                PushFrame(frame, direction);
                return;
            case BotStartedSpeakingFrame:
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

        switch (frame)
        {
            case TextFrame { SkipTts: true } or LlmFullResponseStartFrame { SkipTts: true } or LlmFullResponseEndFrame { SkipTts: true }:
                EnqueueOutput(frame);
                return;
            case AggregatedTextFrame aggregated:
                await SpeakAggregateAsync(aggregated, aggregated.AppendToContext, cancellationToken).ConfigureAwait(false);
                return;
            case TextFrame text:
                foreach (var aggregate in _aggregator.Aggregate(text.Text))
                {
                    await SpeakAggregateAsync(new AggregatedTextFrame(aggregate.Text, aggregate.Type), text.AppendToContext, cancellationToken).ConfigureAwait(false);
                }

                return;
            case LlmFullResponseStartFrame:
                // A response that starts before the previous one ended: finish the previous turn (flush and end its input) first.
                await EndTurnAsync(cancellationToken).ConfigureAwait(false);
                _llmResponseStarted = true;
                _turnContextId = NewContextId();
                EnqueueOutput(frame);
                return;
            case LlmFullResponseEndFrame:
                await EndTurnAsync(cancellationToken).ConfigureAwait(false);
                EnqueueOutput(frame);
                MaybePause();
                _processingText = false;
                return;
            case EndFrame end:
                await EndTurnAsync(cancellationToken).ConfigureAwait(false);
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
        await StopOutputLoopAsync().ConfigureAwait(false);
        await AbandonAllContextsAsync(interrupt: false).ConfigureAwait(false);
        _endReached?.TrySetResult();
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string NewContextId() => Guid.NewGuid().ToString();

    private async ValueTask StartAsync(StartFrame start, CancellationToken cancellationToken)
    {
        SampleRate = _options.SampleRate ?? start.AudioOutSampleRate;
        _metricsEnabled = start.EnableMetrics;
        _usageMetricsEnabled = start.EnableUsageMetrics;
        StartOutputLoop();
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
        await StopOutputLoopAsync().ConfigureAwait(false);
        await AbandonAllContextsAsync(interrupt: true).ConfigureAwait(false);
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
            _output.Writer.TryWrite(end);
        }

        // The output loop signals when it reaches the EndFrame: everything queued before it has been pushed.
        await reached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_cancelled)
        {
            return false;
        }

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

    private async ValueTask HandleInterruptionAsync()
    {
        CancelWatchdog();
        await StopOutputLoopAsync().ConfigureAwait(false);
        await AbandonAllContextsAsync(interrupt: true).ConfigureAwait(false);
        _aggregator.Reset();
        _turnContextId = null;
        _llmResponseStarted = false;
        _processingText = false;
        _botSpeaking = false;
        if (!_cancelled)
        {
            StartOutputLoop();
        }

        ResumeAfterTurn();
    }

    private async ValueTask AbandonAllContextsAsync(bool interrupt)
    {
        ContextState[] open;
        lock (_outputLock)
        {
            open = [.. _contexts.Values];
            _contexts.Clear();

            // Reset the serialization queue (the output loop is stopped): uninterruptible frames survive, in order.
            List<object>? keep = null;
            while (_output.Reader.TryRead(out var item))
            {
                if (item is IUninterruptibleFrame)
                {
                    (keep ??= []).Add(item);
                }
            }

            if (keep is not null)
            {
                foreach (var item in keep)
                {
                    _output.Writer.TryWrite(item);
                }
            }
        }

        if (open.Length == 0)
        {
            return;
        }

        PipelineLog.ContextsInterrupted(Logger, Name, open.Length);
        await Task.WhenAll(open.Select(c => CloseContextAsync(c, interrupt))).ConfigureAwait(false);
    }

    private async Task CloseContextAsync(ContextState context, bool interrupt)
    {
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
        finally
        {
            // PumpStop is not disposed: it owns no timer, and a send that fails after an interruption may still cancel it.
            context.Items.Writer.TryComplete();
        }
    }

    private void StartOutputLoop()
    {
        _outputStop = new CancellationTokenSource();
        _outputLoop = RunOutputLoopAsync(_outputStop.Token);
    }

    private async ValueTask StopOutputLoopAsync()
    {
        if (_outputLoop is not { } loop)
        {
            return;
        }

        await _outputStop!.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        _outputStop.Dispose();
        _outputStop = null;
        _outputLoop = null;
    }

    private async Task RunOutputLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var reader = _output.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case ContextState context:
                            await PlayContextAsync(context, cancellationToken).ConfigureAwait(false);
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
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask PlayContextAsync(ContextState context, CancellationToken cancellationToken)
    {
        var reader = context.Items.Reader;
        var inputCompleted = false;
        CancellationTokenSource? idle = null;
        CancellationTokenSource? idleOrStop = null;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var item))
                {
                    if (!inputCompleted)
                    {
                        item = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        idle ??= new CancellationTokenSource(Timeout.InfiniteTimeSpan, TimeProvider);
                        idleOrStop ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
                        idle.CancelAfter(_options.StopFrameTimeout);
                        try
                        {
                            item = await reader.ReadAsync(idleOrStop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            PipelineLog.ContextStopFallback(Logger, Name, context.Id, _options.StopFrameTimeout);
                            break;
                        }
                    }
                }

                if (ReferenceEquals(item, s_inputCompleted))
                {
                    inputCompleted = true;
                    continue;
                }

                if (ReferenceEquals(item, s_streamEnded))
                {
                    break;
                }

                switch (item)
                {
                    case TtsAudioRawFrame audio:
                        if (!context.HasAudio)
                        {
                            context.HasAudio = true;
                            ReportTtfb(context);
                        }

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
        }
        finally
        {
            idleOrStop?.Dispose();
            idle?.Dispose();
        }

        bool removed;
        lock (_outputLock)
        {
            removed = _contexts.TryGetValue(context.Id, out var registered) && registered == context && _contexts.Remove(context.Id);
        }

        if (!removed)
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

        await CloseContextAsync(context, interrupt: false).ConfigureAwait(false);
        RecordOutcome(context);
    }

    private void RecordOutcome(ContextState context)
    {
        if (context.HasAudio)
        {
            Interlocked.Exchange(ref _zeroAudioContexts, 0);
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

    private void EnqueueOutput(object item)
    {
        lock (_outputLock)
        {
            _output.Writer.TryWrite(item);
        }
    }

    private async ValueTask SpeakAggregateAsync(AggregatedTextFrame aggregated, bool appendToContext, CancellationToken cancellationToken)
    {
        if (aggregated.AggregatedBy == AggregationType.Token && _turnContextId is null)
        {
            // Tokens outside an LLM response form one implicit turn (ended by the next response end or EndFrame), not a context each.
            _turnContextId = NewContextId();
        }

        if (_turnContextId is { } turn)
        {
            ContextState? existing;
            lock (_outputLock)
            {
                _contexts.TryGetValue(turn, out existing);
            }

            if (existing is not null && !existing.IsLive)
            {
                // The turn's context already ended (a failure): carry on in a new one.
                _turnContextId = turn = NewContextId();
            }

            await SpeakAsync(aggregated, turn, appendToContext, pushAssistantAggregation: false, standalone: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SpeakAsync(aggregated, NewContextId(), appendToContext, pushAssistantAggregation: false, standalone: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SpeakStandaloneAsync(TtsSpeakFrame speak, CancellationToken cancellationToken)
    {
        var processingText = _processingText;
        _processingText = false;
        var aggregated = new AggregatedTextFrame(speak.Text, AggregationType.Sentence) { RawText = speak.Text };
        await SpeakAsync(aggregated, NewContextId(), speak.AppendToContext, speak.AppendToContext && !_llmResponseStarted, standalone: true, cancellationToken).ConfigureAwait(false);
        MaybePause();
        _processingText = processingText;
    }

    private async ValueTask SpeakAsync(AggregatedTextFrame source, string contextId, bool appendToContext, bool pushAssistantAggregation, bool standalone, CancellationToken cancellationToken)
    {
        var isSentence = source.AggregatedBy != AggregationType.Token;
        ContextState? context;
        lock (_outputLock)
        {
            _contexts.TryGetValue(contextId, out context);
        }

        if (context is { IsLive: false })
        {
            context = null;
        }

        var text = source.Text;
        if (isSentence)
        {
            text = text.TrimStart('\n');
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
        }
        else if (context is null || !context.HasText)
        {
            text = text.TrimStart();
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
            context.Write(source);
        }

        if (context.Session is { } session)
        {
            var sent = isSentence && _options.AppendTrailingSpace && !text.EndsWith(' ') ? text + " " : text;
            try
            {
                await session.SendTextAsync(sent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                PushError($"{Name} could not send text for synthesis in context {contextId}: {ex.Message}", ex);
                FailContext(context);
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
                context.Write(new TtsTextFrame(text, source.AggregatedBy, contextId) { AppendToContext = appendToContext, RawText = source.RawText });
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

    private async ValueTask<ContextState?> OpenContextAsync(AggregatedTextFrame? source, string contextId, bool appendToContext, bool pushAssistantAggregation, CancellationToken cancellationToken)
    {
        var context = new ContextState(contextId, appendToContext, pushAssistantAggregation);
        lock (_outputLock)
        {
            _contexts[contextId] = context;
            if (source is not null)
            {
                _output.Writer.TryWrite(source); // right before its TTSStartedFrame
            }

            _output.Writer.TryWrite(context);
        }

        Interlocked.Exchange(ref _resumeSignaled, 0);
        context.Write(new TtsStartedFrame(contextId) { AppendToContext = appendToContext });
        context.OpenedTimestamp = TimeProvider.GetTimestamp();
        if (!_usable)
        {
            return context;
        }

        try
        {
            context.Session = await CreateContextAsync(contextId, _settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PushError($"{Name} could not open synthesis context {contextId}: {ex.Message}", ex);
            FailContext(context);
            return null;
        }

        context.Pump = PumpAudioAsync(context);
        return context;
    }

    private async Task PumpAudioAsync(ContextState context)
    {
        var token = context.PumpStop.Token;
        try
        {
            await foreach (var chunk in context.Session!.ReadAudioAsync(token).ConfigureAwait(false))
            {
                if (chunk.Audio.IsEmpty)
                {
                    continue;
                }

                if (context.FirstAudioTimestamp == 0)
                {
                    context.FirstAudioTimestamp = TimeProvider.GetTimestamp();
                }

                context.Write(new TtsAudioRawFrame(chunk.Audio, chunk.SampleRate, chunk.Channels, context.Id));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed stream ends its context with an upstream ErrorFrame.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            context.Write(new ErrorFrame($"{Name}: synthesis in context {context.Id} failed: {ex.Message}")
            {
                Exception = ex,
                Category = CategorizeException(ex),
                Processor = this,
            });
        }
        finally
        {
            context.StreamEnded = true;
            context.Write(s_streamEnded);
        }
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
            context.Write(new AggregatedTextFrame(joined, AggregationType.Sentence) { ContextId = context.Id, WillBeSpoken = true, AppendToContext = false });
            if (_options.PushTextFrames)
            {
                context.Write(new TtsTextFrame(joined, AggregationType.Sentence, context.Id) { AppendToContext = context.AppendToContext });
            }

            ReportUsage(joined.Length);
        }

        context.Write(s_inputCompleted);
        if (context.Session is not { } session || context.Failed)
        {
            context.Write(s_streamEnded);
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
        if (_aggregator.Flush() is { } rest)
        {
            await SpeakAggregateAsync(new AggregatedTextFrame(rest.Text, rest.Type), appendToContext: true, cancellationToken).ConfigureAwait(false);
        }

        await CompleteTurnContextAsync(cancellationToken).ConfigureAwait(false);
        _llmResponseStarted = false;
    }

    private async ValueTask CompleteTurnContextAsync(CancellationToken cancellationToken)
    {
        if (_turnContextId is not { } turn)
        {
            return;
        }

        _turnContextId = null;
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

    private static void FailContext(ContextState context)
    {
        context.Failed = true;
        context.PumpStop.Cancel();
        context.Write(s_streamEnded);
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

        // A resume that came after this turn's context opened (its audio already played, or it ended silent) counts.
        if (Interlocked.CompareExchange(ref _resumeSignaled, 0, 0) == 1)
        {
            ResumeProcessingFrames();
            return;
        }

        if (!_botSpeaking)
        {
            ArmWatchdog();
        }

        TurnPaused?.Invoke(this, EventArgs.Empty);
    }

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

        if (!IsProcessingPaused)
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

    private sealed class ContextState(string id, bool appendToContext, bool pushAssistantAggregation)
    {
        private volatile bool _failed;
        private volatile bool _streamEnded;

        public string Id { get; } = id;

        public bool AppendToContext { get; } = appendToContext;

        public bool PushAssistantAggregation { get; } = pushAssistantAggregation;

        public Channel<object> Items { get; } = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

        public CancellationTokenSource PumpStop { get; } = new();

        public TtsSynthesisContext? Session { get; set; }

        public Task? Pump { get; set; }

        public StringBuilder? TokenText { get; set; }

        public bool HasText { get; set; }

        public bool InputCompleted { get; set; }

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

        public void Write(object item) => Items.Writer.TryWrite(item);
    }
}
