using System.Net;
using System.Net.WebSockets;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class LimitTests
{
    [Fact]
    public async Task MessageTooLarge_SendsErrorThenCloses1009()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { MaxMessageBytes = 100 });
        await using var ws = await RawSocket.ConnectAsync(emulator, init: false);
        await ws.SendAsync($$"""{"context_id":"c","transcript":"{{new string('a', 10_000)}}"}""");

        var error = await ws.ReceiveAsync();

        Assert.Equal("MESSAGE_TOO_LARGE", error!.Value.GetProperty("error_code").GetString());
        Assert.Equal(100, error.Value.GetProperty("extra").GetProperty("limit").GetInt32());
        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task TooManyContexts_ErrorsForThatContextOnly()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { MaxContextsPerConnection = 2, TimeToFirstAudio = TimeSpan.FromMilliseconds(200) });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"a","transcript":"a "}""");
        await ws.SendAsync("""{"context_id":"b","transcript":"b "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"c "}""");
        await ws.SendAsync("""{"context_id":"a","transcript":""}""");
        await ws.SendAsync("""{"context_id":"b","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("a", "b");

        var error = Assert.Single(result.Errors);
        Assert.Equal("TOO_MANY_CONTEXTS", error.GetProperty("error_code").GetString());
        Assert.Equal("c", error.GetProperty("context_id").GetString());
        Assert.Equal(2, error.GetProperty("extra").GetProperty("limit").GetInt32());
        Assert.Empty(result.AudioOf("c"));
        Assert.NotEmpty(result.AudioOf("a"));

        // once a and b are final, a new context fits again
        await ws.SendAsync("""{"context_id":"c","transcript":"c "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");
        Assert.NotEmpty((await ws.CollectUntilFinalAsync("c")).AudioOf("c"));
    }

    [Fact]
    public async Task TooManyConnections_RefusesHandshakeWith429_ThenRecovers()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { MaxConnections = 1 });
        var first = await RawSocket.ConnectAsync(emulator);
        using var second = new ClientWebSocket();
        second.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(RawSocket.Url(emulator), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.HttpStatusCode);

        await first.DisposeAsync();
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected).WaitAsync(RawSocket.Timeout);
        await using var third = await RawSocket.ConnectAsync(emulator);
        Assert.Equal(WebSocketState.Open, third.Socket.State);
    }

    [Fact]
    public async Task PlainHttpRequestToTheWebSocketPath_IsRejectedAsSuch_EvenWhenEverySlotIsTaken()
    {
        // A request that is not a WebSocket handshake is told what is wrong with it (400) before the connection limit is
        // looked at: it would not take a slot, so "the server is full" (429) would be the wrong answer.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { MaxConnections = 1 });
        await using var first = await RawSocket.ConnectAsync(emulator);
        using var http = new HttpClient();
        var url = new UriBuilder(RawSocket.Url(emulator)) { Scheme = "http" }.Uri;

        using var response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("VALIDATION_ERROR", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyConnections_AllServed()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            await using var ws = await RawSocket.ConnectAsync(emulator);
            await ws.SendAsync($$"""{"context_id":"n{{i}}","transcript":"hello "}""");
            await ws.SendAsync($$"""{"context_id":"n{{i}}","transcript":""}""");
            return (await ws.CollectUntilFinalAsync($"n{i}")).AudioOf($"n{i}").Length;
        }));

        Assert.All(results, length => Assert.Equal(EmulatorAudio.ExpectedByteCount("hello", 24000, "pcm_s16le", 0.05), length));
        Assert.Equal(50, emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task ManyContextsOnOneConnection_AllComplete()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var ids = Enumerable.Range(0, 100).Select(i => $"ctx{i}").ToArray();
        foreach (var id in ids)
        {
            await ws.SendAsync($$"""{"context_id":"{{id}}","transcript":"hi "}""");
            await ws.SendAsync($$"""{"context_id":"{{id}}","close_context":true,"transcript":""}""");
        }

        var result = await ws.CollectUntilFinalAsync(ids);

        Assert.All(ids, id => Assert.Equal(EmulatorAudio.ExpectedByteCount("hi", 24000, "pcm_s16le", 0.05), result.AudioOf(id).Length));
    }
}
