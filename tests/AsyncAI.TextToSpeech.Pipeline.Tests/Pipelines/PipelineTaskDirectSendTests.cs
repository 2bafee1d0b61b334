using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Pipelines;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

/// <summary>PipelineTask.QueueFrame sends on the caller's thread once its queue is drained, in order with queued frames.</summary>
public class PipelineTaskDirectSendTests
{
    [Fact]
    public async Task QueueFrame_BeforeTheRun_FramesWaitForTheStartFrameInOrder()
    {
        var probe = new InlineProbeProcessor(inline: true);
        var down = new FrameCaptureProcessor(FrameDirection.Downstream);
        await using var task = new PipelineTask(new Pipeline([probe, down]));
        var early = Enumerable.Range(0, 100).Select(i => new MarkerFrame(i)).ToList();
        foreach (var frame in early)
        {
            InlinePush.Run(() => task.QueueFrame(frame));
        }

        var run = task.RunAsync();
        await down.WaitForFrameAsync<MarkerFrame>(PipelineHarness.Timeout, m => m.Number == 99);
        task.QueueFrame(new EndFrame());
        await run.WaitAsync(PipelineHarness.Timeout);

        Assert.IsType<StartFrame>(down.Frames[0]);
        Assert.Equal(early, down.Frames.OfType<MarkerFrame>());
        Assert.IsType<EndFrame>(down.Frames[^1]);
        Assert.All(probe.Seen, s => Assert.False(s.OnPusher));
    }

    [Fact]
    public async Task QueueFrame_IdleRunningTask_SendsOnTheCallingThread()
    {
        var probe = new InlineProbeProcessor(inline: true);
        await using var harness = PipelineHarness.Start(probe);
        await harness.WaitDownAsync<StartFrame>();

        // Once the pump has drained its queue and the probe is idle, a frame goes through the whole pipeline inside QueueFrame.
        for (var attempt = 0; attempt < 1000 && !probe.Seen.Any(s => s.OnPusher); attempt++)
        {
            var warmUp = new WarmUpFrame();
            InlinePush.Run(() => harness.Task.QueueFrame(warmUp));
            await harness.Down.WaitForFrameAsync(f => ReferenceEquals(f, warmUp), PipelineHarness.Timeout);
        }

        var marker = new MarkerFrame(1);
        InlinePush.Run(() => harness.Task.QueueFrame(marker));
        Assert.Contains(marker, harness.Down.Frames);
        await harness.EndAsync();
    }

    [Fact]
    public async Task QueueFrame_ConcurrentCallersWhileThePumpDrains_KeepOrder()
    {
        const int early = 2000;
        const int threads = 4;
        const int perThread = 5000;
        var probe = new InlineProbeProcessor(inline: true)
        {
            CompleteAsynchronously = f => f is ThreadMarkerFrame { Sequence: var s } && s % 11 == 5,
        };
        // The first processor completes every frame synchronously, so it is mostly idle: a frame it sees on the caller's
        // thread was sent directly by the task.
        var entry = new InlineProbeProcessor(inline: true);
        await using var harness = PipelineHarness.Start([entry, probe]);

        // Queued at once, most likely before the StartFrame has gone through: the pump sends these while the callers start.
        var earlyFrames = Enumerable.Range(0, early).Select(i => new MarkerFrame(i)).ToList();
        harness.Queue([.. earlyFrames]);

        // Phase one races the callers against the pump draining the early frames; phase two starts once everything has
        // arrived, so the task is idle and sends on the callers' threads.
        await RunCallersAsync(0, perThread / 2);
        foreach (var t in Enumerable.Range(0, threads))
        {
            await harness.WaitDownAsync<ThreadMarkerFrame>(m => m.Thread == t && m.Sequence == (perThread / 2) - 1);
        }

        await RunCallersAsync(perThread / 2, perThread);
        await harness.EndAsync();

        var frames = harness.DownFrames;
        Assert.Equal(early + (threads * perThread), frames.Count);
        Assert.Equal(earlyFrames, frames.Take(early));
        var markers = frames.OfType<ThreadMarkerFrame>().ToList();
        for (var t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, perThread), markers.Where(m => m.Thread == t).Select(m => m.Sequence));
        }

        Assert.Equal(0, entry.Overlaps);
        Assert.Equal(0, probe.Overlaps);
        Assert.Contains(entry.Seen, s => s.Frame is ThreadMarkerFrame && s.OnPusher); // sent directly

        async Task RunCallersAsync(int from, int to)
        {
            using var go = new ManualResetEventSlim();
            var callers = Enumerable.Range(0, threads)
                .Select(t => Task.Factory.StartNew(
                    () =>
                    {
                        go.Wait();
                        for (var i = from; i < to; i++)
                        {
                            var frame = new ThreadMarkerFrame(t, i);
                            InlinePush.Run(() => harness.Task.QueueFrame(frame));
                            if (i % 64 == 63)
                            {
                                // Let the pump catch up now and then, so callers may meet both a busy pump and an idle one.
                                Thread.Sleep(1);
                            }
                        }
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default))
                .ToArray();
            go.Set();
            await Task.WhenAll(callers).WaitAsync(PipelineHarness.Timeout);
        }
    }
}
