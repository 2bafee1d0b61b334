using System.Text;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>A 2xx body that is JSON but not the documented shape is one Protocol error, never a runtime exception.</summary>
public class AsyncAIHttpClientMalformedBodyTests
{
    private const string Words = """{"words":["a"],"word_start_times_milliseconds":[0],"word_end_times_milliseconds":[10]}""";

    [Theory]
    [InlineData("""{"audio_base64":"AAAA","alignment":null}""")]
    [InlineData("""{"audio_base64":null,"alignment":""" + Words + "}")]
    [InlineData("""{"audio_base64":"AAAA","alignment":{"words":null,"word_start_times_milliseconds":[],"word_end_times_milliseconds":[]}}""")]
    [InlineData("""{"audio_base64":"AAAA","alignment":{"words":["a"],"word_start_times_milliseconds":null,"word_end_times_milliseconds":[10]}}""")]
    [InlineData("""{"audio_base64":"AAAA","alignment":{"words":[null],"word_start_times_milliseconds":[0],"word_end_times_milliseconds":[10]}}""")]
    [InlineData("""{"audio_base64":"AAAA","alignment":{"words":["a"],"word_start_times_milliseconds":[1e300],"word_end_times_milliseconds":[10]}}""")]
    public async Task SynthesizeWithTimestampsAsync_BodyNotTheDocumentedShape_ThrowsProtocol(string body)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient(handler: new ReplaceSuccessBodyHandler(body));
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeWithTimestampsAsync("a", cancellationToken: cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Protocol, error.Category);
    }

    [Theory]
    [InlineData("""{"voices":null,"next_cursor":null}""")]
    [InlineData("""{"voices":[null],"next_cursor":null}""")]
    public async Task ListVoicesAsync_BodyNotTheDocumentedShape_ThrowsProtocol(string body)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient(handler: new ReplaceSuccessBodyHandler(body));
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var _ in client.ListVoicesAsync(cancellationToken: cts.Token))
            {
            }
        });

        Assert.Equal(AsyncAIErrorCategory.Protocol, error.Category);
    }

    /// <summary>Replaces the body of every 2xx response from the emulator with <c>body</c>.</summary>
    private sealed class ReplaceSuccessBodyHandler(string body) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                response.Content.Dispose();
                response.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            return response;
        }
    }
}
