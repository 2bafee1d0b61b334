using System.Net;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class HttpFailureTests
{
    [Fact]
    public async Task FailNextHttpRequests_500_SendsDocumented500BodyThenRecovers()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.FailNextHttpRequests(2, 500);
        using var client = Http.Client(emulator);

        using var first = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));
        using var second = await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts()));
        using var third = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Oops! Internal server error occurred.", body.GetProperty("message").GetString());
        Assert.Equal("POST", body.GetProperty("method").GetString());
        Assert.Equal("/text_to_speech", body.GetProperty("url").GetString());
        Assert.Equal("Error: Traceback #42", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task FailNextHttpRequests_429WithRetryAfter_SetsHeaderAndExtra()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, retryAfter: TimeSpan.FromMilliseconds(2500));
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("RATE_LIMIT_EXCEEDED", detail.GetProperty("error_code").GetString());
        Assert.Equal(2500, detail.GetProperty("extra").GetProperty("retry_after_ms").GetInt64());
    }

    [Fact]
    public async Task FailNextHttpRequests_CustomCode_IsUsed()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        emulator.Options.Faults.FailNextHttpRequests(1, 429, "USAGE_LIMIT_EXCEEDED");
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/voices", Http.Json("{}"));

        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("USAGE_LIMIT_EXCEEDED", detail.GetProperty("error_code").GetString());
        Assert.Equal("Quota exceeded. Please upgrade your plan or try later.", detail.GetProperty("message").GetString());
    }

    [Fact]
    public async Task PerRequestStatusFault_FailsOnlyThatRequest()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech") { Content = Http.Json(Http.Tts()) };
        request.Headers.Add("x-emulator-fault", "status:503,retry-after:1000");

        using var failed = await client.SendAsync(request);
        using var ok = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task BadFaultSyntax_Returns400NamingTheFault()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech") { Content = Http.Json(Http.Tts()) };
        request.Headers.Add("x-emulator-fault", "explode");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("explode", (await Http.ErrorDetailAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_PerMinute_Returns429WithRetryAfter()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { HttpRequestsPerMinute = 2 });
        using var client = Http.Client(emulator);

        using var a = await client.PostAsync("/voices", Http.Json("{}"));
        using var b = await client.PostAsync("/voices", Http.Json("{}"));
        using var c = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, c.StatusCode);
        var detail = await Http.ErrorDetailAsync(c);
        Assert.Equal("RATE_LIMIT_EXCEEDED", detail.GetProperty("error_code").GetString());
        Assert.Equal(2, detail.GetProperty("extra").GetProperty("limit").GetInt32());
        var retryMs = detail.GetProperty("extra").GetProperty("retry_after_ms").GetInt64();
        Assert.InRange(retryMs, 1, 60_000);
        Assert.InRange(c.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task ConcurrencyLimit_Returns429TooManyConcurrentRequests()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { MaxConcurrentHttpRequests = 1, PacingRate = 1 });
        using var client = Http.Client(emulator);
        using var slowRequest = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech/streaming") { Content = Http.Json(Http.Tts(new string('a', 100))) };
        using var slow = await client.SendAsync(slowRequest, HttpCompletionOption.ResponseHeadersRead); // 5 s of audio, in flight

        using var second = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var detail = await Http.ErrorDetailAsync(second);
        Assert.Equal("TOO_MANY_CONCURRENT_REQUESTS", detail.GetProperty("error_code").GetString());
        Assert.Equal(1, detail.GetProperty("extra").GetProperty("limit").GetInt32());
        Assert.Equal(2, detail.GetProperty("extra").GetProperty("current").GetInt32());
        Assert.Equal(1000, detail.GetProperty("extra").GetProperty("retry_after_ms").GetInt64());
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
    }
}
