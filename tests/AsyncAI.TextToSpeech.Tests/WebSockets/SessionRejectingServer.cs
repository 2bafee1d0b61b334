using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>
/// A one-connection WebSocket server that rejects the session the way Async does (a connection-level error without a
/// <c>context_id</c>) only when told to, and then keeps the socket open until the client closes it. Unlike the emulator,
/// which closes right after the error, it lets a test decide that the client's own close comes first.
/// </summary>
internal sealed class SessionRejectingServer : IAsyncDisposable
{
    private const string DefaultRejectionJson = """{"error_code":"INVALID_LANGUAGE","message":"Language code 'klingon' is not supported."}""";

    private readonly string _rejectionJson;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _reject = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _initReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;

    /// <param name="rejectionJson">The error message sent as the rejection; by default an INVALID_LANGUAGE error.</param>
    public SessionRejectingServer(string rejectionJson = DefaultRejectionJson)
    {
        _rejectionJson = rejectionJson;
        _listener.Start();
        Url = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/text_to_speech/websocket/ws");
        _run = RunAsync();
    }

    public Uri Url { get; }

    /// <summary>Gets a task that completes when the client's init message has arrived.</summary>
    public Task InitReceived => _initReceived.Task;

    /// <summary>Gets a task that completes when the client closed the socket (the server never closes it first).</summary>
    public Task ClientClosed => _clientClosed.Task;

    /// <summary>Sends the rejection (after the init has arrived).</summary>
    public void Reject() => _reject.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _reject.TrySetCanceled();
        try
        {
            await _run.WaitAsync(WebSocketTestSupport.Patience);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or WebSocketException or IOException)
        {
        }
    }

    private async Task RunAsync()
    {
        using var tcp = await _listener.AcceptTcpClientAsync();
        var stream = tcp.GetStream();
        var request = await ReadRequestHeadAsync(stream);
        var key = request.Split("\r\n").Select(l => l.Split(':', 2)).First(p => p.Length == 2 && p[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))[1].Trim();
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for Sec-WebSocket-Accept; it protects nothing
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));

        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var buffer = new byte[64 * 1024];
        var init = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Text, init.MessageType);
        _initReceived.TrySetResult();

        await _reject.Task;
        await socket.SendAsync(Encoding.UTF8.GetBytes(_rejectionJson), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        // Whatever the client sends now (terminate) is ignored; the socket stays open until the client's close.
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                _clientClosed.TrySetResult();
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
        }
    }

    private static async Task<string> ReadRequestHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("The client closed the connection during the handshake.");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }
}
