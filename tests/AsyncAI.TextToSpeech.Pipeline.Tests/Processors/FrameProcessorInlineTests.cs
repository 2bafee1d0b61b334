using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Processors;

/// <summary>The inline path (<c>ProcessesDataFramesInline</c>): data frames processed on the pushing thread when the
/// processor is idle, with the same order, pause and interruption rules as the data loop.</summary>
public class FrameProcessorInlineTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task QueueFrame_IdleProcessor_ProcessesOnThePushingThreadOnlyWhenInline(bool inline)
    {
        var probe = new InlineProbeProcessor(inline);
        var down = new FrameCaptureProcessor(FrameDirection.Downstream);
        probe.Link(down);
        await probe.SetupAsync(new FrameProcessorSetup(new PipelineParams()));
        try
        {
            probe.QueueFrame(new StartFrame());
            await down.WaitForFrameAsync<StartFrame>(PipelineHarness.Timeout);
            if (inline)
            {
                await InlinePush.WaitUntilProcessedInlineAsync(probe, down);
            }

            var markers = Enumerable.Range(0, 20).Select(i => new MarkerFrame(i)).ToList();
            foreach (var marker in markers)
            {
                InlinePush.Queue(probe, marker);
                if (inline)
                {
                    // Processed and pushed on before QueueFrame returned.
                    Assert.Contains(marker, down.Frames);
                }
            }

            await down.WaitForFrameAsync<MarkerFrame>(PipelineHarness.Timeout, m => m.Number == 19);
            Assert.Equal(markers, down.Frames.OfType<MarkerFrame>());
            Assert.All(probe.Seen.Where(s => s.Frame is MarkerFrame), s => Assert.Equal(inline, s.OnPusher));
        }
        finally
        {
            await probe.CleanupAsync();
        }
    }

    [Fact]
    public async Task QueueFrame_ConcurrentPushesFromFourThreads_KeepPerThreadOrderWithoutOverlap()
    {
        const int threads = 4;
        const int perThread = 5000;
        var probe = new InlineProbeProcessor(inline: true)
        {
            CompleteAsynchronously = f => f is ThreadMarkerFrame { Sequence: var s } && s % 7 == 3,
            SpinFirst = f => f is ThreadMarkerFrame { Sequence: var s } && s % 5 == 1,
        };
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();

        using var go = new ManualResetEventSlim();
        var pushers = Enumerable.Range(0, threads)
            .Select(t => Task.Factory.StartNew(
                () =>
                {
                    go.Wait();
                    for (var i = 0; i < perThread; i++)
                    {
                        InlinePush.Queue(probe, new ThreadMarkerFrame(t, i));
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default))
            .ToArray();
        go.Set();
        await Task.WhenAll(pushers).WaitAsync(PipelineHarness.Timeout);
        await harness.EndAsync();

        var markers = harness.DownFrames.OfType<ThreadMarkerFrame>().ToList();
        Assert.Equal(threads * perThread, markers.Count);
        for (var t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, perThread), markers.Where(m => m.Thread == t).Select(m => m.Sequence));
        }

        Assert.Equal(0, probe.Overlaps);
        var seen = probe.Seen.Where(s => s.Frame is ThreadMarkerFrame).ToList();
        Assert.Contains(seen, s => s.OnPusher); // the inline path ran...
        Assert.Contains(seen, s => !s.OnPusher); // ...and so did the data loop, for frames that met a busy processor
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueueFrame_WhileAnInlineFrameIsInFlight_IsQueuedAndProcessedAfterIt(bool blockSynchronously)
    {
        var blocked = new MarkerFrame(0);
        var probe = new InlineProbeProcessor(inline: true) { BlockOn = blocked, BlockSynchronously = blockSynchronously };
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();
        await InlinePush.WaitUntilProcessedInlineAsync(probe, harness.Down);

        var pusher = Task.CompletedTask;
        if (blockSynchronously)
        {
            pusher = Task.Factory.StartNew(() => InlinePush.Queue(probe, blocked), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        else
        {
            InlinePush.Queue(probe, blocked);
        }

        await probe.BlockedStarted;
        var second = new MarkerFrame(1);
        InlinePush.Queue(probe, second);

        // Nothing to await for "not processed": give the data loop ample time to get it wrong.
        await Task.Delay(100);
        Assert.DoesNotContain(probe.Seen, s => ReferenceEquals(s.Frame, second));

        probe.ReleaseBlocked();
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 1);
        await pusher.WaitAsync(PipelineHarness.Timeout);
        await harness.EndAsync();

        Assert.Equal<Frame>([blocked, second], harness.DownFrames.Where(f => f is not WarmUpFrame));
        Assert.Contains(probe.Seen, s => ReferenceEquals(s.Frame, second) && !s.OnPusher);
        Assert.Equal(0, probe.Overlaps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruption_InlineFrameInFlight_IsCancelledAndWhatItPushesComesBeforeTheInterruption(bool blockSynchronously)
    {
        var blocked = new MarkerFrame(0);
        var late = new MarkerFrame(99);
        var probe = new InlineProbeProcessor(inline: true) { BlockOn = blocked, BlockSynchronously = blockSynchronously, PushWhenCancelled = late };
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();
        await InlinePush.WaitUntilProcessedInlineAsync(probe, harness.Down);

        // Asynchronously: the push returns at once and the data loop takes over the frame. Synchronously: the frame stays
        // in flight on the pushing thread, so it pushes from its own thread.
        var pusher = Task.CompletedTask;
        if (blockSynchronously)
        {
            pusher = Task.Factory.StartNew(() => InlinePush.Queue(probe, blocked), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        else
        {
            InlinePush.Queue(probe, blocked);
        }

        await probe.BlockedStarted;

        var queuedBehind = new MarkerFrame(1);
        InlinePush.Queue(probe, queuedBehind);
        Assert.DoesNotContain(probe.Seen, s => ReferenceEquals(s.Frame, queuedBehind)); // in flight: it must queue

        harness.Queue(new InterruptionFrame());
        var interruption = await harness.WaitDownAsync<InterruptionFrame>();
        await pusher.WaitAsync(PipelineHarness.Timeout);
        var after = new MarkerFrame(2);
        InlinePush.Queue(probe, after);
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        Assert.Equal<Frame>([late, interruption, after], harness.DownFrames.Where(f => f is not WarmUpFrame));
        Assert.Contains(probe.Seen, s => ReferenceEquals(s.Frame, blocked) && s.OnPusher);
        Assert.DoesNotContain(probe.Seen, s => ReferenceEquals(s.Frame, queuedBehind));
        Assert.Equal(0, probe.Overlaps);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task PauseProcessingFrames_InlineProcessor_LaterFramesWaitUntilResumed()
    {
        var probe = new InlineProbeProcessor(inline: true) { PauseAfter = f => f is MarkerFrame { Number: 1 } };
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();
        await InlinePush.WaitUntilProcessedInlineAsync(probe, harness.Down);

        InlinePush.Queue(probe, new MarkerFrame(1));
        Assert.Contains(harness.Down.Frames, f => f is MarkerFrame { Number: 1 });
        InlinePush.Queue(probe, new MarkerFrame(2));
        Assert.DoesNotContain(probe.Seen, s => s.Frame is MarkerFrame { Number: 2 });

        var system = new TestSystemFrame();
        probe.QueueFrame(system);
        await harness.Down.WaitForFrameAsync(f => ReferenceEquals(f, system), PipelineHarness.Timeout);
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame { Number: 2 });

        probe.Resume();
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        InlinePush.Queue(probe, new MarkerFrame(3));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 3);
        await harness.EndAsync();

        Assert.Equal([1, 2, 3], harness.DownFrames.OfType<MarkerFrame>().Select(m => m.Number));
        Assert.Contains(probe.Seen, s => s.Frame is MarkerFrame { Number: 2 } && !s.OnPusher);
    }

    [Fact]
    public async Task QueueFrame_InlineProcessorBeforeStartFrame_FramesWaitForIt()
    {
        var probe = new InlineProbeProcessor(inline: true);
        var down = new FrameCaptureProcessor(FrameDirection.Downstream);
        probe.Link(down);
        await probe.SetupAsync(new FrameProcessorSetup(new PipelineParams()));
        try
        {
            var early = new[] { new MarkerFrame(1), new MarkerFrame(2) };
            foreach (var frame in early)
            {
                InlinePush.Queue(probe, frame);
            }

            Assert.Empty(probe.Seen);
            Assert.Empty(down.Frames);

            var start = new StartFrame();
            probe.QueueFrame(start);
            await down.WaitForFrameAsync<MarkerFrame>(PipelineHarness.Timeout, m => m.Number == 2);

            Assert.Equal<Frame>([start, .. early], down.Frames);
            Assert.All(probe.Seen, s => Assert.False(s.OnPusher));
        }
        finally
        {
            await probe.CleanupAsync();
        }
    }

    [Fact]
    public async Task CancelFrame_InlineProcessor_LaterFramesAreDroppedAndCleanupEnds()
    {
        var probe = new InlineProbeProcessor(inline: true);
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();
        await InlinePush.WaitUntilProcessedInlineAsync(probe, harness.Down);

        harness.Task.Cancel("test");
        await harness.Run.WaitAsync(PipelineHarness.Timeout);
        InlinePush.Queue(probe, new MarkerFrame(1));

        Assert.DoesNotContain(probe.Seen, s => s.Frame is MarkerFrame);
        Assert.Contains(harness.Down.Frames, f => f is CancelFrame);
    }

    [Fact]
    public async Task QueueFrame_InlineSynchronousCompletion_AllocatesNothingPerFrame()
    {
        var counter = new CountingProcessor();
        var down = new FrameCaptureProcessor(FrameDirection.Downstream);
        counter.Link(down);
        await counter.SetupAsync(new FrameProcessorSetup(new PipelineParams()));
        try
        {
            // The data loop is released by the system loop right after the StartFrame: once a later system frame has come
            // through, the processor is idle and every data frame is processed inside QueueFrame.
            counter.QueueFrame(new StartFrame());
            var system = new TestSystemFrame();
            counter.QueueFrame(system);
            await down.WaitForFrameAsync(f => ReferenceEquals(f, system), PipelineHarness.Timeout);
            var frame = new MarkerFrame(1);
            for (var i = 0; i < 1000; i++)
            {
                counter.QueueFrame(frame); // warm-up (tiered JIT)
            }

            var before = counter.Count;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                counter.QueueFrame(frame);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.Equal(1000, before);
            Assert.Equal(before + 1000, counter.Count); // all processed inline, on this thread
            Assert.Equal(0, allocated);
        }
        finally
        {
            await counter.CleanupAsync();
        }
    }

    /// <summary>Counts data frames and pushes nothing on (the capture would allocate).</summary>
    private sealed class CountingProcessor : FrameProcessor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override bool ProcessesDataFramesInline => true;

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is SystemFrame)
            {
                PushFrame(frame, direction);
            }
            else
            {
                Interlocked.Increment(ref _count);
            }

            return ValueTask.CompletedTask;
        }
    }
}
