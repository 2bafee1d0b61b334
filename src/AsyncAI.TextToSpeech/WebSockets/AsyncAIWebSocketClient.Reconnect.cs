using System.Diagnostics;
using AsyncAI.TextToSpeech.WebSockets.Internal;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>The connection supervisor: runs each socket, then decides whether and when to open the next.</summary>
public sealed partial class AsyncAIWebSocketClient
{
    private async Task SuperviseAsync(Session session, WebSocketConnection connection)
    {
        // The supervisor and the socket loops it starts outlive the ConnectAsync call that started them: they must not
        // keep the caller's span as their ambient parent (a reconnect minutes later is no child of the caller's work).
        // An async method's change to Activity.Current stays inside it.
        Activity.Current = null;
        var shortLived = 0;
        AsyncAIException? endError = null;
        AsyncAIException? permanentError = null;
        (int Number, AsyncAIException? Reason)? lastDisconnect = null;
        try
        {
            while (true)
            {
                session.Current = connection;
                var reason = await connection.RunAsync(session.Outbound).ConfigureAwait(false);
                session.Current = null;
                var lifetime = TimeProvider.GetElapsedTime(connection.OpenedTimestamp);

                if (session.Stopping)
                {
                    Logger.ConnectionClosed(connection.Number, lifetime.TotalMilliseconds);
                    FailContextsOf(connection, new AsyncAIException("The client was disconnected by the caller.", AsyncAIErrorCategory.Connectivity));

                    // A caller that stops a rejected session (a pipeline service does so on the ConnectionError) may get
                    // here before the server's close does. The contexts that never reached this socket (created, or
                    // their text still queued, which a stopping send loop skips) then end because of the rejection: they
                    // fail with it, as after the server's close, and not with a generic "disconnected" that a caller
                    // cannot tie to the rejection it already reported. No permanent error: the caller may connect again.
                    endError = connection.SessionRejection;
                    lastDisconnect = (connection.Number, null);
                    return;
                }

                reason ??= new AsyncAIException("The connection to Async closed unexpectedly.", AsyncAIErrorCategory.Connectivity);
                Logger.ConnectionLost(connection.Number, lifetime.TotalMilliseconds, reason.Message);
                WebSocketMetrics.RecordError(reason);
                FailContextsOf(connection, reason);

                if (connection.SessionRejection is { } rejection)
                {
                    permanentError = endError = new AsyncAIException(
                        $"The service rejected the session ({rejection.Message}); reconnecting would be rejected the same way, so the client gave up for good. Fix the options and create a new client.",
                        rejection.Category,
                        rejection.ErrorCode,
                        innerException: rejection);
                    FailPermanently(endError);
                    lastDisconnect = (connection.Number, reason);
                    return;
                }

                var policy = Options.Reconnect;
                shortLived = lifetime < policy.MinHealthyConnectionLifetime ? shortLived + 1 : 0;
                if (shortLived >= policy.MaxShortLivedConnections)
                {
                    permanentError = endError = new AsyncAIException(
                        $"{shortLived} connections in a row closed within {policy.MinHealthyConnectionLifetime.TotalSeconds:0.###} s of opening (last: {reason.Message}); the client gave up for good. This usually means the service rejects the session (voice, model, account); check the options and create a new client.",
                        AsyncAIErrorCategory.Connectivity,
                        innerException: reason);
                    FailPermanently(endError);
                    lastDisconnect = (connection.Number, reason);
                    return;
                }

                if (!policy.Enabled)
                {
                    endError = reason;
                    lastDisconnect = (connection.Number, reason);
                    return;
                }

                // State first, event second: a handler always sees the state the event reports.
                SetStateLocked(AsyncAIWebSocketState.Reconnecting);
                RaiseDisconnected(connection.Number, reason);
                var next = await ReconnectAsync(session, shortLived).ConfigureAwait(false);
                if (next is null)
                {
                    endError = session.GiveUpError;
                    return;
                }

                connection = next;
                WebSocketMetrics.Reconnects.Add(1);
                SetStateLocked(AsyncAIWebSocketState.Connected);
                RaiseConnected(connection.Number);
            }
        }
        finally
        {
            EndSession(session, endError);
            if (lastDisconnect is { } disconnect)
            {
                RaiseDisconnected(disconnect.Number, disconnect.Reason);
            }

            if (permanentError is not null)
            {
                RaiseConnectionError(permanentError);
            }
        }
    }

    /// <summary>Opens a replacement socket with backoff; null when stopping, unauthorized, or out of attempts.</summary>
    private async Task<WebSocketConnection?> ReconnectAsync(Session session, int failuresSoFar)
    {
        var policy = Options.Reconnect;
        for (var attempt = 1; attempt <= policy.MaxAttempts; attempt++)
        {
            var delay = policy.GetDelay(failuresSoFar + attempt - 1);
            Logger.Reconnecting(attempt, policy.MaxAttempts, delay.TotalMilliseconds);
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, TimeProvider, session.Stop.Token).ConfigureAwait(false);
                }

                return await OpenConnectionAsync(attempt, session.Stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (session.Stop.IsCancellationRequested)
            {
                return null;
            }
            catch (AsyncAIException ex)
            {
                // State first, event second: a handler always sees the state the event reports.
                if (ex.Category == AsyncAIErrorCategory.Authentication)
                {
                    FailPermanently(ex);
                    RaiseConnectionError(ex);
                    return null;
                }

                RaiseConnectionError(ex);
            }
        }

        Logger.GaveUpReconnecting(policy.MaxAttempts);
        session.GiveUpError = new AsyncAIException(
            $"Reconnecting to {_redactedUrl} failed {policy.MaxAttempts} times; the client is disconnected. Call ConnectAsync to try again.",
            AsyncAIErrorCategory.Connectivity);
        return null;
    }

    private void FailContextsOf(WebSocketConnection connection, AsyncAIException cause)
    {
        foreach (var context in _contexts.Values)
        {
            context.OnConnectionLost(connection.Number, cause);
        }
    }

    /// <summary>The session is over: nothing can carry the remaining contexts' text, so they fail.</summary>
    private void EndSession(Session session, AsyncAIException? error)
    {
        lock (_stateLock)
        {
            if (ReferenceEquals(_session, session))
            {
                _session = null;
            }

            SetState(AsyncAIWebSocketState.Disconnected);
        }

        session.Outbound.Writer.TryComplete();
        if (session.GiveUpError is not null)
        {
            RaiseConnectionError(session.GiveUpError);
        }

        FailAllContexts(error is null
            ? new AsyncAIException("The WebSocket client disconnected before the context finished.", AsyncAIErrorCategory.Connectivity)
            : new AsyncAIException("The WebSocket client stopped before the context finished: " + error.Message, error.Category, error.ErrorCode, innerException: error));
    }

    /// <summary>Graceful close bounded by CloseTimeout, then abort; awaits the supervisor in both cases.</summary>
    private async Task StopSessionAsync(Session session)
    {
        session.Stopping = true;
        await session.Stop.CancelAsync().ConfigureAwait(false);
        session.Outbound.Writer.TryWrite(OutboundMessage.Close);
        try
        {
            await session.Supervisor.WaitAsync(Options.CloseTimeout, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.CloseTimedOut(Options.CloseTimeout.TotalMilliseconds);
            session.Current?.Abort();
            await session.Supervisor.ConfigureAwait(false);
        }

        session.Stop.Dispose();
    }
}
