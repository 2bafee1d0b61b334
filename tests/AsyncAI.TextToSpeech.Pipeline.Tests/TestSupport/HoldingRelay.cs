using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>
/// A TCP relay in front of the emulator that can hold new connections: while <see cref="Hold"/> is on, an accepted
/// connection is neither answered nor passed on (the client's handshake waits, its bytes stay in the socket buffer)
/// until <see cref="Release"/>, then it is relayed as usual. Lets a test act while a connect is pending.
/// </summary>
internal sealed class HoldingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _relays = [];
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;

    public HoldingRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        Url = new UriBuilder(target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the target URL with the relay's port.</summary>
    public Uri Url { get; }

    /// <summary>Gets or sets whether connections accepted from now on wait for <see cref="Release"/>.</summary>
    public bool Hold { get; set; }

    /// <summary>Gets a task that completes when a connection is being held.</summary>
    public Task Held => _held.Task;

    /// <summary>Relays the held connections (and any later ones).</summary>
    public void Release() => _released.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_relays);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            _relays.Add(RelayAsync(inbound, Hold));
        }
    }

    private async Task RelayAsync(TcpClient inbound, bool hold)
    {
        using var outbound = new TcpClient();
        using (inbound)
        {
            try
            {
                if (hold)
                {
                    _held.TrySetResult();
                    await _released.Task.WaitAsync(_stop.Token);
                }

                await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);

                // Whichever side ends first ends both: a client that gave up its connect must not leave the emulator's
                // side open until its idle timeout.
                using var ended = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                await Task.WhenAny(
                    PumpAsync(inbound.GetStream(), outbound.GetStream(), ended.Token),
                    PumpAsync(outbound.GetStream(), inbound.GetStream(), ended.Token));
                await ended.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
