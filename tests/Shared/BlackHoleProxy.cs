using System.Collections.Concurrent;
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
    private readonly ConcurrentBag<Task> _pumps = [];
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _acceptLoop;
    private volatile bool _blackHole;

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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_pumps);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            var outbound = new TcpClient();
            await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            _clients.Add(inbound);
            _clients.Add(outbound);
            _pumps.Add(PumpAsync(inbound.GetStream(), outbound.GetStream()));
            _pumps.Add(PumpAsync(outbound.GetStream(), inbound.GetStream()));
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
