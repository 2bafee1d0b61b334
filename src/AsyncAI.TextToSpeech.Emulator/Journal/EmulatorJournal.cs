using System.Collections.Concurrent;
using System.Globalization;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// Everything the emulator received and sent, for assertions. Cheap on the audio path: each audio message only
/// adds to a per-context byte counter; one <see cref="EmulatorEventKind.AudioSent"/> event marks a context's first audio.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class EmulatorJournal
{
    private readonly Lock _gate = new();
    private readonly List<EmulatorEvent> _events = [];
    private readonly List<Waiter> _waiters = [];
    private readonly ConcurrentDictionary<string, StrongBox> _audioBytes = new(StringComparer.Ordinal);
    private int _connectionsAccepted;
    private int _handshakesRejected;

    /// <summary>Gets how many WebSocket connections were accepted.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Gets how many WebSocket upgrades were refused (auth, limits, faults).</summary>
    public int HandshakesRejected => Volatile.Read(ref _handshakesRejected);

    /// <summary>Gets a copy of every event so far, in order.</summary>
    /// <returns>The events.</returns>
    public IReadOnlyList<EmulatorEvent> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    /// <summary>Waits for an event matching <paramref name="predicate"/>; an event that already happened matches too.</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching event.</returns>
    public Task<EmulatorEvent> WaitForAsync(Func<EmulatorEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<EmulatorEvent> completion;
        Waiter waiter;
        lock (_gate)
        {
            foreach (var e in _events)
            {
                if (predicate(e))
                {
                    return Task.FromResult(e);
                }
            }

            completion = new TaskCompletionSource<EmulatorEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = new Waiter(predicate, completion);
            _waiters.Add(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // A cancelled wait leaves the list, so abandoned waits do not pile up.
            waiter.Registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    _waiters.Remove(waiter);
                }

                completion.TrySetCanceled(cancellationToken);
            });
        }

        return completion.Task;
    }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> for an event matching <paramref name="predicate"/>; an event that already
    /// happened matches too. A wait that runs out says what the journal holds, so a test that fails here shows why.
    /// </summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first matching event.</returns>
    /// <exception cref="TimeoutException">No matching event within <paramref name="timeout"/>; the message lists the last events.</exception>
    public async Task<EmulatorEvent> WaitForAsync(Func<EmulatorEvent, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await WaitForAsync(predicate, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var events = Snapshot();
            var last = string.Join(Environment.NewLine, events.Skip(Math.Max(0, events.Count - 20)).Select(e =>
                string.Create(CultureInfo.InvariantCulture, $"  #{e.Sequence} connection {e.ConnectionId} {e.Kind} {e.ContextId} {e.Detail}")));
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"No matching emulator event within {timeout.TotalSeconds:0.###} s. The journal holds {events.Count} events; the last ones:{Environment.NewLine}{last}"));
        }
    }

    /// <summary>Gets the decoded audio bytes sent for a context id over WebSockets, summed over all connections.</summary>
    /// <param name="contextId">The context id (the default context is counted under <see cref="EmulatorOptions.DefaultContextId"/>, or <c>""</c> when that is null).</param>
    /// <returns>The byte count; 0 for an unknown id.</returns>
    public long AudioBytesSent(string contextId)
    {
        ArgumentNullException.ThrowIfNull(contextId);
        return _audioBytes.TryGetValue(contextId, out var box) ? Interlocked.Read(ref box.Value) : 0;
    }

    internal StrongBox AudioCounter(string contextId) => _audioBytes.GetOrAdd(contextId, static _ => new StrongBox());

    internal void CountConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);

    internal void CountHandshakeRejected() => Interlocked.Increment(ref _handshakesRejected);

    internal void Add(int connectionId, EmulatorEventKind kind, string? contextId = null, string? detail = null)
    {
        List<Waiter>? matched = null;
        EmulatorEvent e;
        lock (_gate)
        {
            e = new EmulatorEvent(_events.Count + 1, connectionId, kind, contextId, detail, DateTimeOffset.UtcNow);
            _events.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                bool isMatch;
                try
                {
                    isMatch = waiter.Completion.Task.IsCompleted || waiter.Predicate(e);
                }
#pragma warning disable CA1031 // a faulty test predicate must fail its own wait, not the server
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    waiter.Completion.TrySetException(ex);
                    _waiters.RemoveAt(i);
                    continue;
                }

                if (isMatch)
                {
                    (matched ??= []).Add(waiter);
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (matched is not null)
        {
            foreach (var waiter in matched)
            {
                waiter.Registration.Dispose();
                waiter.Completion.TrySetResult(e);
            }
        }
    }

    private sealed class Waiter(Func<EmulatorEvent, bool> predicate, TaskCompletionSource<EmulatorEvent> completion)
    {
        public Func<EmulatorEvent, bool> Predicate { get; } = predicate;

        public TaskCompletionSource<EmulatorEvent> Completion { get; } = completion;

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>A shared mutable counter.</summary>
    internal sealed class StrongBox
    {
#pragma warning disable CA1051 // a field so Interlocked can update it in place
        public long Value;
#pragma warning restore CA1051
    }
}
