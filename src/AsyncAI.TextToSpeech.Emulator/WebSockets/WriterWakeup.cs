using System.Threading.Tasks.Sources;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// What the session's writer loop waits on: new work (<see cref="Signal"/>), its next chunk's due time, or the server
/// stopping. Compared with <see cref="SemaphoreSlim.WaitAsync(int, CancellationToken)"/> it keeps one timer for the
/// session's life instead of a timer and a cancellation registration per wait (a paced connection waits 50 times a
/// second), and it resumes the writer on the thread that woke it: the reader's, right after a request arrives, or the
/// timer's. That removes a thread-pool hand-over from both the request-to-first-audio path and every paced chunk.
/// </summary>
/// <remarks>
/// One waiter at a time (the writer loop). A signal that arrives while nobody waits is remembered, so the next wait
/// returns at once. A wake can be spurious (a timer armed for an earlier wait firing late); the writer re-reads all
/// of its state after every wake, so that only costs one pass. Because the writer may run on the reader's thread, it
/// must not run for long there: see <see cref="WokeInline"/>.
/// </remarks>
internal sealed class WriterWakeup : IValueTaskSource<bool>, IDisposable
{
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _stopping;
    private readonly CancellationToken _stoppingToken;
    private ManualResetValueTaskSourceCore<bool> _core; // continuations run on the completing thread (the point of this type)
    private int _waiting;
    private int _pending;

    public WriterWakeup(CancellationToken stopping)
    {
        _stoppingToken = stopping;
        _timer = TimeProvider.System.CreateTimer(static state => ((WriterWakeup)state!).Complete(result: false), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _stopping = stopping.UnsafeRegister(static state => ((WriterWakeup)state!).Complete(result: false), this);
    }

    /// <summary>Gets whether the last wake ran the writer on another loop's thread (the reader's or a timer's).</summary>
    /// <remarks>True for every wake that did not complete synchronously; the writer yields after a bounded amount of work.</remarks>
    public bool WokeInline { get; private set; }

    /// <summary>Wakes the writer, on this thread if it is waiting.</summary>
    public void Signal()
    {
        Volatile.Write(ref _pending, 1);
        Complete(result: true);
    }

    /// <summary>Waits for a signal (true), the timeout (false) or the server stopping (throws).</summary>
    /// <param name="timeoutMs">Milliseconds, or <see cref="Timeout.Infinite"/>.</param>
    public ValueTask<bool> WaitAsync(int timeoutMs)
    {
        _stoppingToken.ThrowIfCancellationRequested();
        WokeInline = false;
        if (Interlocked.Exchange(ref _pending, 0) == 1)
        {
            return new(true);
        }

        _core.Reset();

        // A full fence, not a release store: the read of _pending below must not move ahead of this write (x64
        // reorders a store with a later load). Otherwise a Signal could set _pending, find nobody waiting, and the
        // writer would still read the old _pending and sleep until its deadline with the work undone.
        Interlocked.Exchange(ref _waiting, 1);

        // A signal may have set _pending after the check above but before the waiter was armed.
        if (Volatile.Read(ref _pending) == 1 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            Volatile.Write(ref _pending, 0);
            return new(true);
        }

        if (timeoutMs != Timeout.Infinite)
        {
            _timer.Change(TimeSpan.FromMilliseconds(timeoutMs), Timeout.InfiniteTimeSpan);
        }

        WokeInline = true;
        var wait = new ValueTask<bool>(this, _core.Version);

        // The server may have begun stopping after the check at the top, when nobody was armed for its callback.
        if (_stoppingToken.IsCancellationRequested)
        {
            Complete(result: false);
        }

        return wait;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _timer.Dispose();
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        var result = _core.GetResult(token);
        _stoppingToken.ThrowIfCancellationRequested();
        return result;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Complete(bool result)
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            if (result)
            {
                // The writer re-reads everything when it runs, so a signal that lands between here and then is covered.
                Volatile.Write(ref _pending, 0);
            }

            _core.SetResult(result);
        }
    }
}
