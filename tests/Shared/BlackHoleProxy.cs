using System.Net;
using System.Net.Sockets;

namespace AsyncAI.TextToSpeech.Testing;

/// <summary>
/// A TCP relay in front of the emulator that can black-hole a connection: bytes in both directions are swallowed
/// while the TCP connection stays open, as on a dead network path. Nothing answers PINGs or close frames.
/// </summary>
internal sealed class BlackHoleProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;
    private volatile bool _blackHole;
    private bool _stopping;

    public BlackHoleProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Url = new UriBuilder(target) { Port = port }.Uri;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the target URL with the relay's port.</summary>
    public Uri Url { get; }

    /// <summary>Gets or sets whether bytes are swallowed (both directions) instead of passed on.</summary>
    public bool BlackHole
    {
        get => _blackHole;
        set => _blackHole = value;
    }

    /// <summary>
    /// Stops accepting, closes every relayed connection and waits for the relay's loops, which the stop ends at once
    /// (sockets closed, accepts, connects and reads cancelled) without an error. A connection the accept loop is taking
    /// on meanwhile is closed by the loop itself (see <see cref="AcceptLoopAsync"/>).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task[] pumps;
        TcpClient[] clients;
        lock (_lock)
        {
            _stopping = true;
            pumps = [.. _pumps];
            clients = [.. _clients];
        }

        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await _acceptLoop;
        await Task.WhenAll(pumps);
        _stop.Dispose();
    }

    /// <summary>
    /// Accepts and relays connections until the proxy stops, then returns normally. The listener can stop at any point
    /// of an iteration, not only while an accept is pending: an accept called after the stop throws
    /// InvalidOperationException, which used to escape from DisposeAsync. A connection accepted meanwhile is registered
    /// (under the lock) only while the proxy is not stopping, so each one is closed either by DisposeAsync or here.
    /// </summary>
    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                lock (_lock)
                {
                    if (!_stopping)
                    {
                        _clients.Add(inbound);
                        _clients.Add(outbound);
                        _pumps.Add(PumpAsync(inbound.GetStream(), outbound.GetStream()));
                        _pumps.Add(PumpAsync(outbound.GetStream(), inbound.GetStream()));
                        continue;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopping, or the target refused: no way through, so this connection is closed, as by a real relay.
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    to.Socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (!_blackHole)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
