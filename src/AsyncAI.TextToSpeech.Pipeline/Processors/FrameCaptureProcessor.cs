using AsyncAI.TextToSpeech.Pipeline.Frames;

namespace AsyncAI.TextToSpeech.Pipeline.Processors;

/// <summary>Records the frames that pass it in one direction and passes every frame on unchanged.</summary>
/// <remarks>
/// Put one at the start of a pipeline to see what travels upstream (errors, bot-speaking notifications) and one at the end
/// to see what comes out downstream. It has no queue: frames are recorded in the order they are pushed into it. Thread-safe.
/// </remarks>
public sealed class FrameCaptureProcessor : FrameProcessor
{
    private readonly Lock _lock = new();
    private readonly List<Frame> _frames = [];
    private readonly List<(Func<Frame, bool> Predicate, TaskCompletionSource<Frame> Completion)> _waiters = [];

    /// <summary>Initializes a new instance.</summary>
    /// <param name="direction">The direction whose frames are recorded.</param>
    /// <param name="name">A name for logs.</param>
    public FrameCaptureProcessor(FrameDirection direction, string? name = null)
        : base(name)
    {
        Direction = direction;
    }

    /// <summary>Gets the direction whose frames are recorded.</summary>
    public FrameDirection Direction { get; }

    /// <summary>Gets a snapshot of the recorded frames, oldest first.</summary>
    public IReadOnlyList<Frame> Frames
    {
        get
        {
            lock (_lock)
            {
                return [.. _frames];
            }
        }
    }

    private protected override bool IsDirect => true;

    /// <summary>Waits for a recorded frame (past or future) that matches.</summary>
    /// <param name="predicate">What to wait for.</param>
    /// <param name="timeout">How long to wait, in real time.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching frame.</returns>
    /// <exception cref="TimeoutException">No matching frame was recorded in time; the message lists what was recorded.</exception>
    public async Task<Frame> WaitForFrameAsync(Func<Frame, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<Frame> completion;
        lock (_lock)
        {
            foreach (var frame in _frames)
            {
                if (predicate(frame))
                {
                    return frame;
                }
            }

            completion = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, completion));
        }

        try
        {
            return await completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: no matching frame within {timeout}. Recorded: {string.Join(", ", Frames.Select(f => f.Name))}.");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Completion == completion);
            }
        }
    }

    /// <summary>Waits for a recorded frame of type <typeparamref name="T"/> (past or future) that matches.</summary>
    /// <typeparam name="T">The frame type.</typeparam>
    /// <param name="timeout">How long to wait, in real time.</param>
    /// <param name="predicate">An extra condition, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching frame.</returns>
    /// <exception cref="TimeoutException">No matching frame was recorded in time.</exception>
    public async Task<T> WaitForFrameAsync<T>(TimeSpan timeout, Func<T, bool>? predicate = null, CancellationToken cancellationToken = default)
        where T : Frame =>
        (T)await WaitForFrameAsync(f => f is T t && (predicate is null || predicate(t)), timeout, cancellationToken).ConfigureAwait(false);

    private protected override void ProcessDirect(Frame frame, FrameDirection direction)
    {
        if (direction == Direction)
        {
            List<TaskCompletionSource<Frame>>? matched = null;
            lock (_lock)
            {
                _frames.Add(frame);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Predicate(frame))
                    {
                        (matched ??= []).Add(_waiters[i].Completion);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            if (matched is not null)
            {
                foreach (var completion in matched)
                {
                    completion.TrySetResult(frame);
                }
            }
        }

        Send(frame, direction);
    }
}
