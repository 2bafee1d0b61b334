using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class FaultTests
{
    private const string Text = "Some words to speak. ";

    private static int Expected(string text = Text) => EmulatorAudio.ExpectedByteCount(text, 24000, "pcm_s16le", 0.05);

    private static async Task SpeakAsync(RawSocket ws, string context = "c", string text = Text)
    {
        await ws.SendAsync($$"""{"context_id":"{{context}}","transcript":"{{text}}"}""");
        await ws.SendAsync($$"""{"context_id":"{{context}}","transcript":""}""");
    }

    [Fact]
    public async Task BlackHole_SendsNothingButKeepsTheSocketOpen()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=black-hole");
        await SpeakAsync(ws);

        // Cancelling the client's receive aborts the client's socket (which the server then journals), so the server's
        // side is checked while that receive is still pending, well past the 200 ms idle timeout.
        var receive = ws.ReceiveRawAsync(TimeSpan.FromMilliseconds(1500));
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text, RawSocket.Timeout); // still reading
        await Task.Delay(600); // nothing to await: the point is that nothing happens
        Assert.False(receive.IsCompleted);
        Assert.Equal(0, emulator.Journal.AudioBytesSent("c"));
        Assert.DoesNotContain(emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Disconnected);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BlackHole_SwallowsPongs_SoAClientsPingTimeoutFires(bool blackHole)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        // The PONG deadline is a real-time race: 1 s leaves a loaded machine time to answer, and is still far below
        // the black-hole row's patience.
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        using (var connecting = new CancellationTokenSource(RawSocket.Timeout))
        {
            await socket.ConnectAsync(RawSocket.Url(emulator, extraQuery: blackHole ? "emulator_fault=black-hole" : null), connecting.Token);
        }

        // Nothing else comes (no text was sent), so the receive ends only by the PING/PONG deadline or by this token.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(blackHole ? 10 : 3));
        var ended = await Record.ExceptionAsync(() => socket.ReceiveAsync(new ArraySegment<byte>(new byte[1024]), patience.Token));

        Assert.NotNull(ended);
        if (blackHole)
        {
            // No PONG came: the runtime aborted the socket at its deadline, long before the token.
            Assert.False(patience.IsCancellationRequested, $"the receive ended only by the token: {ended}");
            Assert.Equal(WebSocketState.Aborted, socket.State);
        }
        else
        {
            Assert.True(patience.IsCancellationRequested, $"the socket died although PONGs were answered: {ended}"); // kept alive until the token
        }
    }

    [Fact]
    public async Task BlackHole_ServerWide_CanBeSwitchedOffAtRuntime()
    {
        var options = new EmulatorOptions();
        options.Faults.BlackHole = true;
        await using var emulator = await AsyncAIEmulator.StartAsync(options);
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await SpeakAsync(ws);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.EndOfInput).WaitAsync(RawSocket.Timeout);

        emulator.Options.Faults.BlackHole = false;
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(Expected(), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task CloseMidContext_AbortsAfterFirstChunk()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=close-mid-context");
        await SpeakAsync(ws);

        var first = await ws.ReceiveAsync();
        Assert.False(first!.Value.GetProperty("final").GetBoolean());

        await Assert.ThrowsAsync<WebSocketException>(async () => await ws.ReceiveRawAsync());
        Assert.True(emulator.Journal.AudioBytesSent("c") < Expected());
    }

    [Fact]
    public async Task CloseAfterIdle_ClosesWithoutTimeoutError()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        // Started before the connect: the server's idle timer starts once it has accepted the socket, which on a loaded
        // machine can be long before ConnectAsync returns here.
        var stopwatch = Stopwatch.StartNew();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=close-after-idle:200");

        Assert.Null(await ws.ReceiveRawAsync());
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(150));
        Assert.DoesNotContain(emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.ErrorSent);
    }

    [Fact]
    public async Task RejectHandshake_RefusesWithThatStatus()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RawSocket.Url(emulator, extraQuery: "emulator_fault=reject-handshake:503"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.Equal(1, emulator.Journal.HandshakesRejected);
    }

    [Fact]
    public async Task RejectHandshake_ServerWide()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.RejectHandshakeStatus = 500;
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RawSocket.Url(emulator), CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, socket.HttpStatusCode);
    }

    [Fact]
    public async Task MalformedJson_BreaksOneMessageThenNormal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=malformed-json");
        await SpeakAsync(ws);

        var broken = await ws.ReceiveRawAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(broken!));
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(Expected() - 960, result.AudioOf("c").Length);
        Assert.Equal(Expected() - 960, emulator.Journal.AudioBytesSent("c"));
    }

    [Fact]
    public async Task InvalidBase64_BreaksOneMessageThenNormal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=invalid-base64");
        await SpeakAsync(ws);

        var broken = await ws.ReceiveAsync();
        Assert.Throws<FormatException>(() => Convert.FromBase64String(broken!.Value.GetProperty("audio").GetString()!));
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(Expected() - 960, result.AudioOf("c").Length);
    }

    [Fact]
    public async Task OddLengthChunk_SplitsASampleButKeepsTheStreamWhole()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        byte[] normal;
        await using (var plain = await RawSocket.ConnectAsync(emulator))
        {
            await SpeakAsync(plain);
            normal = (await plain.CollectUntilFinalAsync("c")).AudioOf("c");
        }

        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=odd-length-chunk");
        await SpeakAsync(ws);
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(959, result.ChunkSizes[0]);
        Assert.Equal(961, result.ChunkSizes[1]);
        Assert.All(result.ChunkSizes.Skip(2), size => Assert.Equal(0, size % 2));
        Assert.Equal(normal, result.AudioOf("c"));
    }

    [Fact]
    public async Task OddLengthChunk_OnLastChunk_SendsTheCarryBeforeFinal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ChunkDuration = TimeSpan.FromSeconds(1) });
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=odd-length-chunk");
        await SpeakAsync(ws, text: "ab "); // 0.1 s: one chunk

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal([Expected("ab") - 1, 1], result.ChunkSizes);
        Assert.Equal(Expected("ab"), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task OddLengthChunk_ServerWideSwitchSetAtRuntime_AppliesToNewConnections()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.OddLengthChunk = true;
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await SpeakAsync(ws);

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(1, result.ChunkSizes[0] % 2);
    }

    [Theory]
    [InlineData("pcm_s16le", 2, 22050)]
    [InlineData("pcm_s16le", 2, 11025)]
    [InlineData("pcm_f32le", 4, 22050)]
    [InlineData("pcm_f32le", 4, 8000)]
    public async Task OddLengthChunk_AtAnyRate_EndsTheFirstChunkMidSample(string encoding, int bytesPerSample, int sampleRate)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        byte[] normal;
        await using (var plain = await RawSocket.ConnectAsync(emulator, encoding: encoding, sampleRate: sampleRate))
        {
            await SpeakAsync(plain);
            normal = (await plain.CollectUntilFinalAsync("c")).AudioOf("c");
        }

        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=odd-length-chunk", encoding: encoding, sampleRate: sampleRate);
        await SpeakAsync(ws);
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.NotEqual(0, result.ChunkSizes[0] % bytesPerSample);
        Assert.Equal(normal, result.AudioOf("c"));
    }

    [Theory]
    [InlineData(22050)] // 441-byte chunks: the old "make an even chunk odd" rule never found one to cut
    [InlineData(44100)] // 882-byte chunks: it cut one, which split no sample
    public async Task OddLengthChunk_PerConnectionWithMulaw_InitRefused(int sampleRate)
    {
        // μ-law samples are one byte: no chunk can end mid-sample, so the fault cannot do what it says.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=odd-length-chunk", encoding: "pcm_mulaw", sampleRate: sampleRate);

        var error = await ws.ReceiveAsync();

        Assert.Equal("VALIDATION_ERROR", error!.Value.GetProperty("error_code").GetString());
        Assert.Contains("odd-length-chunk", error.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("output_format.encoding", error.Value.GetProperty("extra").GetProperty("field").GetString());
        Assert.Null(await ws.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.Socket.CloseStatus);
    }

    [Theory]
    [InlineData(22050)]
    [InlineData(44100)]
    public async Task OddLengthChunk_ServerWideSwitchWithMulaw_ChunksUnchanged(int sampleRate)
    {
        // The server-wide switch covers connections of every format, so a μ-law connection is not refused: the
        // fault does not apply to it, at any rate.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.OddLengthChunk = true;
        await using var ws = await RawSocket.ConnectAsync(emulator, encoding: "pcm_mulaw", sampleRate: sampleRate);
        await SpeakAsync(ws);

        var result = await ws.CollectUntilFinalAsync("c");

        var chunk = (int)Math.Round(0.02 * sampleRate);
        Assert.All(result.ChunkSizes.SkipLast(1), size => Assert.Equal(chunk, size));
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, sampleRate, "pcm_mulaw", 0.05), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task Delay_DelaysEachAudioMessage()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=delay:50");
        var stopwatch = Stopwatch.StartNew();
        await SpeakAsync(ws, text: "abcd "); // 10 chunks

        await ws.CollectUntilFinalAsync("c");

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(450), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task WithholdFinal_PerConnection()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=withhold-final");
        await SpeakAsync(ws, text: "a ");
        await ws.ReceiveAsync();
        await ws.ReceiveAsync();
        await ws.ReceiveAsync(); // 0.05 s = 2400 bytes = 960 + 960 + 480

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.ReceiveRawAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task UnknownFault_RefusesHandshakeWith400()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RawSocket.Url(emulator, extraQuery: "emulator_fault=nonsense"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    [Fact]
    public async Task QuotaAfter_WritesMarkerInto200Stream()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech/streaming") { Content = Http.Json(Http.Tts(Text)) };
        request.Headers.Add("x-emulator-fault", "quota-after:1000");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000 + 24, body.Length);
        Assert.Equal("--ERROR:QUOTA_EXCEEDED--", Encoding.ASCII.GetString(body, 1000, 24));
    }

    [Fact]
    public async Task QuotaAfter_ServerWide()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.QuotaExceededAfterBytes = 0;
        using var client = Http.Client(emulator);

        var body = await (await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts(Text)))).Content.ReadAsStringAsync();

        Assert.Equal("--ERROR:QUOTA_EXCEEDED--", body);
    }

    [Fact]
    public async Task HttpChunk_WritesExactSizes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var expected = Expected("abc");

        var response = await RawHttp.SendAsync(emulator, "POST /text_to_speech/streaming HTTP/1.1\nx-api-key: k\nx-emulator-fault: http-chunk:7\n", Http.Tts("abc"));

        Assert.Equal(expected, response.Body.Length);
        Assert.All(response.ChunkSizes.SkipLast(1), size => Assert.Equal(7, size));
        Assert.Equal(expected % 7 == 0 ? 7 : expected % 7, response.ChunkSizes[^1]);
    }

    [Theory]
    [InlineData(2000, 13)] // the quota falls inside the third audio chunk, 89 bytes after the last whole 13-byte write
    [InlineData(0, 7)] // the marker alone
    public async Task HttpChunk_WithQuota_EveryWriteIsTheChunkSizeMarkerIncluded(int quota, int chunk)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        var audio = await (await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(Text)))).Content.ReadAsByteArrayAsync();

        var response = await RawHttp.SendAsync(emulator,
            $"POST /text_to_speech/streaming HTTP/1.1\nx-api-key: k\nx-emulator-fault: quota-after:{quota},http-chunk:{chunk}\n", Http.Tts(Text));

        Assert.Equal([.. audio[..quota], .. "--ERROR:QUOTA_EXCEEDED--"u8], response.Body);
        Assert.All(response.ChunkSizes.SkipLast(1), size => Assert.Equal(chunk, size));
        Assert.Equal((quota + 24) % chunk == 0 ? chunk : (quota + 24) % chunk, response.ChunkSizes[^1]);
    }

    [Fact]
    public async Task HttpDelay_DelaysTheResponse()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.ExtraDelay = TimeSpan.FromMilliseconds(300);
        using var client = Http.Client(emulator);
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(250), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void FaultSwitches_RejectInvalidValues()
    {
        var faults = new EmulatorFaults();

        Assert.Equal("RejectHandshakeStatus", Assert.Throws<ArgumentOutOfRangeException>(() => faults.RejectHandshakeStatus = 200).ParamName);
        Assert.Equal("ExtraDelay", Assert.Throws<ArgumentOutOfRangeException>(() => faults.ExtraDelay = TimeSpan.FromSeconds(-1)).ParamName);
        Assert.Equal("CloseAfterIdle", Assert.Throws<ArgumentOutOfRangeException>(() => faults.CloseAfterIdle = TimeSpan.Zero).ParamName);
        Assert.Equal("statusCode", Assert.Throws<ArgumentOutOfRangeException>(() => faults.FailNextHttpRequests(1, 200)).ParamName);
    }

    [Fact]
    public async Task CloseAfterIdle_SwitchedOnWhileAConnectionIsIdle_AppliesToThatConnection()
    {
        // EmulatorFaults: "Thread-safe and live". The idle writer sleeps until its IdleTimeout (60 s) deadline and
        // never looks at the new switch before then.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init, RawSocket.Timeout);

        emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(200);

        Assert.Null(await ws.ReceiveAsync(RawSocket.Timeout)); // closed by the fault, well within 10 s
        Assert.Equal("Idle", ws.Socket.CloseStatusDescription);
    }

    [Fact]
    public async Task DelayFault_DoesNotHoldAConnectionLongAfterTheClientLeft()
    {
        // The writer sat in Task.Delay(delay, stopping): after the client's close the handler waited 5 s, aborted, and
        // then still awaited the writer for the rest of the delay, keeping the connection's slot (MaxConnections).
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=delay:60000");
        await ws.SendAsync("""{"context_id":"c","transcript":"Hi "}""");
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text, RawSocket.Timeout);

        using (var cts = new CancellationTokenSource(RawSocket.Timeout))
        {
            await ws.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }

        // Bounded by the 5 s close-handshake timeout, not by the 60 s delay.
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, TimeSpan.FromSeconds(15));
    }
}
