using System.Diagnostics;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Tests.Http;
using AsyncAI.TextToSpeech.WebSockets;
using static AsyncAI.TextToSpeech.Tests.WebSockets.WebSocketTestSupport;

namespace AsyncAI.TextToSpeech.Tests.Tracing;

/// <summary>Not run in parallel with anything: the test needs the library's source to have no listener at all.</summary>
[CollectionDefinition(nameof(NoListenerTests), DisableParallelization = true)]
public sealed class NoListenerTests;

/// <summary>
/// With nobody listening to <see cref="AsyncAITelemetry.ActivitySource"/> the library starts no span: contexts carry
/// none, HttpClient's spans hang straight under the caller's, and the caller's current span never changes.
/// </summary>
[Collection(nameof(NoListenerTests))]
public sealed class TracingWithoutListenerTests
{
    private const string Text = "Nobody listens, so nothing is traced.";

    [Fact]
    public async Task NoListener_NoSpanIsStarted_AndTheCallersSpansAreUntouched()
    {
        Assert.False(AsyncAITelemetry.ActivitySource.HasListeners(), "another test left a listener on the library's source");
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var spans = new SpanCollector(SpanCollector.AmbientSourceName, SpanCollector.HttpClientSourceName);
        using var caller = SpanCollector.Ambient.StartActivity("caller")!;

        await using (var client = new AsyncAIWebSocketClient(Options(emulator.WebSocketUrl)))
        {
            await client.ConnectAsync();
            var context = client.CreateContext();
            Assert.Null(context.Span);
            await context.SendTextAsync(Text);
            var reading = ReadAllAsync(context);
            await Within(context.CompleteAsync(), "completion");
            await reading;
            Assert.Null(context.Span);
            Assert.Same(caller, Activity.Current);
        }

        using var http = HttpTestKit.CreateHttpClient();
        var httpClient = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        await foreach (var chunk in httpClient.StreamAsync(Text, cancellationToken: cts.Token))
        {
            Assert.Same(caller, Activity.Current);
        }

        await httpClient.SynthesizeAsync(Text, cancellationToken: cts.Token);
        Assert.Same(caller, Activity.Current);

        var requests = spans.Stopped(a => a.Source.Name == SpanCollector.HttpClientSourceName && a.TraceId == caller.TraceId);
        // The WebSocket handshake, the stream and the synthesis.
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(caller.SpanId, r.ParentSpanId));
        Assert.False(AsyncAITelemetry.ActivitySource.HasListeners());
    }
}
