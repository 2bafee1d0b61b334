using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Processors;

public class FrameProcessorStressTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interruptions_ManyRoundsThroughTwoProcessors_SchedulingInvariantsHold(bool inline)
    {
        const int rounds = 150;
        await using var harness = PipelineHarness.Start(new FrameProcessor[] { new GateProcessor { YieldEachFrame = true, Inline = inline }, new GateProcessor { YieldEachFrame = true, Inline = inline } });
        var interruptions = new List<InterruptionFrame>();
        var before = new List<List<Frame>>();
        var after = new List<List<Frame>>();
        var uninterruptible = new List<Frame>();
        var random = new Random(1234);
        var number = 0;
        for (var round = 0; round < rounds; round++)
        {
            var old = new List<Frame>();
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                Frame frame = random.Next(3) == 0 ? new UninterruptibleMarkerFrame(number++) : new MarkerFrame(number++);
                old.Add(frame);
                if (frame is UninterruptibleMarkerFrame)
                {
                    uninterruptible.Add(frame);
                }
            }

            var interruption = new InterruptionFrame();
            var fresh = Enumerable.Range(0, random.Next(0, 3)).Select(_ => (Frame)new MarkerFrame(number++)).ToList();
            harness.Queue([.. old, interruption, .. fresh]);
            before.Add(old);
            after.Add(fresh);
            interruptions.Add(interruption);
        }

        await harness.EndAsync();
        var output = harness.DownFrames.ToList();
        var position = output.Select((frame, index) => (frame, index)).ToDictionary(p => p.frame, p => p.index);

        Assert.Equal(uninterruptible, output.Where(f => f is UninterruptibleMarkerFrame));
        for (var round = 0; round < rounds; round++)
        {
            var cut = position[interruptions[round]];
            foreach (var stale in before[round].Where(f => f is MarkerFrame && position.ContainsKey(f)))
            {
                Assert.True(position[stale] < cut, $"round {round}: {stale} came out after its interruption");
            }

            foreach (var fresh in after[round])
            {
                var next = round + 1 < rounds ? position[interruptions[round + 1]] : int.MaxValue;
                var kept = position.TryGetValue(fresh, out var at);

                // A frame queued after round r's interruption survives it; only the next round's interruption may drop it.
                Assert.True(!kept || at > cut, $"round {round}: {fresh} came out before the interruption it followed");
                Assert.True(kept || next != int.MaxValue, $"round {round}: {fresh} was lost with no later interruption");
            }
        }
    }
}
