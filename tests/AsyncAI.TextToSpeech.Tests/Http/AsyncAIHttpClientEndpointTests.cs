using System.Net.Http.Headers;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

public class AsyncAIHttpClientEndpointTests
{
    private const string Text = "Hello from the Async emulator, streamed over HTTP.";

    [Fact]
    public async Task StreamAsync_Transcript_YieldsAllAudioAsWholeSamples()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var chunks = await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);

        var expected = EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter);
        Assert.Equal(expected, chunks.Sum(c => c.Audio.Length));
        Assert.All(chunks, c =>
        {
            Assert.Equal(0, c.Audio.Length % 2);
            Assert.Equal(24000, c.SampleRate);
            Assert.Equal("pcm_s16le", c.Encoding);
            Assert.Null(c.ContextId);
        });
    }

    [Fact]
    public async Task StreamAsync_EveryCall_SendsApiKeyVersionAndJsonBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RecordingHandler();
        using var http = HttpTestKit.CreateHttpClient(handler: recorder);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.Language = "en"));
        using var cts = HttpTestKit.TimeoutSource();

        await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);
        await client.SynthesizeAsync(Text, cancellationToken: cts.Token);
        await foreach (var _ in client.ListVoicesAsync(new AsyncAIVoiceFilter { PageSize = 100 }, cts.Token))
        {
        }

        Assert.Equal(3, recorder.Requests.Count);
        Assert.All(recorder.Requests, r =>
        {
            Assert.Equal(HttpTestKit.ApiKey, r.ApiKey);
            Assert.Equal("v1", r.Version);
        });
        Assert.Equal("/text_to_speech/streaming", recorder.Requests[0].Path);
        Assert.Contains("\"language\":\"en\"", recorder.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"output_format\":{\"container\":\"raw\",\"encoding\":\"pcm_s16le\",\"sample_rate\":24000}", recorder.Requests[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_KeyTheEmulatorKnows_IsAcceptedAndAnotherIsRefused()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { HttpTestKit.ApiKey } });
        using var http = HttpTestKit.CreateHttpClient();
        using var cts = HttpTestKit.TimeoutSource();

        var good = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        Assert.NotEmpty(await HttpTestKit.ReadAllAsync(good.StreamAsync(Text, cancellationToken: cts.Token), cts.Token));

        var bad = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.ApiKey = "sk_wrong_key"));
        var error = await Assert.ThrowsAsync<AsyncAIException>(() => HttpTestKit.ReadAllAsync(bad.StreamAsync(Text, cancellationToken: cts.Token), cts.Token));
        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Equal(401, error.StatusCode);
        Assert.DoesNotContain("sk_wrong_key", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SynthesizeAsync_Raw_ReturnsTheWholeAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { SampleRate = 16000 }, cts.Token);

        var expected = EmulatorAudio.ExpectedByteCount(Text, 16000, "pcm_s16le", emulator.Options.SecondsPerCharacter);
        Assert.Equal(expected, audio.Audio.Length);
        Assert.Equal("raw", audio.Container);
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(expected / 2.0 / 16000, audio.Duration!.Value.TotalSeconds, 3);
    }

    [Fact]
    public async Task SynthesizeAsync_Wav_ReturnsRiffFileWithDuration()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.Container = "wav"));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        var pcmBytes = EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter);
        Assert.Equal("RIFF"u8.ToArray(), audio.Audio[..4].ToArray());
        Assert.Equal("WAVE"u8.ToArray(), audio.Audio[8..12].ToArray());
        Assert.Equal(pcmBytes / 2.0 / 24000, audio.Duration!.Value.TotalSeconds, 3);
    }

    [Theory]
    [InlineData("raw", false)]
    [InlineData("wav", false)]
    [InlineData("raw", true)]
    public async Task SynthesizeAsync_Mulaw_ThrowsNamingTheEncodingBeforeAnyRequest(string container, bool timestamps)
    {
        // The OpenAPI schema lists pcm_mulaw for POST /text_to_speech/streaming only; the service answers 400 elsewhere.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.Encoding = "pcm_mulaw"));
        using var cts = HttpTestKit.TimeoutSource();
        var options = new AsyncAIHttpRequestOptions { Container = container };

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => timestamps
            ? client.SynthesizeWithTimestampsAsync(Text, options, cts.Token)
            : client.SynthesizeAsync(Text, options, cts.Token));

        Assert.Contains("Encoding pcm_mulaw", error.Message, StringComparison.Ordinal);
        Assert.Contains("StreamAsync", error.Message, StringComparison.Ordinal);
        Assert.Empty(HttpTestKit.HttpRequests(emulator));
    }

    [Fact]
    public async Task SynthesizeAsync_Mp3WithTheClientsMulawEncoding_IsSentWithoutAnEncoding()
    {
        // The encoding is left out of an mp3 request, so the client's μ-law default does not stand in its way.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.Encoding = "pcm_mulaw"));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { Container = "mp3" }, cts.Token);

        Assert.Equal("mp3", audio.Container);
        Assert.NotEmpty(audio.Audio.ToArray());
    }

    [Fact]
    public async Task SynthesizeWithTimestampsAsync_Transcript_ReturnsAudioAndOrderedWordTimes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var result = await client.SynthesizeWithTimestampsAsync("Welcome to Async", cancellationToken: cts.Token);

        Assert.Equal(EmulatorAudio.ExpectedByteCount("Welcome to Async", 24000, "pcm_s16le", emulator.Options.SecondsPerCharacter), result.Audio.Audio.Length);
        Assert.Equal(["Welcome", "to", "Async"], result.Words.Select(w => w.Word));
        var previousEnd = TimeSpan.Zero;
        foreach (var word in result.Words)
        {
            Assert.True(word.Start >= previousEnd, $"{word.Word} starts before the previous word ends");
            Assert.True(word.End > word.Start, $"{word.Word} has no duration");
            previousEnd = word.End;
        }

        Assert.True(previousEnd <= result.Audio.Duration + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task ListVoicesAsync_PagesSmallerThanTheCatalogue_FollowsCursorThroughEveryVoice()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var onePage = await client.ListVoicesAsync(new AsyncAIVoiceFilter { PageSize = 100 }, cts.Token).ToListAsync(cts.Token);
        var paged = await client.ListVoicesAsync(new AsyncAIVoiceFilter { PageSize = 2 }, cts.Token).ToListAsync(cts.Token);

        Assert.True(onePage.Count > 2, $"the emulator's catalogue must hold more than one page of 2 (it has {onePage.Count})");
        Assert.Equal(onePage.Select(v => v.VoiceId), paged.Select(v => v.VoiceId));
        var pages = (onePage.Count + 1) / 2;
        Assert.Equal(1 + pages, (await HttpTestKit.HttpRequestsAsync(emulator, 1 + pages)).Count);
    }

    [Fact]
    public async Task ListVoicesAsync_LanguageFilter_ReturnsOnlyMatchingVoices()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var german = await client.ListVoicesAsync(new AsyncAIVoiceFilter { Language = "de", PageSize = 100 }, cts.Token).ToListAsync(cts.Token);

        Assert.NotEmpty(german);
        Assert.All(german, v => Assert.Contains("de", v.Language!.Split(','), StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetVoiceAsync_ListedId_ReturnsThatVoice()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();
        var listed = await client.ListVoicesAsync(cancellationToken: cts.Token).FirstAsync(cts.Token);

        var voice = await client.GetVoiceAsync(listed.VoiceId, cts.Token);

        Assert.Equal(listed, voice);
    }

    [Fact]
    public async Task GetVoiceAsync_UnknownId_ThrowsInvalidRequestVoiceNotFound()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => client.GetVoiceAsync("00000000-0000-0000-0000-000000000000", cts.Token));

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.Equal(404, error.StatusCode);
        Assert.Equal("VOICE_NOT_FOUND", error.ErrorCode);
    }

    [Fact]
    public async Task Calls_AfterSuccessFailureAndCancellation_LeaveTheCallersHttpClientUsable()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.MaxRetries = 0));
        using var cts = HttpTestKit.TimeoutSource();

        await client.SynthesizeAsync("short", cancellationToken: cts.Token);
        emulator.Options.Faults.FailNextHttpRequests(1, 500);
        await Assert.ThrowsAsync<AsyncAIException>(() => client.SynthesizeAsync("short", cancellationToken: cts.Token));
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in client.StreamAsync(new string('a', 200), cancellationToken: cancel.Token))
                {
                    await cancel.CancelAsync();
                }
            });
        }

        using var status = await http.GetAsync(emulator.HttpBaseUrl, cts.Token);
        Assert.True(status.IsSuccessStatusCode);
    }

    [Fact]
    public async Task EveryCall_CallersHttpClientAsksForHttp2_RequestsCarryItsVersionAndPolicy()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var versions = new VersionRecordingHandler();
        using var http = HttpTestKit.CreateHttpClient(handler: versions);

        // Over cleartext http, "2.0 or lower" goes out as HTTP/1.1 (no ALPN), so the emulator still answers.
        http.DefaultRequestVersion = System.Net.HttpVersion.Version20;
        http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator));
        using var cts = HttpTestKit.TimeoutSource();

        await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, cancellationToken: cts.Token), cts.Token);
        await client.SynthesizeAsync(Text, cancellationToken: cts.Token);
        await client.SynthesizeWithTimestampsAsync(Text, cancellationToken: cts.Token);
        var voice = await client.ListVoicesAsync(cancellationToken: cts.Token).FirstAsync(cts.Token);
        await client.GetVoiceAsync(voice.VoiceId, cts.Token);

        Assert.Equal(5, versions.Requests.Count);
        Assert.All(versions.Requests, r =>
        {
            Assert.Equal(System.Net.HttpVersion.Version20, r.Version);
            Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, r.Policy);
        });
    }

    private sealed class VersionRecordingHandler : DelegatingHandler
    {
        public List<(Version Version, HttpVersionPolicy Policy)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add((request.Version, request.VersionPolicy));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Records what went over the wire, as the service would see it.</summary>
    private sealed class RecordingHandler : DelegatingHandler
    {
        public List<(string Path, string? ApiKey, string? Version, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add((request.RequestUri!.AbsolutePath, Single(request.Headers, "x-api-key"), Single(request.Headers, "version"), body));
            }

            return await base.SendAsync(request, cancellationToken);
        }

        private static string? Single(HttpRequestHeaders headers, string name) =>
            headers.TryGetValues(name, out var values) ? values.Single() : null;
    }
}
