using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>Pipecat's test_ttfb_metrics.py and test_tts_processing_metrics.py, plus usage metrics.</summary>
public class TtsServiceMetricsTests
{
    [Fact]
    public async Task Ttfb_MetricsEnabled_MeasuresFromContextOpenToFirstAudioOncePerContext()
    {
        var time = new FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableMetrics = true }, time);
        harness.Queue(new TtsSpeakFrame("Measure me."));
        var context = await tts.WaitForContextAsync(0);

        time.Advance(TimeSpan.FromMilliseconds(150));
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>();
        time.Advance(TimeSpan.FromMilliseconds(500));
        context.EmitAudio(4);
        context.End();
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var ttfb = Assert.Single(harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtfbMetricsData>());
        Assert.Equal(TimeSpan.FromMilliseconds(150), ttfb.Value);
        Assert.Equal(tts.Name, ttfb.Processor);
        Assert.Equal("model-1", ttfb.Model);
    }

    [Fact]
    public async Task Ttfb_ContextWithoutAudio_ReportsNothing()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent);
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableMetrics = true });
        harness.Queue(new TtsSpeakFrame("Silent."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.Empty(harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtfbMetricsData>());
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    public async Task Processing_OnlyWhenTheServiceSupportsIt_OnePerSentence(bool supported, int expected)
    {
        var tts = new TestTtsService(TestTtsBehaviour.HttpLike) { ProcessingMetricsSupported = supported };
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableMetrics = true });
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("One. Two."), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        Assert.Equal(expected, harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<ProcessingMetricsData>().Count());
    }

    [Fact]
    public async Task Usage_UsageMetricsEnabled_CountsCharactersSentPerSentence()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableUsageMetrics = true });
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. How are you?"), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        var usage = harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtsUsageMetricsData>().Select(u => u.Characters);
        Assert.Equal(["Hello there.".Length, "How are you?".Length], usage);
    }

    [Theory]
    [InlineData(TextAggregationMode.Sentence)]
    [InlineData(TextAggregationMode.Token)]
    public async Task Usage_UnusableService_NothingIsSentSoNoCharactersAreCounted(TextAggregationMode mode)
    {
        // An unusable service makes no provider calls (the turn still gets its Started/Stopped and text frames). SENTENCE
        // mode counted nothing then; TOKEN mode counted the turn's joined tokens, which were never sent.
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { AggregationMode = mode });
        tts.SetUsable(false);
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { EnableUsageMetrics = true });
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello"), new LlmTextFrame(" there."), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        Assert.Empty(tts.ContextsInOrder);
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Empty(harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).OfType<TtsUsageMetricsData>());
    }

    [Fact]
    public async Task Metrics_Disabled_NoMetricsFrames()
    {
        var tts = new TestTtsService(TestTtsBehaviour.HttpLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Quiet metrics."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.Empty(harness.DownFrames.OfType<MetricsFrame>());
    }

    [Fact]
    public async Task SampleRate_NotConfigured_ComesFromThePipeline()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { AudioOutSampleRate = 16000 });
        harness.Queue(new TtsSpeakFrame("Rate."));
        var audio = await harness.WaitDownAsync<TtsAudioRawFrame>();
        await harness.EndAsync();

        Assert.Equal(16000, tts.SampleRate);
        Assert.Equal(16000, audio.SampleRate);
    }
}
