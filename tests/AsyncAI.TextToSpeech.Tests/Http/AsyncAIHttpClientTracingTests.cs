using System.Diagnostics;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Tests.Tracing;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>The HTTP client's spans, against an emulator per test (its port tells this test's spans apart).</summary>
public class AsyncAIHttpClientTracingTests
{
    private const string Text = "One span per call, around all of its attempts.";

    [Fact]
    public async Task StreamAsync_SpanLastsUntilTheStreamIsRead_AndEachAttemptIsAnHttpChild()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var port = emulator.HttpBaseUrl.Port;
        using var spans = new SpanCollector();
        using var http = HttpTestKit.CreateHttpClient();
        var options = HttpTestKit.Options(emulator, o => o.MaxRetries = 2);
        var client = new AsyncAIHttpClient(http, options);
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 503);
        using var caller = SpanCollector.Ambient.StartActivity("caller")!;

        long bytes = 0;
        await using (var stream = client.StreamAsync(Text, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token))
        {
            Assert.True(await stream.MoveNextAsync());
            bytes += stream.Current.Audio.Length;

            // Running, and not the ambient span of the caller's code between chunks.
            var running = Assert.Single(spans.Started(a => SpanCollector.IsOurs(a) && SpanCollector.HasPort(a, port)));
            Assert.False(running.IsStopped);
            Assert.Empty(spans.StoppedOn(port));
            Assert.Same(caller, Activity.Current);

            while (await stream.MoveNextAsync())
            {
                bytes += stream.Current.Audio.Length;
            }

            // Read to the end: the span has ended before the caller disposes anything.
            Assert.True(running.IsStopped);
        }

        var span = Assert.Single(spans.StoppedOn(port));
        SpanCollector.AssertSynthesisSpan(span, options.VoiceId, emulator.HttpBaseUrl.Host);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal(caller.SpanId, span.ParentSpanId);
        Assert.Equal("stream", span.GetTagItem("asyncai.operation"));
        Assert.Equal(Text.Length, span.GetTagItem("asyncai.tts.characters"));
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter), bytes);
        Assert.Equal(bytes / (2.0 * 24000), Assert.IsType<double>(span.GetTagItem("asyncai.tts.audio.duration")), 6);
        Assert.Equal(true, span.GetTagItem("asyncai.tts.stream.completed"));

        // The refused attempt and the retry: both HttpClient spans hang under the call's one span.
        var attempts = spans.HttpChildrenOf(span);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(2, (await HttpTestKit.HttpRequestsAsync(emulator, 2)).Count);
    }

    [Fact]
    public async Task StreamAsync_DisposedBeforeTheEnd_SpanEndsThenAndSaysTheStreamWasNotReadToTheEnd()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        var port = emulator.HttpBaseUrl.Port;
        using var spans = new SpanCollector();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        await using (var stream = client.StreamAsync(Text, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token))
        {
            Assert.True(await stream.MoveNextAsync());
            Assert.Empty(spans.StoppedOn(port));
        }

        var span = Assert.Single(spans.StoppedOn(port));
        Assert.Equal(false, span.GetTagItem("asyncai.tts.stream.completed"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Single(spans.HttpChildrenOf(span));
    }

    [Fact]
    public async Task SynthesizeAsync_Succeeds_SpanHasTheAudioDuration()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var spans = new SpanCollector();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var speech = await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { Container = "wav" }, cts.Token);

        var span = Assert.Single(spans.StoppedOn(emulator.HttpBaseUrl.Port));
        Assert.Equal("synthesize", span.GetTagItem("asyncai.operation"));
        Assert.Equal(speech.Duration!.Value.TotalSeconds, Assert.IsType<double>(span.GetTagItem("asyncai.tts.audio.duration")), 6);
        Assert.Null(span.GetTagItem("asyncai.tts.stream.completed"));
        Assert.Single(spans.HttpChildrenOf(span));
    }

    [Fact]
    public async Task SynthesizeAsync_KeyRefused_SpanHasErrorStatusCategoryAndCode_AndTheKeyNowhere()
    {
        const string Key = "sk_http_trace_refused_secret";
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var spans = new SpanCollector();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.ApiKey = Key));
        using var cts = HttpTestKit.TimeoutSource();
        emulator.Options.Faults.FailNextHttpRequests(1, 401, "INVALID_API_KEY");

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync(Text, cancellationToken: cts.Token));

        var span = Assert.Single(spans.StoppedOn(emulator.HttpBaseUrl.Port));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(error.Message, span.StatusDescription);
        Assert.Equal("authentication", span.GetTagItem("error.type"));
        Assert.Equal("INVALID_API_KEY", span.GetTagItem("asyncai.error.code"));
        Assert.Equal(401, span.GetTagItem("http.response.status_code"));
        Assert.Null(span.GetTagItem("asyncai.tts.audio.duration"));
        Assert.All(SpanCollector.Texts(span), text => Assert.DoesNotContain(Key, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SynthesizeAsync_ServerErrorEchoesTheKey_SpanCarriesItRedacted()
    {
        // The server's error text goes into the span's status; a server that echoes the key (here as an unknown voice id)
        // must not leak it there.
        const string Key = "sk_http_trace_echoed_secret";
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var spans = new SpanCollector();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.ApiKey = Key));
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { VoiceId = Key }, cts.Token));

        var span = Assert.Single(spans.StoppedOn(emulator.HttpBaseUrl.Port));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(404, span.GetTagItem("http.response.status_code"));
        Assert.Contains("***", span.StatusDescription, StringComparison.Ordinal);
        Assert.Equal(Key, span.GetTagItem("asyncai.voice.id")); // what the caller asked for, as the caller put it
        Assert.All(
            SpanCollector.Texts(span).Where(text => !text.StartsWith("asyncai.voice.id=", StringComparison.Ordinal)),
            text => Assert.DoesNotContain(Key, text, StringComparison.Ordinal));
        Assert.DoesNotContain(Key, error.ToString(), StringComparison.Ordinal);
    }
}
