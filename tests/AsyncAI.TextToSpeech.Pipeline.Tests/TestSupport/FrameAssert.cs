using AsyncAI.TextToSpeech.Pipeline.Frames;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

internal static class FrameAssert
{
    /// <summary>Frame type names with consecutive audio frames collapsed into one "Audio*" entry.</summary>
    public static IReadOnlyList<string> Shape(IEnumerable<Frame> frames)
    {
        var shape = new List<string>();
        foreach (var frame in frames)
        {
            var name = frame switch
            {
                TtsAudioRawFrame => "Audio*",
                TtsTextFrame t => $"TtsText({t.Text})",
                AggregatedTextFrame a => $"Aggregated({a.Text})",
                MarkerFrame m => $"Marker({m.Number})",
                _ => frame.GetType().Name.Replace("Frame", string.Empty, StringComparison.Ordinal),
            };
            if (name == "Audio*" && shape.Count > 0 && shape[^1] == "Audio*")
            {
                continue;
            }

            shape.Add(name);
        }

        return shape;
    }

    /// <summary>Pipecat's group check: each speak group is AggregatedText, Started, audio/TTSText (at least one audio),
    /// [push aggregation], Stopped, then its marker.</summary>
    public static void SpeakGroups(IEnumerable<Frame> frames, int groups)
    {
        var relevant = frames.Where(f => f is not BotStartedSpeakingFrame and not BotStoppedSpeakingFrame and not MetricsFrame).ToList();
        var i = 0;
        for (var group = 1; group <= groups; group++)
        {
            Assert.IsType<AggregatedTextFrame>(relevant[i++]);
            var started = Assert.IsType<TtsStartedFrame>(relevant[i++]);
            var audio = 0;
            while (relevant[i] is TtsAudioRawFrame or TtsTextFrame)
            {
                if (relevant[i] is TtsAudioRawFrame a)
                {
                    Assert.Equal(started.ContextId, a.ContextId);
                    audio++;
                }

                i++;
            }

            Assert.True(audio >= 1, $"group {group} has no audio");
            if (relevant[i] is LlmAssistantPushAggregationFrame)
            {
                i++;
            }

            Assert.Equal(started.ContextId, Assert.IsType<TtsStoppedFrame>(relevant[i++]).ContextId);
            Assert.Equal(group, Assert.IsType<MarkerFrame>(relevant[i++]).Number);
        }

        Assert.Equal(relevant.Count, i);
    }
}
