using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>
/// HoldOutputUntilFirstTextSent: a new context's first text leaves before its output (the aggregated text,
/// TTSStartedFrame) runs through downstream processors on the same thread.
/// </summary>
public sealed class TtsServiceHeldOutputTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NewContext_TextIsSentBeforeTtsStartedRunsDownstreamOnTheSameThread_OnlyWhenHolding(bool hold)
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike) { HoldOutput = hold };
        var probe = new InlineProbeProcessor(inline: true);
        await using var harness = PipelineHarness.Start([tts, probe]);
        await harness.WaitDownAsync<StartFrame>();
        await WaitUntilBothRunInlineAsync(tts, probe, harness);

        int? startedSeenAtSend = null;
        tts.OnSend = (_, _) =>
        {
            startedSeenAtSend ??= probe.Seen.Count(s => s.Frame is TtsStartedFrame);
            return ValueTask.CompletedTask;
        };
        InlinePush.Queue(tts, new TtsSpeakFrame("Hello"));
        await harness.WaitDownAsync<TtsStoppedFrame>();

        // The TTSStartedFrame ran through the probe on the thread that sent the text (so the order is observable) ...
        Assert.Contains(probe.Seen, s => s.Frame is TtsStartedFrame && s.OnPusher);

        // ... after the send when holding, before it otherwise.
        Assert.Equal(hold ? 0 : 1, startedSeenAtSend);
        Assert.Equal(["Aggregated(Hello)", "TtsStarted", "Audio*", "LlmAssistantPushAggregation", "TtsStopped"], FrameAssert.Shape(harness.DownFrames.Where(f => f is not (TtsTextFrame or WarmUpFrame))));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task InterruptionWhileTheFirstTextIsSending_PushesTheHeldFramesBeforeTheInterruption_AndNothingOfTheContextAfterIt()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike) { HoldOutput = true };
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.OnSend = async (_, cancellationToken) =>
        {
            sending.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken); // the send never completes; the interruption cancels it
        };
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Hello"));
        await sending.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.DoesNotContain(harness.Down.Frames, f => f is TtsStartedFrame); // held while the text is on its way

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        harness.Queue(new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();

        Assert.Equal(["Aggregated(Hello)", "TtsStarted", "Interruption", "Marker(1)"], FrameAssert.Shape(harness.DownFrames));
        Assert.Empty(harness.Errors);
    }

    /// <summary>Pushes warm-up frames into the service from this thread until the probe sees one on this thread: both are
    /// idle with their data loops released, so the next frame is processed inline all the way through.</summary>
    private static async Task WaitUntilBothRunInlineAsync(TestTtsService tts, InlineProbeProcessor probe, PipelineHarness harness)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var warmUp = new WarmUpFrame();
            InlinePush.Queue(tts, warmUp);
            await harness.Down.WaitForFrameAsync(f => ReferenceEquals(f, warmUp), PipelineHarness.Timeout);
            if (probe.Seen.Any(s => ReferenceEquals(s.Frame, warmUp) && s.OnPusher))
            {
                return;
            }
        }

        Assert.Fail("The service and the probe never processed a frame on the pushing thread.");
    }
}
