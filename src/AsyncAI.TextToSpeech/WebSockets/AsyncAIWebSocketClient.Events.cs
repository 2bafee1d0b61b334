using System.Diagnostics;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.WebSockets.Internal;

namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>Connection events, raised from their own loop so that handlers never run on (or block) the socket loops.</summary>
public sealed partial class AsyncAIWebSocketClient
{
    private readonly Channel<(EventKind Kind, AsyncAIConnectionEventArgs Args)> _events =
        Channel.CreateUnbounded<(EventKind, AsyncAIConnectionEventArgs)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _eventLoop;

    /// <summary>Raised when a socket has opened (the first one and every reconnect).</summary>
    /// <remarks>Handlers run on the client's event loop, one at a time; an exception from a handler is logged and ignored.</remarks>
    public event EventHandler<AsyncAIConnectionEventArgs>? Connected;

    /// <summary>Raised when a socket has closed; <see cref="AsyncAIConnectionEventArgs.Error"/> says why unless the caller closed it.</summary>
    /// <remarks>Handlers run on the client's event loop, one at a time; an exception from a handler is logged and ignored.</remarks>
    public event EventHandler<AsyncAIConnectionEventArgs>? Disconnected;

    /// <summary>
    /// Raised for every failure that is not a single context's: failed connect attempts, connection-level server
    /// errors, unreadable server messages (malformed JSON, invalid base64, partial samples), giving up.
    /// </summary>
    /// <remarks>Handlers run on the client's event loop, one at a time; an exception from a handler is logged and ignored.</remarks>
    public event EventHandler<AsyncAIConnectionEventArgs>? ConnectionError;

    private enum EventKind
    {
        Connected,
        Disconnected,
        ConnectionError,
    }

    private void RaiseConnected(int connectionNumber) =>
        _events.Writer.TryWrite((EventKind.Connected, new AsyncAIConnectionEventArgs(connectionNumber)));

    private void RaiseDisconnected(int connectionNumber, AsyncAIException? reason) =>
        _events.Writer.TryWrite((EventKind.Disconnected, new AsyncAIConnectionEventArgs(connectionNumber, reason)));

    private void RaiseConnectionError(AsyncAIException error) =>
        _events.Writer.TryWrite((EventKind.ConnectionError, new AsyncAIConnectionEventArgs(Volatile.Read(ref _connectionCount), error)));

    private async Task RunEventLoopAsync()
    {
        // The loop lives as long as the client: handlers must not find whatever span was current when the client was
        // constructed as their ambient parent. An async method's change to Activity.Current stays inside it.
        Activity.Current = null;

        // Yield first so the constructor never runs a handler (or even the loop) synchronously.
        await Task.Yield();
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                var handlers = item.Kind switch
                {
                    EventKind.Connected => Connected,
                    EventKind.Disconnected => Disconnected,
                    _ => ConnectionError,
                };

                if (handlers is null)
                {
                    continue;
                }

                foreach (var handler in handlers.GetInvocationList())
                {
                    try
                    {
                        ((EventHandler<AsyncAIConnectionEventArgs>)handler)(this, item.Args);
                    }
#pragma warning disable CA1031 // A user handler may throw anything; it must never break the client.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Logger.EventHandlerFailed(item.Kind.ToString(), ex);
                    }
                }
            }
        }
    }
}
