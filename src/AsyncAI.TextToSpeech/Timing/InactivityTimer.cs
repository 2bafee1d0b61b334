namespace AsyncAI.TextToSpeech.Timing;

/// <summary>
/// Fires after a timeout without activity, without touching the timer queue on every activity: activity only records a
/// timestamp, and when the timer fires early it re-arms itself for the rest of the silence.
/// </summary>
/// <remarks>
/// At 50 audio chunks a second per stream, resetting a timer per chunk is a timer-queue update (and its lock) per chunk;
/// this costs one clock read instead. Not thread-safe: the owner calls every member under its own lock, including
/// <see cref="Expired"/> from the timer callback.
/// </remarks>
internal sealed class InactivityTimer : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    private long _lastActivity;
    private bool _armed;

    /// <summary>Initializes a new timer, armed: it counts the timeout from now.</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="timeout">How long without activity counts as inactive.</param>
    /// <param name="callback">Called when the timer fires; it should call <see cref="Expired"/> under the owner's lock.</param>
    /// <param name="state">The callback's state.</param>
    public InactivityTimer(TimeProvider timeProvider, TimeSpan timeout, TimerCallback callback, object? state)
    {
        _timeProvider = timeProvider;
        Timeout = timeout;
        _lastActivity = timeProvider.GetTimestamp();
        _armed = true;
        _timer = timeProvider.CreateTimer(callback, state, timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets the timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets whether the timer is armed: activity since it last expired, or it was never disarmed.</summary>
    public bool IsArmed => _armed;

    /// <summary>Records activity at <paramref name="timestamp"/> (a <see cref="TimeProvider"/> timestamp); arms the timer if it is not armed.</summary>
    /// <param name="timestamp">When the activity happened.</param>
    public void Touch(long timestamp)
    {
        _lastActivity = timestamp;
        if (!_armed)
        {
            _timer.Change(Timeout, System.Threading.Timeout.InfiniteTimeSpan);
            _armed = true;
        }
    }

    /// <summary>Starts a full timeout from now, whether or not the timer was armed.</summary>
    public void Restart()
    {
        _lastActivity = _timeProvider.GetTimestamp();
        _timer.Change(Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        _armed = true;
    }

    /// <summary>Stops the timer until the next <see cref="Touch"/> or <see cref="Restart"/>.</summary>
    public void Disarm()
    {
        _armed = false;
        _timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// From the callback: whether the timeout has passed since the last activity. If so the timer is disarmed; if
    /// activity came since it was armed, it is re-armed for the rest and the answer is false (as it is when disarmed).
    /// </summary>
    /// <returns>True when the owner should act on the inactivity now.</returns>
    public bool Expired()
    {
        if (!_armed)
        {
            return false;
        }

        var quiet = _timeProvider.GetElapsedTime(_lastActivity);
        if (quiet < Timeout)
        {
            _timer.Change(Timeout - quiet, System.Threading.Timeout.InfiniteTimeSpan);
            return false;
        }

        _armed = false;
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
