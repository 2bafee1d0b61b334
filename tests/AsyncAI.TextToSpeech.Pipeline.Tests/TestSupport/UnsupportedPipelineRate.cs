using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>
/// What both Async services owe a pipeline whose rate Async rejects (their SampleRate null): one InvalidRequest error at
/// the start, one more when a settings update makes the service usable again, and no audio. The callers check their own
/// transport (no socket, no request) afterwards.
/// </summary>
internal static class UnsupportedPipelineRate
{
    public static async Task RunAndAssertAsync(TtsService tts)
    {
        await using var harness = PipelineHarness.Start(tts, new PipelineParams { AudioOutSampleRate = 96000 });
        harness.Queue(new TtsSpeakFrame("First."), new TtsSpeakFrame("Second."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();

        // A settings update makes the service usable again, but cannot fix the rate: one more error, then quiet again.
        harness.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Language = "fr-FR" }), new TtsSpeakFrame("Third."), new TtsSpeakFrame("Fourth."), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        Assert.Equal(2, harness.Errors.Count);
        Assert.All(harness.Errors, e => Assert.Equal(AsyncAIErrorCategory.InvalidRequest, e.Category));
        Assert.All(harness.Errors, e => Assert.Contains("96000 Hz", e.Message, StringComparison.Ordinal));
        Assert.Empty(harness.DownFrames.OfType<TtsAudioRawFrame>());
    }
}
