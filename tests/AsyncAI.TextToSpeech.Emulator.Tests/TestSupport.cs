using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

/// <summary>A raw ClientWebSocket wrapper: send JSON, receive parsed messages.</summary>
internal sealed class RawSocket : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly byte[] _buffer = new byte[1 << 20];

    private RawSocket(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static Uri Url(AsyncAIEmulator emulator, string? key = "sk_test", string? extraQuery = null)
    {
        var query = new StringBuilder("?version=v1");
        if (key is not null)
        {
            query.Append("&api_key=").Append(Uri.EscapeDataString(key));
        }

        if (extraQuery is not null)
        {
            query.Append('&').Append(extraQuery);
        }

        return new Uri(emulator.WebSocketUrl + query.ToString());
    }

    public static async Task<RawSocket> ConnectAsync(AsyncAIEmulator emulator, string? extraQuery = null, bool init = true, string encoding = "pcm_s16le", int sampleRate = 24000)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(Url(emulator, extraQuery: extraQuery), cts.Token);
        var raw = new RawSocket(socket);
        if (init)
        {
            await raw.SendAsync(Init(encoding, sampleRate));
        }

        return raw;
    }

    public static string Init(string encoding = "pcm_s16le", int sampleRate = 24000, string container = "raw", string voice = VoiceCatalogue.DefaultVoiceId) =>
        $$"""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"{{voice}}"},"output_format":{"container":"{{container}}","encoding":"{{encoding}}","sample_rate":{{sampleRate}}},"language":null}""";

    public async Task SendAsync(string json)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cts.Token);
    }

    /// <summary>Receives one text message (raw string), or null when the server closed.</summary>
    public async Task<string?> ReceiveRawAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(_buffer.AsMemory(count), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(_buffer, 0, count);
    }

    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        var raw = await ReceiveRawAsync(timeout);
        return raw is null ? null : JsonDocument.Parse(raw).RootElement.Clone();
    }

    /// <summary>Collects audio per context until every listed context sent final (or the socket closed).</summary>
    public async Task<Collected> CollectUntilFinalAsync(params string[] contextIds)
    {
        var collected = new Collected();
        var waiting = new HashSet<string>(contextIds);
        while (waiting.Count > 0)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException("closed before final");
            collected.Messages.Add(message);
            if (message.TryGetProperty("error_code", out _))
            {
                collected.Errors.Add(message);
                continue;
            }

            var id = message.TryGetProperty("context_id", out var c) ? c.GetString()! : "";
            if (message.GetProperty("final").GetBoolean())
            {
                collected.Finals.Add(id);
                waiting.Remove(id);
                continue;
            }

            collected.Order.Add(id);
            var audio = Convert.FromBase64String(message.GetProperty("audio").GetString()!);
            collected.ChunkSizes.Add(audio.Length);
            if (!collected.Audio.TryGetValue(id, out var stream))
            {
                collected.Audio[id] = stream = new MemoryStream();
            }

            stream.Write(audio);
        }

        return collected;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        Socket.Dispose();
    }

    internal sealed class Collected
    {
        public List<JsonElement> Messages { get; } = [];
        public List<JsonElement> Errors { get; } = [];
        public List<string> Finals { get; } = [];
        public List<string> Order { get; } = [];
        public List<int> ChunkSizes { get; } = [];
        public Dictionary<string, MemoryStream> Audio { get; } = [];

        public byte[] AudioOf(string id) => Audio.TryGetValue(id, out var s) ? s.ToArray() : [];
    }
}

internal static class Http
{
    public static HttpClient Client(AsyncAIEmulator emulator, string? key = "sk_test")
    {
        var client = new HttpClient { BaseAddress = emulator.HttpBaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        client.DefaultRequestHeaders.Add("version", "v1");
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A TTS body; <paramref name="bitRate"/> is the raw JSON of <c>output_format.bit_rate</c> (omitted when null).</summary>
    public static string Tts(string transcript = "Hello there", string container = "raw", string encoding = "pcm_s16le", int sampleRate = 24000,
        string model = "async_flash_v1.0", string voice = VoiceCatalogue.DefaultVoiceId, string language = "null", string? bitRate = null) =>
        $$"""{"model_id":"{{model}}","transcript":{{JsonSerializer.Serialize(transcript)}},"voice":{"mode":"id","id":"{{voice}}"},"output_format":{"container":"{{container}}","encoding":"{{encoding}}","sample_rate":{{sampleRate}}{{(bitRate is null ? "" : ",\"bit_rate\":" + bitRate)}}},"language":{{language}}}""";

    public static async Task<JsonElement> ErrorDetailAsync(HttpResponseMessage response)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("detail").Clone();
    }
}

/// <summary>A bare HTTP/1.1 exchange over TCP, to see exactly what the server wrote (status, headers, chunk sizes).</summary>
internal static class RawHttp
{
    public sealed record Response(int Status, Dictionary<string, string> Headers, byte[] Body, List<int> ChunkSizes);

    public static async Task<Response> SendAsync(AsyncAIEmulator emulator, string requestHead, string? body = null)
    {
        using var client = new System.Net.Sockets.TcpClient();
        using var cts = new CancellationTokenSource(RawSocket.Timeout);
        await client.ConnectAsync(emulator.HttpBaseUrl.Host, emulator.HttpBaseUrl.Port, cts.Token);
        var stream = client.GetStream();
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = requestHead.Replace("\n", "\r\n", StringComparison.Ordinal) + $"Host: {emulator.HttpBaseUrl.Authority}\r\nConnection: close\r\n" +
                   (body is null ? "" : $"Content-Type: application/json\r\nContent-Length: {bodyBytes.Length}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cts.Token);
        await stream.WriteAsync(bodyBytes, cts.Token);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, cts.Token);
        var bytes = all.ToArray();
        var headerEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var lines = Encoding.ASCII.GetString(bytes, 0, headerEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var rest = bytes.AsSpan(headerEnd + 4);
        var chunkSizes = new List<int>();
        byte[] payload;
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var decoded = new MemoryStream();
            while (true)
            {
                var lineEnd = rest.IndexOf("\r\n"u8);
                var size = Convert.ToInt32(Encoding.ASCII.GetString(rest[..lineEnd]).Split(';')[0], 16);
                rest = rest[(lineEnd + 2)..];
                if (size == 0)
                {
                    break;
                }

                chunkSizes.Add(size);
                decoded.Write(rest[..size]);
                rest = rest[(size + 2)..];
            }

            payload = decoded.ToArray();
        }
        else
        {
            payload = rest.ToArray();
        }

        return new Response(status, headers, payload, chunkSizes);
    }
}
