using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpOptionsTests
{
    [Theory]
    [InlineData(7999)]
    [InlineData(48001)]
    [InlineData(0)]
    public void SampleRate_OutOfRange_ThrowsNamingTheOption(int sampleRate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIHttpOptions("sk_test") { SampleRate = sampleRate });
        Assert.Equal(nameof(AsyncAIHttpOptions.SampleRate), error.ParamName);
        Assert.Contains("8000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.69)]
    [InlineData(2.01)]
    [InlineData(double.NaN)]
    public void SpeedControl_OutOfRange_ThrowsNamingTheOption(double speed)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIHttpOptions("sk_test") { SpeedControl = speed });
        Assert.Equal(nameof(AsyncAIHttpOptions.SpeedControl), error.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Stability_OutOfRange_ThrowsNamingTheOption(int stability)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIHttpOptions("sk_test") { Stability = stability });
        Assert.Equal(nameof(AsyncAIHttpOptions.Stability), error.ParamName);
    }

    [Theory]
    [InlineData(31999)]
    [InlineData(320001)]
    [InlineData(0)]
    [InlineData(-128000)]
    [InlineData(128)] // kbit/s instead of bit/s
    public void BitRate_OutOfRange_ThrowsNamingTheOption(int bitRate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIHttpOptions("sk_test") { BitRate = bitRate });
        var requestError = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIHttpRequestOptions { BitRate = bitRate });

        Assert.Equal(nameof(AsyncAIHttpOptions.BitRate), error.ParamName);
        Assert.Equal(nameof(AsyncAIHttpRequestOptions.BitRate), requestError.ParamName);
        Assert.Equal(bitRate, error.ActualValue);
        Assert.StartsWith("BitRate must be null or between 32000 and 320000 bit/s", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, requestError.Message);
    }

    [Theory]
    [InlineData(32000)]
    [InlineData(320000)]
    [InlineData(128000)]
    [InlineData(null)]
    public void BitRate_InRangeOrNull_Kept(int? bitRate)
    {
        var options = new AsyncAIHttpOptions("sk_test") { BitRate = 64000 };
        options.BitRate = bitRate;
        var request = new AsyncAIHttpRequestOptions { BitRate = 64000 };
        request.BitRate = bitRate;

        Assert.Equal(bitRate, options.BitRate);
        Assert.Equal(bitRate, request.BitRate);
        Assert.Equal(bitRate, options.Clone().BitRate);
    }

    [Fact]
    public void BitRate_DefaultsToNull_TheServiceDefault()
    {
        Assert.Null(new AsyncAIHttpOptions("sk_test").BitRate);
        Assert.Null(new AsyncAIHttpRequestOptions().BitRate);
    }

    [Fact]
    public void ToString_ShowsTheBitRateOrDefault()
    {
        Assert.Contains("BitRate = (default)", new AsyncAIHttpOptions("sk_test").ToString(), StringComparison.Ordinal);
        Assert.Contains("BitRate = 128000", new AsyncAIHttpOptions("sk_test") { BitRate = 128000 }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Setters_InvalidValues_ThrowNamingEachOption()
    {
        var options = new AsyncAIHttpOptions("sk_test");
        Assert.Equal("Encoding", Assert.Throws<ArgumentOutOfRangeException>(() => options.Encoding = "pcm_alaw").ParamName);
        Assert.Equal("Container", Assert.Throws<ArgumentOutOfRangeException>(() => options.Container = "ogg").ParamName);
        Assert.Equal("ApiKey", Assert.Throws<ArgumentException>(() => options.ApiKey = " ").ParamName);
        Assert.Equal("VoiceId", Assert.Throws<ArgumentException>(() => options.VoiceId = "").ParamName);
        Assert.Equal("Model", Assert.Throws<ArgumentException>(() => options.Model = "").ParamName);
        Assert.Equal("Version", Assert.Throws<ArgumentException>(() => options.Version = "").ParamName);
        Assert.Equal("Language", Assert.Throws<ArgumentException>(() => options.Language = "").ParamName);
        Assert.Equal("BaseUrl", Assert.Throws<ArgumentException>(() => options.BaseUrl = new Uri("ftp://api.async.com")).ParamName);
        Assert.Equal("MaxRetries", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxRetries = 11).ParamName);
        Assert.Equal("RetryBaseDelay", Assert.Throws<ArgumentOutOfRangeException>(() => options.RetryBaseDelay = TimeSpan.Zero).ParamName);
        Assert.Equal("MaxRetryDelay", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxRetryDelay = TimeSpan.FromHours(1)).ParamName);
        Assert.Equal("StreamIdleTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => options.StreamIdleTimeout = TimeSpan.Zero).ParamName);
        Assert.Equal("StreamIdleTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => options.StreamIdleTimeout = TimeSpan.FromHours(2)).ParamName);
        options.StreamIdleTimeout = Timeout.InfiniteTimeSpan; // waits for ever
        Assert.Equal(Timeout.InfiniteTimeSpan, options.StreamIdleTimeout);
    }

    [Fact]
    public void RequestOptions_InvalidValues_ThrowNamingEachOption()
    {
        var options = new AsyncAIHttpRequestOptions();
        Assert.Equal("SampleRate", Assert.Throws<ArgumentOutOfRangeException>(() => options.SampleRate = 100).ParamName);
        Assert.Equal("Encoding", Assert.Throws<ArgumentOutOfRangeException>(() => options.Encoding = "x").ParamName);
        Assert.Equal("SpeedControl", Assert.Throws<ArgumentOutOfRangeException>(() => options.SpeedControl = 3).ParamName);
        Assert.Equal("PageSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncAIVoiceFilter { PageSize = 101 }).ParamName);
    }

    [Fact]
    public void Defaults_MatchTheDocumentedService()
    {
        var options = new AsyncAIHttpOptions("sk_test");
        Assert.Equal("async_flash_v1.0", options.Model);
        Assert.Equal("v1", options.Version);
        Assert.Equal(new Uri("https://api.async.com"), options.BaseUrl);
        Assert.Equal(24000, options.SampleRate);
        Assert.Equal("pcm_s16le", options.Encoding);
        Assert.Equal("raw", options.Container);
        Assert.Null(options.Language);
    }

    [Theory]
    [InlineData("de-DE", "de")]
    [InlineData("en_US", "en")]
    [InlineData("FR", "fr")]
    [InlineData("klingon", "klingon")]
    public void Language_LocaleTag_IsReducedToTheAsyncBaseCode(string given, string expected)
    {
        Assert.Equal(expected, new AsyncAIHttpOptions("sk_test") { Language = given }.Language);
        Assert.Equal(expected, new AsyncAIHttpRequestOptions { Language = given }.Language);
    }

    [Fact]
    public void ApiKey_WithLineBreak_ThrowsWithoutEchoingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() => new AsyncAIHttpOptions("sk_secret\n"));
        Assert.Equal("ApiKey", error.ParamName);
        Assert.DoesNotContain("sk_secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        var options = new AsyncAIHttpOptions("sk_secret_123") { Language = "de" };
        var text = options.ToString();
        Assert.DoesNotContain("sk_secret_123", text, StringComparison.Ordinal);
        Assert.Contains("ApiKey = ***", text, StringComparison.Ordinal);
        Assert.Contains("Language = de", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WithoutApiKey_ThrowsNamingApiKey()
    {
        using var http = new HttpClient();
        var error = Assert.Throws<ArgumentException>(() => new AsyncAIHttpClient(http, new AsyncAIHttpOptions()));
        Assert.Equal("ApiKey", error.ParamName);
    }

    [Fact]
    public void Constructor_CopiesOptions_LaterChangesDoNotApply()
    {
        using var http = new HttpClient();
        var options = new AsyncAIHttpOptions("sk_test") { VoiceId = "voice-a" };
        var client = new AsyncAIHttpClient(http, options);
        options.VoiceId = "voice-b";
        Assert.Equal("voice-a", client.Options.VoiceId);
    }

    [Fact]
    public void StreamAsync_WavContainer_ThrowsBeforeSending()
    {
        using var http = new HttpClient();
        var client = new AsyncAIHttpClient(http, new AsyncAIHttpOptions("sk_test"));
        var error = Assert.Throws<ArgumentException>(() => client.StreamAsync("hello", new AsyncAIHttpRequestOptions { Container = "wav" }));
        Assert.Contains("wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BaseUrl_WithUserInfo_ThrowsNamingTheOptionWithoutEchoingIt()
    {
        var options = new AsyncAIHttpOptions("sk_test");
        var error = Assert.Throws<ArgumentException>(() => options.BaseUrl = new Uri("https://user:s3cret-pass@api.async.com"));
        Assert.Equal("BaseUrl", error.ParamName);
        Assert.DoesNotContain("s3cret-pass", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pass", options.ToString(), StringComparison.Ordinal);
    }
}
