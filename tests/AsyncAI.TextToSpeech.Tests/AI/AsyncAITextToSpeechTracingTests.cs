#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Diagnostics;
using AsyncAI.TextToSpeech.Tests.Http;
using AsyncAI.TextToSpeech.Tests.Tracing;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.Tests.AI;

/// <summary>Through the adapter and MEAI's OpenTelemetry middleware, the library's span nests under the middleware's.</summary>
public class AsyncAITextToSpeechTracingTests
{
    private const string MeaiSource = "AsyncAI.Tests.Meai.Tracing";

    [Fact]
    public async Task GetStreamingAudioAsync_WithUseOpenTelemetry_OurSpanIsTheChildOfGenerateContent_AndParentOfThePost()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        var port = fixture.Emulator.HttpBaseUrl.Port;
        using var spans = new SpanCollector(Diagnostics.AsyncAITelemetry.Name, MeaiSource, SpanCollector.HttpClientSourceName);
        using var client = fixture.Client.AsBuilder().UseOpenTelemetry(sourceName: MeaiSource).Build();
        using var cts = HttpTestKit.TimeoutSource();

        await foreach (var update in client.GetStreamingAudioAsync("Nested spans, one inside the other.", cancellationToken: cts.Token))
        {
        }

        var ours = Assert.Single(spans.StoppedOn(port));
        var meai = Assert.Single(spans.Stopped(a => a.Source.Name == MeaiSource && a.SpanId == ours.ParentSpanId));
        Assert.StartsWith("generate_content", meai.DisplayName, StringComparison.Ordinal);
        Assert.Equal("text_to_speech async_flash_v1.0", ours.DisplayName);
        Assert.Equal(meai.GetTagItem("gen_ai.provider.name"), ours.GetTagItem("gen_ai.provider.name"));
        Assert.Single(spans.HttpChildrenOf(ours));
    }
}
