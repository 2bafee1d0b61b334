using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class AuthTests
{
    private static async Task<(WebSocketException Error, HttpStatusCode? Status)> ConnectExpectingFailureAsync(Uri url)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));
        return (error, socket.HttpStatusCode);
    }

    [Fact]
    public async Task WebSocket_WithoutKey_RefusesHandshakeWith401()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var (_, status) = await ConnectExpectingFailureAsync(RawSocket.Url(emulator, key: null));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(1, emulator.Journal.HandshakesRejected);
        Assert.Equal(0, emulator.Journal.ConnectionsAccepted);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HandshakeRejected && e.Detail == "401").WaitAsync(RawSocket.Timeout);
    }

    [Fact]
    public async Task WebSocket_HandshakeRefusal_CarriesJsonErrorBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var response = await RawHttp.SendAsync(emulator,
            "GET /text_to_speech/websocket/ws?version=v1 HTTP/1.1\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n");

        Assert.Equal(401, response.Status);
        Assert.Equal("application/json", response.Headers["content-type"]);
        var detail = JsonDocument.Parse(response.Body).RootElement.GetProperty("detail");
        Assert.Equal("INVALID_API_KEY", detail.GetProperty("error_code").GetString());
        Assert.Equal("Invalid or expired API key.", detail.GetProperty("message").GetString());
    }

    [Fact]
    public async Task WebSocket_WithConfiguredKeys_AcceptsOnlyThose()
    {
        var options = new EmulatorOptions();
        options.ApiKeys.Add("sk_right");
        await using var emulator = await AsyncAIEmulator.StartAsync(options);

        var (_, status) = await ConnectExpectingFailureAsync(RawSocket.Url(emulator, key: "sk_wrong"));
        using var good = new ClientWebSocket();
        await good.ConnectAsync(RawSocket.Url(emulator, key: "sk_right"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(WebSocketState.Open, good.State);
    }

    [Fact]
    public async Task WebSocket_KeyInHeader_IsAccepted()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("x-api-key", "sk_header");

        await socket.ConnectAsync(emulator.WebSocketUrl, CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task WebSocket_UnknownVersion_RefusesHandshakeWith404()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var (_, status) = await ConnectExpectingFailureAsync(new Uri(emulator.WebSocketUrl + "?api_key=k&version=v0.9"));

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("POST", "/text_to_speech")]
    [InlineData("POST", "/text_to_speech/streaming")]
    [InlineData("POST", "/text_to_speech/with_timestamps")]
    [InlineData("POST", "/voices")]
    [InlineData("POST", "/voices/batch")]
    [InlineData("GET", "/voices/e0f39dc4-f691-4e78-bba5-5c636692cc04")]
    public async Task Http_WrongKey_IsRefusedOnEveryEndpoint(string method, string path)
    {
        var options = new EmulatorOptions();
        options.ApiKeys.Add("sk_right_key_123");
        await using var emulator = await AsyncAIEmulator.StartAsync(options);
        using var client = Http.Client(emulator, key: "sk_wrong_key_456");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Http.Json(Http.Tts());
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("INVALID_API_KEY", detail.GetProperty("error_code").GetString());
        Assert.Equal("sk_wr...", detail.GetProperty("extra").GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task Http_MissingKey_IsRefused()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator, key: null);

        using var response = await client.PostAsync("/voices", Http.Json("{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Status_NeedsNoKey()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emulator.HttpBaseUrl };

        var body = await client.GetStringAsync("/");

        Assert.Equal("""{"status":"ok","version":"v1"}""", body);
    }

    [Fact]
    public async Task Http_UnknownVersion_Returns404VersionNotFound()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emulator.HttpBaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/voices") { Content = Http.Json("{}") };
        request.Headers.Add("x-api-key", "k");
        request.Headers.Add("version", "v0.9");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("VERSION_NOT_FOUND", detail.GetProperty("error_code").GetString());
        Assert.Equal("API version v0.9 not found.", detail.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "v1")]
    public async Task Http_VersionHeader_MayBeMissingOrOldName(string? version, string? apiVersion)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emulator.HttpBaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/voices") { Content = Http.Json("{}") };
        request.Headers.Add("x-api-key", "k");
        if (version is not null)
        {
            request.Headers.Add("version", version);
        }

        if (apiVersion is not null)
        {
            request.Headers.Add("api-version", apiVersion);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
