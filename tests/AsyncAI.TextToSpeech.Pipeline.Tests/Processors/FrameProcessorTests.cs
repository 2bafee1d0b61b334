using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Processors;

/// <summary>Pipecat's test_frame_processor.py, ported: scheduling of system, data, control and uninterruptible frames.</summary>
public class FrameProcessorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruption_InterruptibleFrameInProcessing_IsCancelledAndOnlyTheInterruptionArrives(bool inline)
    {
        var gate = new GateProcessor { Inline = inline };
        await using var harness = PipelineHarness.Start(gate);
        var text = new TextFrame("in flight");
        gate.Block(text);
        harness.Queue(text);
        await gate.WaitStartedAsync(text);

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await harness.EndAsync();

        Assert.Equal([text], gate.Cancelled);
        Assert.DoesNotContain(harness.Down.Frames, f => f is TextFrame);
        Assert.Empty(harness.Errors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruption_UninterruptibleFrameInProcessing_SurvivesAndArrivesAfterTheInterruption(bool inline)
    {
        var gate = new GateProcessor { Inline = inline };
        await using var harness = PipelineHarness.Start(gate);
        var survivor = new UninterruptibleMarkerFrame(1);
        gate.Block(survivor);
        harness.Queue(survivor);
        await gate.WaitStartedAsync(survivor);

        harness.Task.QueueFrame(new InterruptionFrame(), FrameDirection.Downstream);
        await harness.WaitDownAsync<InterruptionFrame>();
        gate.Open(survivor);
        await harness.WaitDownAsync<UninterruptibleMarkerFrame>();
        await harness.EndAsync();

        var frames = harness.DownFrames.ToList();
        Assert.True(frames.IndexOf(frames.OfType<InterruptionFrame>().Single()) < frames.IndexOf(survivor));
        Assert.Empty(gate.Cancelled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruption_QueuedFrames_InterruptibleDroppedUninterruptibleKeptInOrder(bool inline)
    {
        var gate = new GateProcessor { Inline = inline };
        await using var harness = PipelineHarness.Start(gate);
        var blocked = new MarkerFrame(0);
        gate.Block(blocked);
        harness.Queue(blocked);
        await gate.WaitStartedAsync(blocked);
        var dropped = new MarkerFrame(1);
        var kept1 = new UninterruptibleMarkerFrame(2);
        var dropped2 = new TextFrame("stale");
        var kept2 = new UninterruptibleMarkerFrame(3);
        harness.Queue(dropped, kept1, dropped2, kept2);
        await WaitForQueuedAsync(harness);

        harness.Queue(new InterruptionFrame());
        var after = new MarkerFrame(4);
        await harness.WaitDownAsync<InterruptionFrame>();
        harness.Queue(after);
        await harness.EndAsync();

        var frames = harness.DownFrames.Where(f => f is not TestSystemFrame).ToList();
        Assert.Equal([typeof(InterruptionFrame), typeof(UninterruptibleMarkerFrame), typeof(UninterruptibleMarkerFrame), typeof(MarkerFrame)], frames.Select(f => f.GetType()));
        Assert.Same(kept1, frames[1]);
        Assert.Same(kept2, frames[2]);
        Assert.Same(after, frames[3]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruption_QueuedEndFrame_SurvivesAndEndsTheRun(bool inline)
    {
        var gate = new GateProcessor { Inline = inline };
        await using var harness = PipelineHarness.Start(gate);
        var blocked = new MarkerFrame(0);
        gate.Block(blocked);
        harness.Queue(blocked, new EndFrame());
        await gate.WaitStartedAsync(blocked);

        harness.Queue(new InterruptionFrame());
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.Contains(harness.Down.Frames, f => f is EndFrame);
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueueFrame_FramesBeforeStartFrame_WaitAndFollowStartSystemThenData(bool inline)
    {
        var processor = new GateProcessor { Inline = inline };
        var capture = new FrameCaptureProcessor(FrameDirection.Downstream);
        processor.Link(capture);
        await processor.SetupAsync(new FrameProcessorSetup(new PipelineParams()));
        try
        {
            var data = new MarkerFrame(1);
            var system = new TestSystemFrame();
            processor.QueueFrame(data);
            processor.QueueFrame(system);
            Assert.Empty(capture.Frames);

            var start = new StartFrame();
            processor.QueueFrame(start);
            await capture.WaitForFrameAsync<MarkerFrame>(PipelineHarness.Timeout);

            Assert.Equal<Frame>([start, system, data], capture.Frames);
        }
        finally
        {
            await processor.CleanupAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProcessFrame_Throws_ErrorFrameGoesUpstreamAndLaterFramesStillFlow(bool inline)
    {
        var gate = new GateProcessor { Inline = inline, ShouldThrow = f => f is MarkerFrame { Number: 1 } };
        await using var harness = PipelineHarness.Start(gate);
        harness.Queue(new MarkerFrame(1), new MarkerFrame(2));

        var error = await harness.WaitUpAsync<ErrorFrame>();
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        Assert.Same(gate, error.Processor);
        Assert.Equal(AsyncAIErrorCategory.Unknown, error.Category);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.False(error.Fatal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PauseProcessingFrames_DataWaitsWhileSystemFramesFlow_UntilResumed(bool inline)
    {
        var gate = new GateProcessor { Inline = inline, PauseAfter = f => f is MarkerFrame { Number: 1 } };
        await using var harness = PipelineHarness.Start(gate);
        harness.Queue(new MarkerFrame(1), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 1);

        harness.Queue(new TestSystemFrame());
        await harness.WaitDownAsync<TestSystemFrame>();
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame { Number: 2 });

        gate.Resume();
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CancelFrame_QueuedAndLaterFrames_AreDropped(bool inline)
    {
        var gate = new GateProcessor { Inline = inline };
        await using var harness = PipelineHarness.Start(gate);
        var blocked = new MarkerFrame(0);
        gate.Block(blocked);
        harness.Queue(blocked, new MarkerFrame(1), new UninterruptibleMarkerFrame(2));
        await gate.WaitStartedAsync(blocked);
        await WaitForQueuedAsync(harness);

        harness.Task.Cancel("test");
        await harness.Run.WaitAsync(PipelineHarness.Timeout);
        gate.QueueFrame(new MarkerFrame(9));

        Assert.Contains(harness.Down.Frames, f => f is CancelFrame);
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame or UninterruptibleMarkerFrame);
        Assert.DoesNotContain(gate.Processed, f => f is MarkerFrame or UninterruptibleMarkerFrame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CancelFrame_InterruptibleFrameInProcessing_IsCancelledAndFinishedBeforeTheCancelFrameIsProcessed(bool inline)
    {
        // ProcessFrameAsync's contract: "The processor has already applied the scheduling effects of InterruptionFrame
        // and CancelFrame when this is called" — so a sink finishing its file at the CancelFrame is not racing a write.
        var probe = new CancelOrderProbe(inline);
        await using var harness = PipelineHarness.Start(probe);
        harness.Queue(new MarkerFrame(1));
        await probe.InFlight.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Task.Cancel("test");
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.Equal(["marker started", "marker ended", "cancel processed"], probe.Events);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EndFrame_ProcessorThrowsWhileProcessingIt_ErrorGoesUpstreamAndTheRunStillEnds(bool inline)
    {
        // The exception becomes an ErrorFrame, but the EndFrame must still reach the end: PipelineTask waits for it
        // without a timeout, so a lost EndFrame hangs the run for good (the sinks already forward it after a failed flush).
        var gate = new GateProcessor { Inline = inline, ShouldThrow = f => f is EndFrame };
        await using var harness = PipelineHarness.Start(gate);
        await harness.WaitDownAsync<StartFrame>();

        await harness.EndAsync();

        Assert.Contains(harness.Errors, e => e.Message.Contains("EndFrame", StringComparison.Ordinal));
        Assert.Single(harness.Down.Frames, f => f is EndFrame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CleanupAsync_WaitForTheLoopsTimesOutWhileAFrameIgnoresItsToken_TheDataLoopTakesNoFrameAfterIt(bool inline)
    {
        // Cleanup is bounded: when its wait for the loops times out, OnCleanupAsync runs beside the frame still in flight.
        // The data loop must end with that frame; a frame it took from its queue afterwards would be processed after the
        // processor's own cleanup (a sink writing to the file it finished, a service opening a context nothing closes).
        var gate = new GateProcessor { Inline = inline, GatesIgnoreCancellation = true };
        await PipelineHarness.StartAloneAsync(gate);
        var blocked = new MarkerFrame(1);
        gate.Block(blocked);
        gate.QueueFrame(blocked);
        gate.QueueFrame(new MarkerFrame(2));
        await gate.WaitStartedAsync(blocked);

        // An already-cancelled bound: the wait times out at once, with the marker still blocked.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.CleanupAsync(new CancellationToken(canceled: true)));
        gate.Open(blocked);
        await gate.DataLoopExited.WaitAsync(PipelineHarness.Timeout);

        Assert.Equal([blocked], gate.Processed.OfType<MarkerFrame>());
    }

    [Fact]
    public async Task CleanupAsync_WaitForTheLoopsTimesOutWhileASystemFrameIgnoresItsToken_TheSystemLoopTakesNoFrameAfterIt()
    {
        // The system loop's counterpart of the test above: a system frame queued behind the one in flight when cleanup
        // began must not be processed (and pushed on) after the processor's cleanup.
        var gate = new GateProcessor { GatesIgnoreCancellation = true };
        var down = await PipelineHarness.StartAloneAsync(gate);
        var blocked = new TestSystemFrame();
        var queued = new TestSystemFrame();
        gate.Block(blocked);
        gate.QueueFrame(blocked);
        gate.QueueFrame(queued);
        await gate.WaitStartedAsync(blocked);

        // An already-cancelled bound: the wait times out at once, with the system frame still blocked.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.CleanupAsync(new CancellationToken(canceled: true)));
        gate.Open(blocked);
        await gate.SystemLoopExited.WaitAsync(PipelineHarness.Timeout);

        Assert.Equal([blocked], gate.Processed.OfType<TestSystemFrame>());
        Assert.DoesNotContain(down.Frames, f => ReferenceEquals(f, queued));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task CleanupAsync_WaitForTheLoopsTimesOutWhileAnInterruptionOrCancelWaitsForAFrameIgnoringItsToken_ItIsNotProcessedAfterTheCleanup(bool cancel, bool inline)
    {
        // An InterruptionFrame (without a bound) or a CancelFrame (for its grace) waits for the cancelled data frame in
        // flight before it is processed. When that frame ignores its token past cleanup's bound, the processor is cleaned
        // up while the system frame still waits; it must not be processed (and pushed on) after the cleanup once the
        // frame ends, any more than a frame still queued.
        // Fake time: the CancelFrame's grace must not run out before the cleanup (on a loaded machine it did, and the cancel
        // then went on beside the frame, as it should, before the cleanup began).
        var gate = new GateProcessor { Inline = inline, GatesIgnoreCancellation = true };
        var down = await PipelineHarness.StartAloneAsync(gate, timeProvider: new FakeTimeProvider());
        var blocked = new MarkerFrame(1);
        gate.Block(blocked);
        gate.QueueFrame(blocked);
        await gate.WaitStartedAsync(blocked);
        Frame system = cancel ? new CancelFrame() : new InterruptionFrame();
        gate.QueueFrame(system);
        await gate.WaitTokenCancelledAsync(blocked);

        // An already-cancelled bound: the wait times out at once, with the marker still blocked and the system frame
        // waiting for it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.CleanupAsync(new CancellationToken(canceled: true)));
        gate.Open(blocked);
        await gate.DataLoopExited.WaitAsync(PipelineHarness.Timeout);
        await gate.SystemLoopExited.WaitAsync(PipelineHarness.Timeout);

        Assert.DoesNotContain(system, gate.Processed);
        Assert.DoesNotContain(down.Frames, f => ReferenceEquals(f, system));
    }

    private static async Task WaitForQueuedAsync(PipelineHarness harness)
    {
        // The task may hand queued frames to the pipeline asynchronously (through its pump); a downstream system frame
        // queued after them the same way proves they were handed over (the gate processor is busy, so they sit in its queue).
        var probe = new TestSystemFrame();
        harness.Queue(probe);
        await harness.Down.WaitForFrameAsync(f => ReferenceEquals(f, probe), PipelineHarness.Timeout);
    }
}

/// <summary>Records when an in-flight marker ends relative to the CancelFrame's processing.</summary>
internal sealed class CancelOrderProbe(bool inline) : FrameProcessor
{
    public TaskCompletionSource InFlight { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public System.Collections.Concurrent.ConcurrentQueue<string> Events { get; } = new();

    protected override bool ProcessesDataFramesInline => inline;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case MarkerFrame:
                Events.Enqueue("marker started");
                InFlight.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                }
                finally
                {
                    Events.Enqueue("marker ended");
                }

                break;
            case CancelFrame:
                Events.Enqueue("cancel processed");
                break;
        }

        PushFrame(frame, direction);
    }
}
