using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public class AsyncAIWebSocketOptionsTests
{
    private static readonly Uri Url = new("ws://127.0.0.1:1/text_to_speech/websocket/ws");

    public static TheoryData<string, Action<AsyncAIWebSocketOptions>> InvalidOptions => new()
    {
        { "ApiKey", o => o.ApiKey = "" },
        { "ApiKey", o => o.ApiKey = "sk_copied_with_a_line_break\n" },
        { "VoiceId", o => o.VoiceId = " " },
        { "Model", o => o.Model = "" },
        { "Version", o => o.Version = "" },
        { "Url", o => o.Url = new Uri("https://api.async.com/x") },
        { "SampleRate", o => o.SampleRate = 96000 },
        { "Encoding", o => o.Encoding = "mp3" },
        { "Container", o => o.Container = "wav" },
        { "Language", o => o.Language = " " },
        { "KeepAliveInterval", o => o.KeepAliveInterval = TimeSpan.FromSeconds(61) },
        { "PingInterval", o => o.PingInterval = TimeSpan.Zero },
        { "KeepAliveTimeout", o => o.KeepAliveTimeout = TimeSpan.FromSeconds(-1) },
        { "ResponseTimeout", o => o.ResponseTimeout = TimeSpan.Zero },
        { "ConnectTimeout", o => o.ConnectTimeout = Timeout.InfiniteTimeSpan },
        { "CloseTimeout", o => o.CloseTimeout = TimeSpan.Zero },
        { "ContextCompletionTimeout", o => o.ContextCompletionTimeout = TimeSpan.Zero },
        { "Reconnect.MaxAttempts", o => o.Reconnect.MaxAttempts = 0 },
        { "Reconnect.InitialDelay", o => o.Reconnect.InitialDelay = TimeSpan.FromMinutes(5) },
        { "Reconnect.MaxShortLivedConnections", o => o.Reconnect.MaxShortLivedConnections = 0 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOption_ThrowsNamingTheOption(string option, Action<AsyncAIWebSocketOptions> breakIt)
    {
        var options = WebSocketTestSupport.Options(Url);
        breakIt(options);

        var ex = Assert.ThrowsAny<ArgumentException>(() => new AsyncAIWebSocketClient(options));

        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Time spans the runtime's timers and delays refuse (over ~49.7 days): they must fail at construction, not at ConnectAsync or a reconnect.</summary>
    public static TheoryData<string, Action<AsyncAIWebSocketOptions>> TooLongTimeSpans => new()
    {
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.MaxValue },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.FromDays(50) },
        { "CloseTimeout", o => o.CloseTimeout = TimeSpan.MaxValue },
        { "ContextCompletionTimeout", o => o.ContextCompletionTimeout = TimeSpan.MaxValue },
        { "ResponseTimeout", o => o.ResponseTimeout = TimeSpan.MaxValue },
        { "PingInterval", o => o.PingInterval = TimeSpan.MaxValue },
        { "KeepAliveTimeout", o => o.KeepAliveTimeout = TimeSpan.MaxValue },
        { "Reconnect.MaxDelay", o => o.Reconnect.MaxDelay = TimeSpan.MaxValue },
    };

    [Theory]
    [MemberData(nameof(TooLongTimeSpans))]
    public void Constructor_TimeSpanBeyondTheRuntimeLimit_ThrowsNamingTheOption(string option, Action<AsyncAIWebSocketOptions> breakIt)
    {
        var options = WebSocketTestSupport.Options(Url);
        breakIt(options);

        var ex = Assert.ThrowsAny<ArgumentException>(() => new AsyncAIWebSocketClient(options));

        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_ConnectTimeoutBeyondTheRuntimeLimit_RefusedAtConstructionNotAtConnect()
    {
        // Documents the current behaviour the test above rejects: construction succeeds, ConnectAsync throws a name the caller never set.
        var options = WebSocketTestSupport.Options(Url, o => o.ConnectTimeout = TimeSpan.FromDays(50));
        AsyncAIWebSocketClient client;
        try
        {
            client = new AsyncAIWebSocketClient(options);
        }
        catch (ArgumentException ex)
        {
            Assert.Equal("ConnectTimeout", ex.ParamName);
            return;
        }

        await using (client)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.ConnectAsync());
            Assert.Equal("ConnectTimeout", ex.ParamName);
        }
    }

    [Theory]
    [InlineData("ws://127.0.0.1:1/text_to_speech/websocket/ws?api_key=" + WebSocketTestSupport.ApiKey + "&version=v1")]
    [InlineData("ws://user:" + WebSocketTestSupport.ApiKey + "@127.0.0.1:1/text_to_speech/websocket/ws")]
    public void Url_CarryingTheKeyOrUserInfo_NeverShownAndRefusedNamingUrl(string url)
    {
        var options = WebSocketTestSupport.Options(new Uri(url));

        Assert.DoesNotContain(WebSocketTestSupport.ApiKey, options.ToString(), StringComparison.Ordinal);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new AsyncAIWebSocketClient(options));
        Assert.Equal("Url", ex.ParamName);
        Assert.DoesNotContain(WebSocketTestSupport.ApiKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNull()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new AsyncAIWebSocketClient(null!));
        Assert.Equal("options", ex.ParamName);
    }

    [Fact]
    public async Task Constructor_ValidOptions_CopiesThemSoLaterChangesHaveNoEffect()
    {
        var options = WebSocketTestSupport.Options(Url);
        await using var client = new AsyncAIWebSocketClient(options);
        options.ApiKey = "";
        options.SampleRate = 1;

        Assert.Equal(AsyncAIWebSocketState.Disconnected, client.State);
        Assert.Contains("api_key=REDACTED", client.RedactedUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToString_OptionsAndClient_NeverShowTheApiKey()
    {
        var options = WebSocketTestSupport.Options(Url);
        await using var client = new AsyncAIWebSocketClient(options);

        Assert.DoesNotContain(WebSocketTestSupport.ApiKey, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("(redacted)", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WebSocketTestSupport.ApiKey, client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WebSocketTestSupport.ApiKey, client.RedactedUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var options = new AsyncAIWebSocketOptions();

        Assert.Equal("async_flash_v1.0", options.Model);
        Assert.Equal("v1", options.Version);
        Assert.Equal(new Uri("wss://api.async.com/text_to_speech/websocket/ws"), options.Url);
        Assert.Equal(24000, options.SampleRate);
        Assert.Equal("pcm_s16le", options.Encoding);
        Assert.Equal("raw", options.Container);
        Assert.Equal(TimeSpan.FromSeconds(10), options.KeepAliveInterval);
        Assert.True(options.PingInterval + options.KeepAliveTimeout <= TimeSpan.FromSeconds(5), "dead-peer detection must fit in 5 s by default");
        Assert.Equal(TimeSpan.FromSeconds(2), options.CloseTimeout);
    }

    [Fact]
    public void ReconnectPolicy_GetDelay_FirstImmediateThenDoublingUpToTheCap()
    {
        var policy = new AsyncAIReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(3) };

        Assert.Equal(TimeSpan.Zero, policy.GetDelay(0));
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.GetDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), policy.GetDelay(2));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), policy.GetDelay(3));
        Assert.Equal(TimeSpan.FromSeconds(3), policy.GetDelay(4));
        Assert.Equal(TimeSpan.FromSeconds(3), policy.GetDelay(1000));
    }
}
