using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>AsyncAIHttpTtsService against the in-process emulator: the derived HTTP sequence, errors, language, interruption.</summary>
public sealed class AsyncAIHttpTtsServiceTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task LlmTurn_TwoSentences_DerivedHttpSequenceWithEachSentencesAudio()
    {
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. "), new LlmTextFrame("How are you?"), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        Assert.Equal(
            [
                "LlmFullResponseStart", "Aggregated(Hello there.)", "TtsStarted", "Audio*", "TtsText(Hello there.)",
                "Aggregated(How are you?)", "Audio*", "TtsText(How are you?)", "TtsStopped", "LlmFullResponseEnd",
            ],
            FrameAssert.Shape(harness.DownFrames));
        var frames = harness.DownFrames.ToList();
        var firstText = frames.FindIndex(f => f is TtsTextFrame);
        var firstAudio = frames.Take(firstText).OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length);
        var secondAudio = frames.Skip(firstText).OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length);
        Assert.Equal(Expected("Hello there.", 24000), firstAudio);
        Assert.Equal(Expected("How are you?", 24000), secondAudio);
        Assert.All(frames.OfType<TtsAudioRawFrame>(), a => Assert.Equal(0, a.Audio.Length % 2));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task TokenMode_WhitespaceToken_IsNotARequestAndFailsNothing()
    {
        var tts = CreateService(o => o.AggregateSentences = false);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello"), new LlmTextFrame(" "), new LlmTextFrame("world."), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Equal(2, _emulator.Journal.Snapshot().Count(e => e.Kind == EmulatorEventKind.HttpRequest));
        Assert.Equal(Expected("Hello", 24000) + Expected("world.", 24000), harness.DownFrames.OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length));
    }

    [Fact]
    public async Task SampleRate_NotSetAndThePipelineRateIsOneAsyncRejects_OneErrorAtTheStartAndAfterEachSettingsUpdateAndNoRequests()
    {
        await UnsupportedPipelineRate.RunAndAssertAsync(CreateService());

        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.HttpRequest);
    }

    [Fact]
    public async Task SampleRate_NotSet_UsesThePipelineRate()
    {
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { AudioOutSampleRate = 16000 });
        harness.Queue(new TtsSpeakFrame("Sixteen kilohertz."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().ToList();
        Assert.All(audio, a => Assert.Equal(16000, a.SampleRate));
        Assert.Equal(Expected("Sixteen kilohertz.", 16000), audio.Sum(a => a.Audio.Length));
    }

    [Fact]
    public async Task Errors_RejectedKey_OneAuthenticationErrorThenNoMoreRequests()
    {
        _emulator.Options.ApiKeys.Add("sk_right");
        var tts = CreateService(o => o.ApiKey = "sk_wrong");
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("First."), new TtsSpeakFrame("Second."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Same(tts, error.Processor);
        Assert.DoesNotContain("sk_wrong", error.Message, StringComparison.Ordinal);
        Assert.False(tts.IsUsable);
        Assert.Single(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.HttpRequest);
        Assert.Equal(2, harness.DownFrames.OfType<TtsStoppedFrame>().Count());
    }

    [Fact]
    public async Task Language_FromParamsAndRegionalUpdate_AreSentAsBaseCodesAndAccepted()
    {
        var tts = CreateService(o => o.Params.Language = Language.DeDe);
        Assert.Equal("de", tts.Settings.Language);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(
            new TtsSpeakFrame("Guten Tag."),
            new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Language = "fr-FR" }),
            new TtsSpeakFrame("Bonjour."),
            new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        // The emulator accepts only Async's base codes, so no error means "fr-FR" went out as "fr".
        Assert.Empty(harness.Errors);
        Assert.Equal(2, harness.DownFrames.OfType<TtsStoppedFrame>().Count());
        Assert.Equal("fr-FR", tts.Settings.Language);
    }

    [Fact]
    public async Task Language_UnknownLanguageUpdate_InvalidRequestErrorAndServiceUnusable()
    {
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Language = "klingon" }), new TtsSpeakFrame("Qapla."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.False(tts.IsUsable);
    }

    [Fact]
    public async Task Errors_QuotaRunsOutMidStream_QuotaErrorAndTheContextStops()
    {
        _emulator.Options.Faults.QuotaExceededAfterBytes = 2000;
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("This sentence is long enough to run past the tiny quota the emulator allows."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.Equal(AsyncAIErrorCategory.Quota, Assert.Single(harness.Errors).Category);
        Assert.NotNull(stopped.ContextId);
    }

    [Fact]
    public async Task Errors_QuotaRunsOutAfterSomeAudio_ThatAudioIsPlayedThenTheErrorThenStopped()
    {
        // Pipecat pushes HTTP audio as it arrives, so what came before a mid-stream failure is heard; the context then
        // ends in order. The context used to fail at once and drop the audio still on its way to the output.
        _emulator.Options.Faults.QuotaExceededAfterBytes = 20000;
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("This sentence is long enough to run well past the quota the emulator allows here, and then some more."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == stopped.ContextId).Sum(a => a.Audio.Length);
        Assert.Equal(20000, audio);
        Assert.Equal(AsyncAIErrorCategory.Quota, Assert.Single(harness.Errors).Category);
    }

    [Fact]
    public async Task Errors_QuotaRunsOutAfterSomeAudio_TheRestOfTheTurnGoesOnInANewContext()
    {
        // A failed context ends (its audio, ErrorFrame, TtsStoppedFrame) and the turn's next sentence is requested in a
        // new context. It used to be skipped but counted in usage while the failed context's audio drained, or, once that
        // context was gone, requested under the same context id (a second TtsStartedFrame for it).
        _emulator.Options.Faults.QuotaExceededAfterBytes = 20000;
        const string First = "This sentence is long enough to run well past the quota the emulator allows here, and then some more.";
        const string Second = "This one is long enough to run out as well.";
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableUsageMetrics = true });
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame(First + " "), new LlmTextFrame(Second), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        Assert.Equal(2, _emulator.Journal.Snapshot().Count(e => e.Kind == EmulatorEventKind.HttpRequest));
        Assert.Equal(2, harness.Errors.Count);
        Assert.All(harness.Errors, e => Assert.Equal(AsyncAIErrorCategory.Quota, e.Category));
        var started = harness.DownFrames.OfType<TtsStartedFrame>().Select(f => f.ContextId).ToList();
        Assert.Equal(2, started.Distinct().Count());
        Assert.Equal(started, harness.DownFrames.OfType<TtsStoppedFrame>().Select(f => f.ContextId));
        var usage = harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtsUsageMetricsData>();
        Assert.Equal(First.Length + Second.Length, usage.Sum(u => u.Characters));
    }

    [Fact]
    public async Task Errors_BodyStallsAfterItsFirstChunk_TimeoutErrorAfterTheServicesStreamIdleTimeout()
    {
        // Paced at 1/10,000 of real time, the second chunk is due 200 s after the first; the option reaches the client.
        _emulator.Options.PacingRate = 0.0001;
        var tts = CreateService(o => o.StreamIdleTimeout = TimeSpan.FromMilliseconds(300));
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("A sentence whose body stalls after its first chunk."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.Contains("StreamIdleTimeout", error.Exception?.Message, StringComparison.Ordinal);
        Assert.Equal(960, harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == stopped.ContextId).Sum(a => a.Audio.Length));
    }

    [Fact]
    public void Constructor_StreamIdleTimeoutOutOfRange_ThrowsNamingTheOption()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => CreateService(o => o.StreamIdleTimeout = TimeSpan.Zero));

        Assert.Equal("StreamIdleTimeout", exception.ParamName);
    }

    [Fact]
    public async Task Interruption_MidStream_NoStoppedLateAudioDroppedNextSpeakWorks()
    {
        _emulator.Options.PacingRate = 1;
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("A long sentence that takes a few seconds of real time to stream out at pace."));
        var first = await harness.WaitDownAsync<TtsAudioRawFrame>();
        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        _emulator.Options.PacingRate = 0;
        harness.Queue(new TtsSpeakFrame("Next."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.NotEqual(first.ContextId, stopped.ContextId);
        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is TtsAudioRawFrame a && a.ContextId == first.ContextId);
        Assert.Single(frames.OfType<TtsStoppedFrame>());
    }

    [Fact]
    public async Task Interruption_WhileTheEndFrameFlushesTheLastSentence_CancelsTheRequestAndTheRunEnds()
    {
        // The EndFrame is uninterruptible, and it streams the flushed sentence itself: an interruption must still stop
        // that request (the run used to wait for the whole paced body, every chunk of it thrown away).
        _emulator.Options.PacingRate = 1;
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame(string.Concat(Enumerable.Repeat("a sentence that never ends and keeps going ", 8))));
        harness.Task.QueueFrame(new EndFrame());
        var first = await harness.WaitDownAsync<TtsAudioRawFrame>();

        harness.Task.QueueFrame(new InterruptionFrame());
        var request = await _emulator.Journal.WaitForAsync(
            e => e.Kind == EmulatorEventKind.HttpRequest && e.Detail!.Contains("/text_to_speech/streaming", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(5));
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.NotNull(request);
        Assert.Empty(harness.Errors); // an interrupted request is no error
        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.True(interruption >= 0);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is TtsAudioRawFrame a && a.ContextId == first.ContextId);
    }

    [Fact]
    public async Task Metrics_Enabled_TtfbProcessingAndUsageReported()
    {
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableMetrics = true, EnableUsageMetrics = true });
        harness.Queue(new TtsSpeakFrame("Metrics please."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var data = harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).ToList();
        Assert.Single(data.OfType<TtfbMetricsData>());
        Assert.Single(data.OfType<ProcessingMetricsData>());
        Assert.Equal("Metrics please.".Length, Assert.Single(data.OfType<TtsUsageMetricsData>()).Characters);
        Assert.All(data, d => Assert.Equal(AsyncAIModels.FlashV10, d.Model));
    }

    [Fact]
    public async Task Metrics_SentenceCutByAnInterruptionDuringTheEndFramesFlush_NoUsageOrProcessingMetricForIt()
    {
        // The EndFrame (uninterruptible) streams the flushed sentence itself; the interruption cuts that request, and the
        // context's send returns quietly. The base then went on as if the sentence had been spoken: a usage metric for
        // its characters and a processing metric for the cut request. Interruptible frames already reported neither.
        var tts = CreateService();
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableMetrics = true, EnableUsageMetrics = true });
        harness.Queue(new TtsSpeakFrame("Done."));
        var done = await harness.WaitDownAsync<TtsStoppedFrame>();

        // Paced at 1/10,000 of real time, the body stalls after its first chunk: the request is held until it is cut.
        _emulator.Options.PacingRate = 0.0001;
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("A sentence the interruption cuts"));
        harness.Task.QueueFrame(new EndFrame());
        var cut = await harness.WaitDownAsync<TtsAudioRawFrame>(a => a.ContextId != done.ContextId);
        harness.Task.QueueFrame(new InterruptionFrame());
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.Empty(harness.Errors);
        Assert.DoesNotContain(harness.DownFrames, f => f is TtsStoppedFrame s && s.ContextId == cut.ContextId);
        var data = harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).ToList();
        Assert.Equal("Done.".Length, Assert.Single(data.OfType<TtsUsageMetricsData>()).Characters);
        Assert.Single(data.OfType<ProcessingMetricsData>());
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowNamingTheOption()
    {
        Assert.Equal("ApiKey", Assert.ThrowsAny<ArgumentException>(() => new AsyncAIHttpTtsService(_http, new AsyncAIHttpTtsServiceOptions { VoiceId = "v" })).ParamName);
        Assert.Equal("VoiceId", Assert.ThrowsAny<ArgumentException>(() => new AsyncAIHttpTtsService(_http, new AsyncAIHttpTtsServiceOptions { ApiKey = "sk_x" })).ParamName);
        Assert.Equal("SampleRate", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.SampleRate = 96000)).ParamName);
        Assert.Equal("Url", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Url = new Uri("ws://localhost:1/"))).ParamName);
        Assert.Equal("Params.Language", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Params.Language = (Language)(-1))).ParamName);
        Assert.Throws<ArgumentNullException>("httpClient", () => new AsyncAIHttpTtsService(null!, Options()));
    }

    [Theory]
    [InlineData("Container", AudioContainers.Mp3, null)]
    [InlineData("Container", AudioContainers.Wav, null)]
    [InlineData("Encoding", null, AudioEncodings.PcmF32Le)]
    [InlineData("Encoding", null, AudioEncodings.PcmMulaw)]
    public void Constructor_FormatOtherThan16BitRawPcm_ThrowsNamingTheOption(string option, string? container, string? encoding)
    {
        // Audio frames carry 16-bit PCM and the sinks write it as such: mp3 bytes or f32 samples would reach them mislabelled.
        var exception = Assert.ThrowsAny<ArgumentException>(() => CreateService(o =>
        {
            o.Container = container ?? o.Container;
            o.Encoding = encoding ?? o.Encoding;
        }));

        Assert.Equal(option, exception.ParamName);
        Assert.Contains("pipeline", exception.Message, StringComparison.Ordinal);
    }

    private static int Expected(string transcript, int sampleRate) =>
        EmulatorAudio.ExpectedByteCount(transcript, sampleRate, AudioEncodings.PcmS16Le, new EmulatorOptions().SecondsPerCharacter);

    private AsyncAIHttpTtsServiceOptions Options() => new()
    {
        ApiKey = "sk_test",
        VoiceId = AsyncAIHttpOptions.DefaultVoiceId,
        Url = _emulator.HttpBaseUrl,
    };

    private AsyncAIHttpTtsService CreateService(Action<AsyncAIHttpTtsServiceOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return new AsyncAIHttpTtsService(_http, options);
    }
}
