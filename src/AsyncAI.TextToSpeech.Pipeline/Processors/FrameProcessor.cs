using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.Pipeline.Processors;

/// <summary>A stage of a pipeline: receives frames, processes them, pushes frames on.</summary>
/// <remarks>
/// <para>Scheduling (the same rules as Pipecat's frame processor):</para>
/// <list type="bullet">
/// <item><description>Frames queued before the <see cref="StartFrame"/> wait for it; then the StartFrame is processed first, then
/// the waiting system frames, then the waiting data and control frames.</description></item>
/// <item><description><see cref="SystemFrame"/>s are processed at once, in order, by the processor's system loop, overtaking
/// queued data and control frames.</description></item>
/// <item><description>Data and control frames are processed one at a time, in order, by the processor's data loop.</description></item>
/// <item><description>An <see cref="InterruptionFrame"/> cancels the data frame in flight (unless it is an
/// <see cref="IUninterruptibleFrame"/>), drops every queued interruptible frame, keeps queued uninterruptible ones in order,
/// and holds the data loop until the interruption has been processed, so nothing older slips out after it.</description></item>
/// <item><description>An exception thrown while processing becomes an <see cref="ErrorFrame"/> pushed upstream; an
/// <see cref="EndFrame"/> or <see cref="CancelFrame"/> whose processing threw before pushing it is then pushed on anyway.</description></item>
/// <item><description>A <see cref="CancelFrame"/>, like an interruption, cancels the interruptible data frame in flight and waits for
/// it to finish before it is processed (a sink finishing its output does not overlap a write), but for one second at most:
/// a frame that ignores its token does not hold the cancel up. After it every later frame is dropped.</description></item>
/// </list>
/// <para>
/// <see cref="QueueFrame"/> never blocks (the queues are unbounded) and is safe to call from any thread. Both loops are
/// owned by the processor: they start in <see cref="SetupAsync"/> and are awaited in <see cref="CleanupAsync"/>.
/// </para>
/// <para>
/// A processor that sets <see cref="ProcessesDataFramesInline"/> has a data or control frame processed on the thread
/// that queues it when the data loop is idle (nothing queued, nothing in flight, not paused, no interruption pending),
/// which saves a thread hand-over per frame; otherwise the frame is queued as usual, so the rules above hold either way.
/// </para>
/// </remarks>
public abstract class FrameProcessor : IAsyncDisposable
{
    private static long s_instances;

    private readonly Channel<QueuedFrame> _systemQueue = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<QueuedFrame> _dataQueue = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _dataLoopReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    private List<QueuedFrame>? _waitingForStart = [];
    private volatile bool _startQueued;
    private volatile bool _cancelling;
    private long _interruptionEpoch;
    private CancellationTokenSource _work;
    private QueuedFrame? _current;
    private TaskCompletionSource? _currentFinished;
    private int _dataQueueCount;
    private bool _dataLoopExited;
    private Task? _inlineHandedOver;
    private TaskCompletionSource? _inlineFinished;
    private TaskCompletionSource? _interruptionHold;
    private int _pendingInterruptions;
    private bool _pauseRequested;
    private TaskCompletionSource? _resumed;
    private Task? _systemLoop;
    private Task? _dataLoop;
    private int _setUp;
    private int _cleanedUp;
    private FrameProcessor? _next;
    private FrameProcessor? _previous;
    private Frame? _lastEndPushed;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">A name for logs and error frames; defaults to <c>TypeName#n</c>.</param>
    protected FrameProcessor(string? name = null)
    {
        Name = name ?? $"{GetType().Name}#{Interlocked.Increment(ref s_instances)}";
        _work = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
    }

    /// <summary>Gets the processor's name.</summary>
    public string Name { get; }

    /// <summary>Gets the clock (from the setup; the system clock before it).</summary>
    protected TimeProvider TimeProvider { get; private set; } = TimeProvider.System;

    /// <summary>Gets the logger (from the setup's factory; a null logger before it).</summary>
    protected ILogger Logger { get; private set; } = NullLogger.Instance;

    /// <summary>Gets the setup this processor received, or null before <see cref="SetupAsync"/>.</summary>
    protected FrameProcessorSetup? Setup { get; private set; }

    /// <summary>Gets whether the data loop is paused (see <see cref="PauseProcessingFrames"/>).</summary>
    protected bool IsProcessingPaused
    {
        get
        {
            lock (_gate)
            {
                return _pauseRequested;
            }
        }
    }

    /// <summary>Gets the processor frames are pushed to downstream, or null.</summary>
    internal FrameProcessor? Next => _next;

    /// <summary>Gets the processor frames are pushed to upstream, or null.</summary>
    internal FrameProcessor? Previous => _previous;

    /// <summary>
    /// Gets a task that completes when the data loop has ended (completed at once if it never started): no data frame is
    /// in flight then, here or inline, and none will be processed. After a cleanup that timed out, that may be later.
    /// </summary>
    internal Task DataLoopExited => _dataLoop ?? Task.CompletedTask;

    /// <summary>
    /// Gets a task that completes when the system loop has ended (completed at once if it never started). After a cleanup
    /// that timed out, that may be later.
    /// </summary>
    internal Task SystemLoopExited => _systemLoop ?? Task.CompletedTask;

    /// <summary>Gets whether frames are handled synchronously by <see cref="ProcessDirect"/> instead of the two loops.</summary>
    private protected virtual bool IsDirect => false;

    /// <summary>Gets whether a data or control frame may be processed on the thread that queues it when the data loop is
    /// idle, instead of being handed to the data loop. The default is false.</summary>
    /// <remarks>
    /// When true, <see cref="ProcessFrameAsync"/> may run on the thread that called <see cref="QueueFrame"/> (often the
    /// previous processor's loop, inside its own <see cref="ProcessFrameAsync"/>), so an override must not block: it should
    /// complete quickly or return an incomplete task, whose rest then continues as if on the data loop. Order, pause and
    /// interruption rules are the same either way: a frame is processed inline only when nothing is queued or in flight,
    /// the data loop is not paused and no interruption is pending; otherwise it is queued. System frames are never
    /// processed inline. Read once per frame; the value should not change.
    /// </remarks>
    protected virtual bool ProcessesDataFramesInline => false;

    /// <summary>Queues a frame for this processor. Never blocks; safe from any thread.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">The direction it travels.</param>
    public void QueueFrame(Frame frame, FrameDirection direction = FrameDirection.Downstream)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (IsDirect)
        {
            ProcessDirect(frame, direction);
            return;
        }

        if (_cancelling)
        {
            return;
        }

        if (!_startQueued)
        {
            lock (_gate)
            {
                if (!_startQueued)
                {
                    if (frame is not StartFrame)
                    {
                        _waitingForStart!.Add(new QueuedFrame(frame, direction, 0));
                        return;
                    }

                    ReleaseWaitingFrames(frame, direction);
                    return;
                }
            }
        }

        if (frame is not SystemFrame && ProcessesDataFramesInline && TryProcessInline(frame, direction))
        {
            return;
        }

        Enqueue(frame, direction);
    }

    /// <summary>Starts the processor's loops. Called by the pipeline task before the <see cref="StartFrame"/>.</summary>
    /// <param name="setup">Clock, logging and parameters.</param>
    /// <param name="cancellationToken">Cancels the setup.</param>
    /// <returns>A task that completes when the processor is set up.</returns>
    /// <exception cref="InvalidOperationException">The processor was already set up.</exception>
    public async Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (Interlocked.Exchange(ref _setUp, 1) == 1)
        {
            throw new InvalidOperationException($"{Name} is already set up; a processor can belong to one running pipeline only.");
        }

        Setup = setup;
        TimeProvider = setup.TimeProvider;
        Logger = setup.LoggerFactory.CreateLogger(GetType());
        if (!IsDirect)
        {
            _systemLoop = RunSystemLoopAsync();
            _dataLoop = RunDataLoopAsync();
        }

        await OnSetupAsync(setup, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the loops, waits for them, then releases the processor's resources. Safe to call more than once.</summary>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the processor is cleaned up.</returns>
    public async Task CleanupAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _cleanedUp, 1) == 1)
        {
            return;
        }

        try
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            _systemQueue.Writer.TryComplete();
            _dataQueue.Writer.TryComplete();
            ReleaseHold(all: true);
            var loops = new List<Task>(2);
            if (_systemLoop is not null)
            {
                loops.Add(_systemLoop);
            }

            if (_dataLoop is not null)
            {
                loops.Add(_dataLoop);
            }

            await Task.WhenAll(loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await OnCleanupAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await CleanupAsync().ConfigureAwait(false);
        _work.Dispose();
        _lifetime.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Links <paramref name="next"/> after this processor.</summary>
    internal void Link(FrameProcessor next)
    {
        _next = next;
        next._previous = this;
    }

    /// <summary>Sends a frame to the neighbour in <paramref name="direction"/>.</summary>
    internal void Send(Frame frame, FrameDirection direction)
    {
        if (frame is EndFrame or CancelFrame)
        {
            Volatile.Write(ref _lastEndPushed, frame);
        }

        var target = direction == FrameDirection.Downstream ? _next : _previous;
        if (target is null)
        {
            PipelineLog.NoNeighbour(Logger, Name, frame.Name, direction.ToString());
            return;
        }

        target.QueueFrame(frame, direction);
    }

    /// <summary>Handles a frame synchronously (direct processors only).</summary>
    private protected virtual void ProcessDirect(Frame frame, FrameDirection direction) => Send(frame, direction);

    /// <summary>Processes one frame. The default passes it on unchanged.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">The direction it travels.</param>
    /// <param name="cancellationToken">Cancelled when an interruption cancels this (interruptible) frame's processing, or at cancel and cleanup.</param>
    /// <returns>A task that completes when the frame is processed.</returns>
    /// <remarks>
    /// System frames arrive on the system loop, the others on the data loop, so the two can run at the same time; an
    /// override that shares state between them must synchronise it. The processor has already applied the scheduling
    /// effects of <see cref="InterruptionFrame"/> and <see cref="CancelFrame"/> when this is called; the override pushes
    /// the frame on (or not).
    /// </remarks>
    protected virtual ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        PushFrame(frame, direction);
        return ValueTask.CompletedTask;
    }

    /// <summary>Called at the end of <see cref="SetupAsync"/>.</summary>
    /// <param name="setup">The setup.</param>
    /// <param name="cancellationToken">Cancels the setup.</param>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask OnSetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called by <see cref="CleanupAsync"/> after the loops have stopped, or when its wait for them timed out.</summary>
    /// <param name="cancellationToken">Bounds the cleanup.</param>
    /// <remarks>
    /// The wait times out when a frame in flight ignores its token past the cleanup's bound: that frame may then still be
    /// running beside this method (and on after it), but it is the last one of its loop, since neither loop takes a frame
    /// once cleanup has begun. State that belongs to the data loop is not this method's to touch while that frame runs.
    /// </remarks>
    /// <returns>A task that completes when done.</returns>
    protected virtual ValueTask OnCleanupAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Called on the data loop as it ends (at a <see cref="CancelFrame"/> or at cleanup), when no data frame is in flight,
    /// here or inline, and none will be processed. It may come after <see cref="OnCleanupAsync"/>, when cleanup's wait for
    /// the loops timed out.
    /// </summary>
    private protected virtual void OnDataLoopExited()
    {
    }

    /// <summary>Pushes a frame to the next processor (downstream) or the previous one (upstream). Never blocks.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">The direction.</param>
    protected void PushFrame(Frame frame, FrameDirection direction = FrameDirection.Downstream)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Send(frame, direction);
    }

    /// <summary>Pushes an error upstream.</summary>
    /// <param name="errorFrame">The error frame.</param>
    protected virtual void PushErrorFrame(ErrorFrame errorFrame)
    {
        ArgumentNullException.ThrowIfNull(errorFrame);
        Send(errorFrame, FrameDirection.Upstream);
    }

    /// <summary>Builds an <see cref="ErrorFrame"/> from this processor and pushes it upstream.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="exception">The exception, if any; it decides the category when none is given.</param>
    /// <param name="category">The category, or null to derive it from <paramref name="exception"/>.</param>
    /// <param name="fatal">Whether the pipeline cannot continue.</param>
    protected void PushError(string message, Exception? exception = null, AsyncAIErrorCategory? category = null, bool fatal = false) =>
        PushErrorFrame(new ErrorFrame(message)
        {
            Exception = exception,
            Category = category ?? CategorizeException(exception),
            Fatal = fatal,
            Processor = this,
        });

    /// <summary>Stops the data loop after the current frame until <see cref="ResumeProcessingFrames"/> is called. System frames still flow.</summary>
    protected void PauseProcessingFrames()
    {
        lock (_gate)
        {
            _pauseRequested = true;
        }
    }

    /// <summary>Lets the data loop continue. Does nothing when it is not paused.</summary>
    protected void ResumeProcessingFrames()
    {
        TaskCompletionSource? resumed;
        lock (_gate)
        {
            _pauseRequested = false;
            resumed = _resumed;
            _resumed = null;
        }

        resumed?.TrySetResult();
    }

    /// <summary>Maps an exception to an error category.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The category.</returns>
    protected static AsyncAIErrorCategory CategorizeException(Exception? exception) => exception switch
    {
        null => AsyncAIErrorCategory.Unknown,
        AsyncAIException e => e.Category,
        HttpRequestException { StatusCode: { } status } => AsyncAIException.CategoryFor((int)status),
        HttpRequestException or SocketException or WebSocketException or IOException => AsyncAIErrorCategory.Connectivity,
        TimeoutException => AsyncAIErrorCategory.Timeout,
        _ => AsyncAIErrorCategory.Unknown,
    };

    private void ReleaseWaitingFrames(Frame start, FrameDirection direction)
    {
        // Under _gate. Order: the StartFrame, then the system frames that waited, then (once those are processed) the rest.
        var waiting = _waitingForStart!;
        _waitingForStart = null;
        Enqueue(start, direction);
        foreach (var item in waiting)
        {
            if (item.Frame is SystemFrame)
            {
                Enqueue(item.Frame, item.Direction);
            }
        }

        _systemQueue.Writer.TryWrite(new QueuedFrame(DataLoopRelease.Instance, FrameDirection.Downstream, 0));
        foreach (var item in waiting)
        {
            if (item.Frame is not SystemFrame)
            {
                Enqueue(item.Frame, item.Direction);
            }
        }

        _startQueued = true;
    }

    private void Enqueue(Frame frame, FrameDirection direction)
    {
        if (frame is SystemFrame)
        {
            if (frame is InterruptionFrame)
            {
                // Stamped at queue time: frames queued before the interruption are stale even if the data loop meets them
                // before the system loop has processed the interruption; frames queued after it are not. The data loop is
                // held from this moment (not from when the system loop gets to it), so a frame queued after the
                // interruption cannot be pushed on before the interruption itself.
                lock (_gate)
                {
                    Interlocked.Increment(ref _interruptionEpoch);
                    _pendingInterruptions++;
                    _interruptionHold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            _systemQueue.Writer.TryWrite(new QueuedFrame(frame, direction, 0));
        }
        else
        {
            WriteData(new QueuedFrame(frame, direction, Interlocked.Read(ref _interruptionEpoch)));
        }
    }

    private void WriteData(QueuedFrame item)
    {
        // Counted before it is written: the inline path treats the queue as empty only when nothing is on its way in.
        Interlocked.Increment(ref _dataQueueCount);
        if (!_dataQueue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _dataQueueCount);
        }
    }

    private bool TryProcessInline(Frame frame, FrameDirection direction)
    {
        QueuedFrame item;
        CancellationToken workToken;
        lock (_gate)
        {
            // The same state the data loop would need to take this frame now, with nothing ahead of it.
            if (_cancelling
                || _dataLoopExited
                || !_dataLoopReleased.Task.IsCompleted
                || _lifetime.IsCancellationRequested
                || _interruptionHold is not null
                || _pauseRequested
                || _current is not null
                || Volatile.Read(ref _dataQueueCount) != 0)
            {
                return false;
            }

            item = new QueuedFrame(frame, direction, Interlocked.Read(ref _interruptionEpoch));
            _current = item;
            workToken = frame is IUninterruptibleFrame ? _lifetime.Token : _work.Token;
        }

        var processing = ProcessSafelyAsync(item, workToken);
        if (!processing.IsCompleted)
        {
            HandOverInline(processing.AsTask());
            return true;
        }

        try
        {
            processing.GetAwaiter().GetResult();
        }
        finally
        {
            FinishCurrent();
        }

        return true;
    }

    private void HandOverInline(Task processing)
    {
        // The frame stays in flight (_current is still set); the data loop owns the rest: it awaits the task, then finishes it.
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _inlineHandedOver = processing;
            waiting = _inlineFinished;
            _inlineFinished = null;
        }

        if (waiting is not null)
        {
            waiting.TrySetResult();
        }
        else
        {
            // The data loop may be asleep on an empty queue: wake it.
            WriteData(new QueuedFrame(InlineHandOver.Instance, FrameDirection.Downstream, 0));
        }
    }

    private void FinishCurrent()
    {
        TaskCompletionSource? finished;
        TaskCompletionSource? inlineFinished;
        lock (_gate)
        {
            _current = null;
            finished = _currentFinished;
            _currentFinished = null;
            inlineFinished = _inlineFinished;
            _inlineFinished = null;
        }

        finished?.TrySetResult();
        inlineFinished?.TrySetResult();
    }

    private async Task RunSystemLoopAsync()
    {
        await Task.Yield();
        var token = _lifetime.Token;
        var reader = _systemQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                // Once cleanup has begun no frame is taken: when the frame that just ended outlived cleanup's bounded
                // wait, the processor has been cleaned up beside it, and a frame taken now would run after its cleanup.
                while (!token.IsCancellationRequested && reader.TryRead(out var item))
                {
                    await HandleSystemFrameAsync(item, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async ValueTask HandleSystemFrameAsync(QueuedFrame item, CancellationToken token)
    {
        switch (item.Frame)
        {
            case DataLoopRelease:
                _dataLoopReleased.TrySetResult();
                return;
            case InterruptionFrame:
                await InterruptWorkInFlightAsync(token).ConfigureAwait(false);
                try
                {
                    await ProcessSafelyAsync(item, token).ConfigureAwait(false);
                }
                finally
                {
                    ReleaseHold();
                }

                return;
            case CancelFrame:
                // Set before the data loop's lock is taken below: from here on it takes no frame (it checks under the lock).
                _cancelling = true;
                await CancelWorkInFlightAsync(token).ConfigureAwait(false);
                await ProcessSafelyAsync(item, token).ConfigureAwait(false);
                await _work.CancelAsync().ConfigureAwait(false);
                _dataQueue.Writer.TryComplete();
                return;
            default:
                await ProcessSafelyAsync(item, token).ConfigureAwait(false);
                return;
        }
    }

    private async Task RunDataLoopAsync()
    {
        await Task.Yield();
        var token = _lifetime.Token;
        var reader = _dataQueue.Reader;
        try
        {
            await _dataLoopReleased.Task.WaitAsync(token).ConfigureAwait(false);
            while (!_cancelling && await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (!_cancelling)
                {
                    Task? wait = null;
                    Task? handedOver = null;
                    QueuedFrame item = default;
                    CancellationToken workToken = default;
                    var taken = false;
                    lock (_gate)
                    {
                        if (TryTakeInlineWorkLocked(out handedOver, out wait))
                        {
                            // An inline frame comes first: it is older than anything queued, and an interruption may be
                            // waiting for it to finish.
                        }
                        else if (_cancelling || token.IsCancellationRequested)
                        {
                            // A CancelFrame is being processed, or cleanup has begun: no frame is taken any more (taken
                            // stays false: the loop ends). Cleanup's wait for this loop is bounded, so when the frame that
                            // just ended ignored its token past that bound, the processor has been cleaned up beside it,
                            // and a frame taken now would run after its cleanup.
                        }
                        else if (_interruptionHold is not null)
                        {
                            wait = _interruptionHold.Task;
                        }
                        else if (_pauseRequested)
                        {
                            wait = (_resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                        }
                        else if (reader.TryRead(out item))
                        {
                            Interlocked.Decrement(ref _dataQueueCount);
                            if (item.Frame is InlineHandOver)
                            {
                                continue; // only a wake-up
                            }

                            taken = true;
                            var uninterruptible = item.Frame is IUninterruptibleFrame;
                            if (uninterruptible || item.Epoch >= Interlocked.Read(ref _interruptionEpoch))
                            {
                                _current = item;
                                workToken = uninterruptible ? token : _work.Token;
                            }
                            else
                            {
                                taken = false; // queued before an interruption: dropped
                                continue;
                            }
                        }
                    }

                    if (handedOver is not null)
                    {
                        await FinishHandedOverAsync(handedOver).ConfigureAwait(false);
                        continue;
                    }

                    if (wait is not null)
                    {
                        await wait.WaitAsync(token).ConfigureAwait(false);
                        continue;
                    }

                    if (!taken)
                    {
                        break;
                    }

                    try
                    {
                        await ProcessSafelyAsync(item, workToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        FinishCurrent();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await DrainInlineAsync().ConfigureAwait(false);
            OnDataLoopExited();
        }
    }

    /// <summary>
    /// Under <c>_gate</c>, for the data loop: the inline frame it must deal with before anything else — a task handed over
    /// to finish, or a frame being processed inline on another thread right now to wait for.
    /// </summary>
    private bool TryTakeInlineWorkLocked(out Task? handedOver, out Task? wait)
    {
        handedOver = _inlineHandedOver;
        _inlineHandedOver = null;
        wait = handedOver is null && _current is not null
            ? (_inlineFinished ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
            : null;
        return handedOver is not null || wait is not null;
    }

    private async ValueTask FinishHandedOverAsync(Task processing)
    {
        try
        {
            await processing.ConfigureAwait(false);
        }
        finally
        {
            FinishCurrent();
        }
    }

    private async ValueTask DrainInlineAsync()
    {
        // The data loop owns every inline frame that went asynchronous: it does not end before they have finished, and
        // once it has ended no frame is processed inline any more.
        while (true)
        {
            Task? handedOver;
            Task? wait;
            lock (_gate)
            {
                if (!TryTakeInlineWorkLocked(out handedOver, out wait))
                {
                    _dataLoopExited = true;
                    return;
                }
            }

            if (handedOver is not null)
            {
                await FinishHandedOverAsync(handedOver).ConfigureAwait(false);
            }
            else
            {
                await wait!.ConfigureAwait(false);
            }
        }
    }

    private async ValueTask ProcessSafelyAsync(QueuedFrame item, CancellationToken token)
    {
        try
        {
            await ProcessFrameAsync(item.Frame, item.Direction, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Interrupted, cancelled or cleaned up: the frame's work is abandoned on purpose.
        }
#pragma warning disable CA1031 // Any failure of a processor becomes an ErrorFrame; the loop must survive it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            PipelineLog.ProcessingFailed(Logger, Name, item.Frame.Name, ex);
            PushError($"{Name} failed to process {item.Frame.Name}: {ex.Message}", ex);
            if (item.Frame is EndFrame or CancelFrame && !ReferenceEquals(Volatile.Read(ref _lastEndPushed), item.Frame))
            {
                // The end goes on even after a failure, as the sinks' does after a failed flush: PipelineTask waits for an
                // EndFrame without a timeout (and for a CancelFrame up to CancelTimeout).
                Send(item.Frame, item.Direction);
            }
        }
    }

    /// <summary>How long a <see cref="CancelFrame"/> waits for a cancelled frame in flight that has not finished.</summary>
    internal static readonly TimeSpan CancelGracePeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Before an <see cref="InterruptionFrame"/> is processed: holds the data loop (until <see cref="ReleaseHold"/>), cancels
    /// the interruptible frame in flight and waits for it, so that nothing it pushes can follow the interruption. The wait
    /// ends (throwing) when cleanup begins (<paramref name="lifetime"/>): a frame that ignores its token may outlive
    /// cleanup's bound, and the interruption would then be processed after the cleanup.
    /// </summary>
    private async ValueTask InterruptWorkInFlightAsync(CancellationToken lifetime)
    {
        lock (_gate)
        {
            _interruptionHold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (await CancelFrameInFlightAsync().ConfigureAwait(false) is { } inFlight)
        {
            await inFlight.Finished.WaitAsync(lifetime).ConfigureAwait(false);
            RenewWork(inFlight.Work);
        }
    }

    /// <summary>
    /// Before a <see cref="CancelFrame"/> is processed: cancels the interruptible frame in flight and waits for it, so that
    /// nothing it writes overlaps the cancel's own cleanup, but <see cref="CancelGracePeriod"/> at most. A cancel must end
    /// the run even when the frame ignores its token (a write to a pipe whose reader stopped), so after the grace it goes
    /// on beside that frame; the processor's data loop ends once the frame does, and its token stays cancelled. Like an
    /// interruption's, the wait ends (throwing) when cleanup begins.
    /// </summary>
    private async ValueTask CancelWorkInFlightAsync(CancellationToken lifetime)
    {
        if (await CancelFrameInFlightAsync().ConfigureAwait(false) is not { } inFlight)
        {
            return;
        }

        try
        {
            await inFlight.Finished.WaitAsync(CancelGracePeriod, TimeProvider, lifetime).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            PipelineLog.CancelDidNotWaitForFrame(Logger, Name, inFlight.Frame.Name, CancelGracePeriod);
            return;
        }

        RenewWork(inFlight.Work);
    }

    /// <summary>Cancels the frame in flight if it is interruptible; returns what to wait for, or null if nothing runs.</summary>
    private async ValueTask<FrameInFlight?> CancelFrameInFlightAsync()
    {
        FrameInFlight? inFlight = null;
        lock (_gate)
        {
            // An uninterruptible frame in flight keeps running (it may be waiting for something the interruption or
            // cancel releases); an interruptible one is cancelled and awaited.
            if (_current is { } current && current.Frame is not IUninterruptibleFrame)
            {
                _currentFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                inFlight = new FrameInFlight(current.Frame, _currentFinished.Task, _work);
            }
        }

        if (inFlight is { } cancelled)
        {
            await cancelled.Work.CancelAsync().ConfigureAwait(false);
        }

        return inFlight;
    }

    /// <summary>Gives the next frames a fresh token once the cancelled frame has finished with the old one.</summary>
    private void RenewWork(CancellationTokenSource cancelled)
    {
        lock (_gate)
        {
            _work = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        }

        cancelled.Dispose();
    }

    private readonly record struct FrameInFlight(Frame Frame, Task Finished, CancellationTokenSource Work);

    private void ReleaseHold(bool all = false)
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            if (all)
            {
                _pendingInterruptions = 0;
            }
            else if (_pendingInterruptions > 0)
            {
                _pendingInterruptions--;
            }

            if (_pendingInterruptions > 0)
            {
                return; // a later interruption is queued: keep holding until it has been pushed on too
            }

            hold = _interruptionHold;
            _interruptionHold = null;
        }

        hold?.TrySetResult();
    }

    private readonly record struct QueuedFrame(Frame Frame, FrameDirection Direction, long Epoch);

    /// <summary>Wakes the data loop to take over an inline frame that did not finish synchronously.</summary>
    private sealed class InlineHandOver : DataFrame
    {
        public static readonly InlineHandOver Instance = new();
    }

    /// <summary>Tells the system loop that the frames that waited for the StartFrame have been processed.</summary>
    private sealed class DataLoopRelease : SystemFrame
    {
        public static readonly DataLoopRelease Instance = new();
    }
}
