using System.Threading.Channels;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.Pipeline.Pipelines;

/// <summary>Runs a pipeline: sets it up, sends the <see cref="StartFrame"/>, feeds queued frames, and finishes when an
/// <see cref="EndFrame"/> (or <see cref="CancelFrame"/>) has come out of the end.</summary>
/// <remarks>
/// Frames queued with <see cref="QueueFrame(Frame)"/> before or during the run are sent in order once the StartFrame has
/// reached the end; once the queue has been drained, a frame queued while nothing is waiting is sent on the calling
/// thread instead of through the queue (same order, one thread hand-over less). Upstream frames that leave the pipeline are handled here: an <see cref="ErrorFrame"/> raises
/// <see cref="ErrorReceived"/> (and cancels the run when fatal); an upstream <see cref="EndFrame"/>,
/// <see cref="CancelFrame"/> or <see cref="InterruptionFrame"/> is turned into the same frame sent downstream. Every
/// member is thread-safe.
/// </remarks>
public sealed class PipelineTask : IAsyncDisposable
{
    private readonly FrameProcessor _pipeline;
    private readonly TaskEdge _source;
    private readonly TaskEdge _sink;
    private readonly Channel<Frame> _queued = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _sendGate = new();
    private readonly TaskCompletionSource _startReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _endReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _runFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private int _running;
    private int _cancelSent;
    private int _queuedCount;
    private bool _sendingDirectly;
    private bool _pumpBusy;
    private bool _disposed;
    private Task? _setupWork;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="pipeline">The pipeline (or any processor) to run.</param>
    /// <param name="parameters">The run's parameters; defaults when null.</param>
    /// <param name="timeProvider">The clock handed to every processor; the system clock when null.</param>
    /// <param name="loggerFactory">The logger factory handed to every processor.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public PipelineTask(FrameProcessor pipeline, PipelineParams? parameters = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        Parameters = parameters?.Clone() ?? new PipelineParams();
        Parameters.Validate();
        _pipeline = pipeline;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PipelineTask>();
        _source = new TaskEdge(this, isSource: true);
        _sink = new TaskEdge(this, isSource: false);
        _source.Link(pipeline);
        pipeline.Link(_sink);
    }

    /// <summary>Raised when an <see cref="ErrorFrame"/> leaves the pipeline upstream. Runs on the thread that pushed it; keep it short.</summary>
    public event EventHandler<PipelineErrorEventArgs>? ErrorReceived;

    /// <summary>Raised once the StartFrame has reached the end of the pipeline.</summary>
    public event EventHandler? Started;

    /// <summary>Gets the run's parameters (a copy of those given).</summary>
    public PipelineParams Parameters { get; }

    /// <summary>Gets whether the run has finished.</summary>
    public bool HasFinished { get; private set; }

    /// <summary>Queues a frame to send downstream once the pipeline has started.</summary>
    /// <param name="frame">The frame.</param>
    public void QueueFrame(Frame frame) => QueueFrame(frame, FrameDirection.Downstream);

    /// <summary>Queues a frame: downstream frames enter at the start once the pipeline has started; upstream frames enter
    /// at the end at once.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">The direction.</param>
    public void QueueFrame(Frame frame, FrameDirection direction)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (direction == FrameDirection.Upstream)
        {
            _sink.Send(frame, FrameDirection.Upstream);
        }
        else if (frame is CancelFrame cancel)
        {
            Cancel(cancel.Reason);
        }
        else
        {
            lock (_sendGate)
            {
                if (!_sendingDirectly || _pumpBusy || _queuedCount != 0)
                {
                    // Before the start, or behind frames the pump has not sent yet: keep the order by queuing.
                    if (_queued.Writer.TryWrite(frame))
                    {
                        _queuedCount++;
                    }

                    return;
                }
            }

            // Sending never blocks: it ends in the first processor's QueueFrame.
            _source.Send(frame, FrameDirection.Downstream);
        }
    }

    /// <summary>Queues frames to send downstream, in order.</summary>
    /// <param name="frames">The frames.</param>
    public void QueueFrames(IEnumerable<Frame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (var frame in frames)
        {
            QueueFrame(frame);
        }
    }

    /// <summary>Cancels the run: a <see cref="CancelFrame"/> is sent at once, ahead of queued frames.</summary>
    /// <param name="reason">Why, for logs.</param>
    /// <remarks>
    /// During the processors' setup it stops the setup, and the run ends without an exception once the setup has unwound.
    /// It also ends the run's wait for the <see cref="StartFrame"/>; the run then waits up to
    /// <see cref="PipelineParams.CancelTimeout"/> for the <see cref="CancelFrame"/> and cleans up.
    /// </remarks>
    public void Cancel(string? reason = null)
    {
        if (Interlocked.Exchange(ref _cancelSent, 1) == 1)
        {
            return;
        }

        _cancelRequested.TrySetResult();
        _source.Send(new CancelFrame(reason), FrameDirection.Downstream);
    }

    /// <summary>Runs the pipeline until an <see cref="EndFrame"/> or <see cref="CancelFrame"/> has come out of the end, then cleans it up.</summary>
    /// <param name="cancellationToken">Cancels the run (as <see cref="Cancel"/> does).</param>
    /// <returns>A task that completes when the run and the cleanup are over.</returns>
    /// <exception cref="InvalidOperationException">The task was already run.</exception>
    /// <exception cref="TimeoutException">The processors' setup did not finish within <see cref="PipelineParams.SetupTimeout"/> (and <see cref="Cancel"/> did not stop it first).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during the setup.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("A PipelineTask runs once; create a new one (and new processors) for another run.");
        }

        var setup = new FrameProcessorSetup(Parameters, _timeProvider, _loggerFactory);
        using var pumpStop = new CancellationTokenSource();
        Task? pump = null;
        try
        {
            if (!await SetupAsync(setup, cancellationToken).ConfigureAwait(false))
            {
                return; // cancelled (Cancel) during the setup: nothing was started; the cleanup waits for the setup to unwind
            }

            using var registration = cancellationToken.Register(static state => ((PipelineTask)state!).Cancel("The run was cancelled."), this);
            _source.Send(
                new StartFrame
                {
                    AudioOutSampleRate = Parameters.AudioOutSampleRate,
                    AudioInSampleRate = Parameters.AudioInSampleRate,
                    EnableMetrics = Parameters.EnableMetrics,
                    EnableUsageMetrics = Parameters.EnableUsageMetrics,
                },
                FrameDirection.Downstream);

            // A cancel does not wait for the StartFrame: it may be stuck in a processor, with the CancelFrame queued behind
            // it, and the run must still end within CancelTimeout.
            var started = Task.WhenAny(_startReached.Task, _endReached.Task, _cancelRequested.Task);
            try
            {
                await started.WaitAsync(Parameters.StartTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                PipelineLog.StartSlow(_logger, Parameters.StartTimeout);
                await started.ConfigureAwait(false);
            }

            pump = PumpAsync(pumpStop.Token);
            await Task.WhenAny(_endReached.Task, _cancelRequested.Task).ConfigureAwait(false);
            if (!_endReached.Task.IsCompleted)
            {
                try
                {
                    await _endReached.Task.WaitAsync(Parameters.CancelTimeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    PipelineLog.CancelTimedOut(_logger, Parameters.CancelTimeout);
                }
            }
        }
        finally
        {
            await pumpStop.CancelAsync().ConfigureAwait(false);
            if (pump is not null)
            {
                await pump.ConfigureAwait(false);
            }

            await WaitForSetupToUnwindAsync().ConfigureAwait(false);
            using var cleanupTimeout = new CancellationTokenSource(Parameters.CleanupTimeout);
            var cleanup = Task.WhenAll(_pipeline.CleanupAsync(cleanupTimeout.Token), _source.CleanupAsync(cleanupTimeout.Token), _sink.CleanupAsync(cleanupTimeout.Token));
            try
            {
                // WaitAsync keeps the bound even for a processor whose cleanup ignores the token.
                await cleanup.WaitAsync(cleanupTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cleanupTimeout.IsCancellationRequested)
            {
                PipelineLog.CleanupTimedOut(_logger, Parameters.CleanupTimeout);
                LogLateFailure(cleanup);
            }

            HasFinished = true;
            _runFinished.TrySetResult();
        }
    }

    /// <summary>Sets the processors up; false when <see cref="Cancel"/> stopped the setup.</summary>
    private async Task<bool> SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken)
    {
        using var setupTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setupTimeout.CancelAfter(Parameters.SetupTimeout);
        var processors = _setupWork = SetupProcessorsAsync(setup, setupTimeout.Token);
        try
        {
            // WaitAsync keeps the bound even for a processor whose setup ignores the token. Cancel (Ctrl+C through
            // PipelineRunner) stops the setup as the run's token does, but ends the run normally, as it does after the start.
            var first = await Task.WhenAny(processors, _cancelRequested.Task).WaitAsync(setupTimeout.Token).ConfigureAwait(false);
            if (first != processors)
            {
                await setupTimeout.CancelAsync().ConfigureAwait(false);
                LogLateFailure(processors);
                return false;
            }

            await processors.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException ex)
        {
            LogLateFailure(processors);
            if (cancellationToken.IsCancellationRequested || !setupTimeout.IsCancellationRequested)
            {
                throw; // the caller's cancellation, or a processor's own
            }

            throw new TimeoutException(
                $"The processors' setup did not finish within PipelineParams.SetupTimeout ({Parameters.SetupTimeout}). A processor's OnSetupAsync is stuck or slow; raise SetupTimeout if it is only slow.",
                ex);
        }
    }

    /// <summary>
    /// After a setup that timed out or was cancelled, waits (up to <see cref="PipelineParams.CleanupTimeout"/>) for it to
    /// unwind, so that no processor is cleaned up while it is still being set up.
    /// </summary>
    private async Task WaitForSetupToUnwindAsync()
    {
        if (_setupWork is not { IsCompleted: false } unwinding)
        {
            return;
        }

        // Its outcome was already reported (the TimeoutException or the caller's cancellation; a later failure is logged).
        await unwinding.WaitAsync(Parameters.CleanupTimeout, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!unwinding.IsCompleted)
        {
            PipelineLog.SetupStillRunning(_logger, Parameters.CleanupTimeout);
        }
    }

    private async Task SetupProcessorsAsync(FrameProcessorSetup setup, CancellationToken cancellationToken)
    {
        await _source.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        await _sink.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        await _pipeline.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run has stopped waiting for <paramref name="work"/> (a setup or cleanup past its timeout); this continuation is
    /// what still observes it, so a processor that fails later is logged instead of going unobserved.
    /// </summary>
    private void LogLateFailure(Task work) =>
        work.ContinueWith(
            static (finished, state) =>
            {
                var failure = finished.Exception!.Flatten();
                PipelineLog.LateFailure((ILogger)state!, failure.InnerExceptions.Count == 1 ? failure.InnerExceptions[0] : failure);
            },
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>Ends the task: a running task is cancelled and its run (with its bounded cleanup) awaited; a task that never ran has its processors cleaned up within <see cref="PipelineParams.CleanupTimeout"/>.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_sendGate)
        {
            _disposed = true;
            _sendingDirectly = false;
            _queued.Writer.TryComplete();
        }

        if (Volatile.Read(ref _running) == 1)
        {
            // The run owns the cleanup, bounded by CancelTimeout and CleanupTimeout: wait for it instead of tearing the
            // processors down under the CancelFrame with an unbounded cleanup of our own.
            if (!HasFinished)
            {
                Cancel("The task was disposed.");
            }

            await _runFinished.Task.ConfigureAwait(false);
            return;
        }

        using var cleanupTimeout = new CancellationTokenSource(Parameters.CleanupTimeout);
        var cleanup = _pipeline.CleanupAsync(cleanupTimeout.Token);
        try
        {
            await cleanup.WaitAsync(cleanupTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cleanupTimeout.IsCancellationRequested)
        {
            PipelineLog.CleanupTimedOut(_logger, Parameters.CleanupTimeout);
            LogLateFailure(cleanup);
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var reader = _queued.Reader;
        try
        {
            lock (_sendGate)
            {
                // From now on an empty queue lets callers send directly; frames queued before the start are sent first.
                _sendingDirectly = !_disposed;
            }

            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (true)
                {
                    Frame? frame;
                    lock (_sendGate)
                    {
                        if (!reader.TryRead(out frame))
                        {
                            _pumpBusy = false;
                            break;
                        }

                        _queuedCount--;
                        _pumpBusy = true;
                    }

                    _source.Send(frame, FrameDirection.Downstream);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_sendGate)
            {
                // The run is over: later frames stay queued, as they did before.
                _sendingDirectly = false;
                _pumpBusy = false;
            }
        }
    }

    private void OnFrameLeftDownstream(Frame frame)
    {
        switch (frame)
        {
            case StartFrame:
                if (_startReached.TrySetResult())
                {
                    Raise(Started, EventArgs.Empty);
                }

                break;
            case EndFrame or CancelFrame:
                _endReached.TrySetResult();
                break;
        }
    }

    private void OnFrameLeftUpstream(Frame frame)
    {
        switch (frame)
        {
            case ErrorFrame error:
                PipelineLog.PipelineError(_logger, error.Processor?.Name, error.Message, error.Category, error.Fatal);
                Raise(ErrorReceived, new PipelineErrorEventArgs(error));
                if (error.Fatal)
                {
                    Cancel($"Fatal error: {error.Message}");
                }

                break;
            case EndFrame end:
                QueueFrame(new EndFrame(end.Reason));
                break;
            case CancelFrame cancel:
                Cancel(cancel.Reason);
                break;
            case InterruptionFrame:
                _source.Send(new InterruptionFrame(), FrameDirection.Downstream);
                break;
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // A subscriber's failure must not break the pipeline.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.EventHandlerFailed(_logger, nameof(PipelineTask), ex);
        }
    }

    private void Raise(EventHandler? handler, EventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // A subscriber's failure must not break the pipeline.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.EventHandlerFailed(_logger, nameof(PipelineTask), ex);
        }
    }

    private sealed class TaskEdge(PipelineTask owner, bool isSource) : FrameProcessor(isSource ? "PipelineTask::Source" : "PipelineTask::Sink")
    {
        private protected override bool IsDirect => true;

        private protected override void ProcessDirect(Frame frame, FrameDirection direction)
        {
            if (isSource && direction == FrameDirection.Upstream)
            {
                owner.OnFrameLeftUpstream(frame);
            }
            else if (!isSource && direction == FrameDirection.Downstream)
            {
                owner.OnFrameLeftDownstream(frame);
            }
            else
            {
                Send(frame, direction);
            }
        }
    }
}

/// <summary>The data of <see cref="PipelineTask.ErrorReceived"/>.</summary>
public sealed class PipelineErrorEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="error">The error frame.</param>
    public PipelineErrorEventArgs(ErrorFrame error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Gets the error frame.</summary>
    public ErrorFrame Error { get; }
}
