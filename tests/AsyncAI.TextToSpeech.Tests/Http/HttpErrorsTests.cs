using System.Net.Http.Headers;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class HttpErrorsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FromStatus_DetailWrappedBody_ReadsCodeMessageAndRetryAfterMs()
    {
        const string body = """{"detail":{"error_code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded. Please try again later.","extra":{"limit":120,"retry_after_ms":8500}}}""";
        var error = HttpErrors.FromStatus(429, "Too Many Requests", body, null, Now, "POST /text_to_speech", "sk_key");

        Assert.Equal(AsyncAIErrorCategory.RateLimited, error.Category);
        Assert.Equal("RATE_LIMIT_EXCEEDED", error.ErrorCode);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(8500), error.RetryAfter);
        Assert.Contains("Rate limit exceeded", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void FromStatus_FlatBody_ReadsCodeAndMessage()
    {
        const string body = """{"error_code":"VOICE_NOT_FOUND","message":"Requested voice with ID x not found.","extra":{"voice_id":"x"}}""";
        var error = HttpErrors.FromStatus(404, null, body, null, Now, "POST /text_to_speech", null);

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal("VOICE_NOT_FOUND", error.ErrorCode);
        Assert.Contains("Requested voice with ID x not found.", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void FromStatus_ServerErrorBody_KeepsMessageAndDetail()
    {
        const string body = """{"message":"Oops! Internal server error occurred.","method":"POST","url":"/v1/tts/stream","detail":"Error: Traceback #42"}""";
        var error = HttpErrors.FromStatus(500, "Internal Server Error", body, null, Now, "POST /text_to_speech/streaming", null);

        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.Null(error.ErrorCode);
        Assert.Contains("Oops! Internal server error occurred.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Traceback #42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStatus_ValidationArray_ListsFieldMessages()
    {
        const string body = """{"detail":[{"loc":["body","output_format","sample_rate"],"msg":"must be at most 48000","type":"value_error"}]}""";
        var error = HttpErrors.FromStatus(422, null, body, null, Now, "POST /text_to_speech", null);

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Contains("body.output_format.sample_rate: must be at most 48000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStatus_UsageLimitOn429_IsQuotaNotRetried()
    {
        const string body = """{"detail":{"error_code":"USAGE_LIMIT_EXCEEDED","message":"Quota exceeded.","extra":{"limit":1000000,"current":1250000}}}""";
        var error = HttpErrors.FromStatus(429, null, body, null, Now, "POST /text_to_speech", null);

        Assert.Equal(AsyncAIErrorCategory.Quota, error.Category);
        Assert.False(error.IsTransient);
    }

    [Theory]
    [InlineData(401, AsyncAIErrorCategory.Authentication)]
    [InlineData(403, AsyncAIErrorCategory.Authentication)]
    [InlineData(400, AsyncAIErrorCategory.InvalidRequest)]
    [InlineData(402, AsyncAIErrorCategory.Quota)]
    [InlineData(503, AsyncAIErrorCategory.Server)]
    [InlineData(418, AsyncAIErrorCategory.Unknown)]
    public void FromStatus_NonJsonBody_CategorizesByStatusAndKeepsText(int status, AsyncAIErrorCategory expected)
    {
        var error = HttpErrors.FromStatus(status, null, "<html>upstream said no</html>", null, Now, "GET /voices/{id}", null);

        Assert.Equal(expected, error.Category);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("upstream said no", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStatus_RetryAfterHeaderDelta_IsUsedWhenBodyHasNone()
    {
        var error = HttpErrors.FromStatus(503, null, null, new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), Now, "POST /voices", null);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
    }

    [Fact]
    public void FromStatus_RetryAfterHeaderDate_IsMeasuredFromNow()
    {
        var error = HttpErrors.FromStatus(429, null, "{}", new RetryConditionHeaderValue(Now.AddSeconds(7)), Now, "POST /voices", null);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public void FromStatus_BodyRetryAfterMs_WinsOverHeader()
    {
        const string body = """{"error_code":"RATE_LIMIT_EXCEEDED","message":"slow down","extra":{"retry_after_ms":250}}""";
        var error = HttpErrors.FromStatus(429, null, body, new RetryConditionHeaderValue(TimeSpan.FromSeconds(9)), Now, "POST /voices", null);
        Assert.Equal(TimeSpan.FromMilliseconds(250), error.RetryAfter);
    }

    [Fact]
    public void FromStatus_KeyEchoedInBody_IsRedacted()
    {
        const string body = """{"detail":{"error_code":"INVALID_API_KEY","message":"Invalid or expired API key sk_live_abc.","extra":{"api_key":"sk_live_abc"}}}""";
        var error = HttpErrors.FromStatus(401, null, body, null, Now, "POST /text_to_speech", "sk_live_abc");

        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Equal("INVALID_API_KEY", error.ErrorCode);
        Assert.DoesNotContain("sk_live_abc", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_abc", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromStatus_KeyEchoedWhereTheMessageIsTruncated_NoPartOfTheKeyShows()
    {
        const string key = "sk_live_0123456789abcdef";
        var message = new string('x', 483) + " key " + key + " rejected";
        var body = "{\"error_code\":\"INVALID_API_KEY\",\"message\":\"" + message + "\"}";
        var error = HttpErrors.FromStatus(401, null, body, null, Now, "POST /text_to_speech", key);

        Assert.DoesNotContain(key[..12], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStatus_KeyEchoedAsErrorCodeOrReason_AppearsNowhere()
    {
        // Every string the server sends is untrusted: the code and the reason phrase are redacted like the message.
        const string key = "sk_live_code_echo";
        const string body = """{"error_code":"sk_live_code_echo","message":"no"}""";
        var error = HttpErrors.FromStatus(401, "Bad sk_live_code_echo", body, null, Now, "POST /text_to_speech", key);

        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.ErrorCode ?? string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
    }
}
