using AsyncAI.TextToSpeech.Cli.Service;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class ServiceTargetTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8765", "ws://127.0.0.1:8765/text_to_speech/websocket/ws", "http://127.0.0.1:8765/")]
    [InlineData("http://127.0.0.1:8765/", "ws://127.0.0.1:8765/text_to_speech/websocket/ws", "http://127.0.0.1:8765/")]
    [InlineData("https://api.async.com", "wss://api.async.com/text_to_speech/websocket/ws", "https://api.async.com/")]
    [InlineData("ws://localhost:9000/text_to_speech/websocket/ws", "ws://localhost:9000/text_to_speech/websocket/ws", "http://localhost:9000/")]
    [InlineData("wss://example.test", "wss://example.test/text_to_speech/websocket/ws", "https://example.test/")]
    [InlineData("http://proxy.test/async", "ws://proxy.test/async/text_to_speech/websocket/ws", "http://proxy.test/async")]
    public void ParseUrl_OneUrl_DerivesBothEndpoints(string url, string expectedWebSocket, string expectedHttp)
    {
        var (webSocket, http) = ServiceTarget.ParseUrl(url);

        Assert.Equal(expectedWebSocket, webSocket.ToString());
        Assert.Equal(expectedHttp, http.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:8765")]
    [InlineData("ftp://example.test")]
    [InlineData("not a url")]
    public void ParseUrl_NotAnHttpOrWebSocketUrl_UsageError(string url)
    {
        var ex = Assert.Throws<CliException>(() => ServiceTarget.ParseUrl(url));

        Assert.Equal(2, ex.ExitCode);
        Assert.Contains("--url", ex.Message, StringComparison.Ordinal);
    }
}
