using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>Pipecat's test_tts_frame_ordering.py (items 1–15) and the derived sequences, against the TtsService base.</summary>
public class TtsServiceOrderingTests
{
    [Theory]
    [InlineData(TestTtsBehaviour.HttpLike, false)]
    [InlineData(TestTtsBehaviour.WebSocketLike, false)]
    [InlineData(TestTtsBehaviour.WebSocketLike, true)]
    public async Task Speak_TwoSpeaksWithMarkers_ProduceTwoCleanGroupsInOrder(TestTtsBehaviour behaviour, bool pause)
    {
        var tts = new TestTtsService(behaviour, new TtsServiceOptions { PauseFrameProcessing = pause });
        FrameProcessor[] processors = pause ? [tts, new PcmStreamSink(new MemoryStream())] : [tts];
        await using var harness = PipelineHarness.Start(processors);
        harness.Queue(new TtsSpeakFrame("test 1"), new MarkerFrame(1), new TtsSpeakFrame("test 2"), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        FrameAssert.SpeakGroups(harness.DownFrames, 2);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task LlmTurn_HttpLike_MatchesTheDerivedPipecatSequence()
    {
        var tts = new TestTtsService(TestTtsBehaviour.HttpLike);
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
        var contextIds = harness.DownFrames.Select(f => f switch
        {
            TtsStartedFrame s => s.ContextId,
            TtsStoppedFrame s => s.ContextId,
            TtsAudioRawFrame a => a.ContextId,
            AggregatedTextFrame a => a.ContextId,
            _ => "n/a",
        }).Where(id => id != "n/a").Distinct().ToList();
        Assert.Single(contextIds);
        Assert.Equal(["Hello there.", "How are you?"], tts.ContextsInOrder.Single().Texts);
    }

    [Fact]
    public async Task LlmTurn_PushTextFrames_EndFollowsBothTtsTextFrames()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. "), new LlmTextFrame("How are you?"), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        var frames = harness.DownFrames.ToList();
        Assert.Single(frames.OfType<LlmFullResponseStartFrame>());
        var texts = frames.OfType<TtsTextFrame>().ToList();
        Assert.Equal(2, texts.Count);
        var end = frames.IndexOf(frames.OfType<LlmFullResponseEndFrame>().Single());
        Assert.All(texts, t => Assert.True(frames.IndexOf(t) < end));
        Assert.True(frames.IndexOf(frames.OfType<TtsStoppedFrame>().Single()) < end);
    }

    [Fact]
    public async Task LlmTurns_TwoTurns_StartStopEndTwiceInOrder()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(
            new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there."), new LlmFullResponseEndFrame(),
            new LlmFullResponseStartFrame(), new LlmTextFrame("World."), new LlmFullResponseEndFrame());
        await harness.EndAsync();

        var filtered = FrameAssert.Shape(harness.DownFrames.Where(f => f is LlmFullResponseStartFrame or TtsStoppedFrame or LlmFullResponseEndFrame));
        Assert.Equal(["LlmFullResponseStart", "TtsStopped", "LlmFullResponseEnd", "LlmFullResponseStart", "TtsStopped", "LlmFullResponseEnd"], filtered);
        Assert.Equal(2, tts.ContextsInOrder.Count);
    }

    [Fact]
    public async Task LlmTurn_WithoutText_NoContextAndNoSpuriousStartedOrStopped()
    {
        // Pipecat 0.0.97: a function-call turn (a response with no text) got a spurious TTSStoppedFrame.
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { PauseFrameProcessing = true });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(["LlmFullResponseStart", "LlmFullResponseEnd", "Marker(1)"], FrameAssert.Shape(harness.DownFrames));
        Assert.Empty(tts.ContextsInOrder);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Speak_AppendToContext_ExactlyOnePushAggregationRightBeforeStopped()
    {
        var tts = new TestTtsService(TestTtsBehaviour.HttpLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("hello world", appendToContext: true));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var frames = harness.DownFrames.ToList();
        var push = Assert.Single(frames.OfType<LlmAssistantPushAggregationFrame>());
        Assert.Null(push.PresentationTimestamp);
        Assert.IsType<TtsStoppedFrame>(frames[frames.IndexOf(push) + 1]);
    }

    [Fact]
    public async Task Speak_AfterAnLlmTurn_StillGetsItsPushAggregation()
    {
        var tts = new TestTtsService(TestTtsBehaviour.HttpLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("A turn."), new LlmFullResponseEndFrame(), new TtsSpeakFrame("Then a speak."));
        await harness.WaitDownAsync<TtsStoppedFrame>(s => s.ContextId == tts.ContextsInOrder.ElementAtOrDefault(1)?.ContextId);
        await harness.EndAsync();

        Assert.Single(harness.DownFrames.OfType<LlmAssistantPushAggregationFrame>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Speak_AppendToContext_IsStampedOnTtsStartedFrame(bool appendToContext)
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("stamp me", appendToContext));
        var started = await harness.WaitDownAsync<TtsStartedFrame>();
        await harness.EndAsync();

        Assert.Equal(appendToContext, started.AppendToContext);
        Assert.Equal(appendToContext, harness.DownFrames.OfType<TtsTextFrame>().Single().AppendToContext);
        Assert.Equal(appendToContext ? 1 : 0, harness.DownFrames.OfType<LlmAssistantPushAggregationFrame>().Count());
    }

    [Fact]
    public async Task TokenMode_Tokens_OneSentenceAnchorAndOneTtsTextPerContext()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { AggregationMode = TextAggregationMode.Token });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hi"), new LlmTextFrame(" there."), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        var anchor = Assert.Single(harness.DownFrames.OfType<AggregatedTextFrame>(), f => f is not TtsTextFrame);
        Assert.Equal("Hi there.", anchor.Text);
        Assert.Equal(AggregationType.Sentence, anchor.AggregatedBy);
        Assert.Equal("Hi there.", Assert.Single(harness.DownFrames.OfType<TtsTextFrame>()).Text);
        Assert.Equal(["Hi", " there."], tts.ContextsInOrder.Single().Texts);
    }

    [Fact]
    public async Task TokenMode_EmojiSplitAcrossTokens_IsSentWhole()
    {
        // A token stream may cut between the two UTF-16 halves of an emoji. Sent as they came, each half is a lone
        // surrogate, which the WebSocket client writes as U+FFFD: the provider got two replacement characters.
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { AggregationMode = TextAggregationMode.Token });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(
            new LlmFullResponseStartFrame(),
            new LlmTextFrame("Nice \uD83D"),
            new LlmTextFrame("\uDE00"),
            new LlmTextFrame(" day \uD83D"),
            new LlmTextFrame("\uDC4B!"),
            new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await harness.EndAsync();

        var sent = tts.ContextsInOrder.Single().Texts.ToList();
        Assert.Equal("Nice \uD83D\uDE00 day \uD83D\uDC4B!", string.Concat(sent));
        Assert.All(sent, text => Assert.False(char.IsHighSurrogate(text[^1]) || char.IsLowSurrogate(text[0]), $"Split surrogate pair in \"{text}\"."));
        Assert.Equal("Nice \uD83D\uDE00 day \uD83D\uDC4B!", Assert.Single(harness.DownFrames.OfType<TtsTextFrame>()).Text);
    }

    [Fact]
    public async Task TokenMode_TwoSpeaks_StayInSeparateContextsWithOneAnchorEach()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { AggregationMode = TextAggregationMode.Token });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("One."), new MarkerFrame(1), new TtsSpeakFrame("Two."), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        FrameAssert.SpeakGroups(harness.DownFrames, 2);
        Assert.Equal(2, harness.DownFrames.OfType<TtsStartedFrame>().Select(s => s.ContextId).Distinct().Count());
        Assert.Equal(2, harness.DownFrames.OfType<AggregatedTextFrame>().Count(f => f is not TtsTextFrame));
    }

    [Fact]
    public async Task Serialization_SecondTurnsAudioArrivesFirst_StillPlaysAfterTheFirstTurn()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("First."), new LlmFullResponseEndFrame(), new TtsSpeakFrame("Second."));
        var first = await tts.WaitForContextAsync(0);
        var second = await tts.WaitForContextAsync(1);
        await second.InputCompleted.Task.WaitAsync(PipelineHarness.Timeout);

        second.EmitAudio(6);
        second.End();
        first.EmitAudio(4);
        first.End();
        await harness.WaitDownAsync<TtsStoppedFrame>(s => s.ContextId == second.ContextId);
        await harness.EndAsync();

        Assert.Equal(
            [
                "LlmFullResponseStart", "Aggregated(First.)", "TtsStarted", "TtsText(First.)", "Audio*", "TtsStopped", "LlmFullResponseEnd",
                "Aggregated(Second.)", "TtsStarted", "TtsText(Second.)", "Audio*", "LlmAssistantPushAggregation", "TtsStopped",
            ],
            FrameAssert.Shape(harness.DownFrames));
        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().ToList();
        Assert.Equal([first.ContextId, second.ContextId], audio.Select(a => a.ContextId));
    }

    [Fact]
    public async Task EndFrame_AudioStillComing_EndFollowsTheLastStoppedAndTheServiceStopsFirst()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Late audio."), new EndFrame());
        var context = await tts.WaitForContextAsync(0);
        await context.InputCompleted.Task.WaitAsync(PipelineHarness.Timeout);
        context.EmitAudio(8);
        context.End();
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        var frames = harness.Down.Frames.ToList();
        Assert.IsType<EndFrame>(frames[^1]);
        Assert.IsType<TtsStoppedFrame>(frames[^2]);
        Assert.Equal("stop", tts.Calls.Last(c => c is "stop" || c.StartsWith("dispose:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EndFrame_FlushOfTheBufferedTextThrows_EndStillFollowsTheTurnsAudioAndTheServiceStops()
    {
        // A text filter that throws on the text flushed at the EndFrame: the error goes upstream, but the EndFrame must
        // still wait behind the audio of the turn already on its way out (and the service be stopped before it), as it
        // does without the failure. FrameProcessor pushing the EndFrame on after the exception sends it past that audio.
        var options = new TtsServiceOptions { PauseFrameProcessing = false };
        options.TextFilters.Add(text => text.Contains("Boom", StringComparison.Ordinal) ? throw new InvalidOperationException("filter failed") : text);
        var tts = new TestTtsService(TestTtsBehaviour.Manual, options);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. Boom"));
        var context = await tts.WaitForContextAsync(0);
        harness.Queue(new EndFrame());
        await harness.WaitUpAsync<ErrorFrame>(e => e.Message.Contains("filter failed", StringComparison.Ordinal));
        context.EmitAudio(8);
        context.End();
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        var frames = harness.Down.Frames.ToList();
        Assert.IsType<EndFrame>(frames[^1]);
        Assert.Contains(frames, f => f is TtsAudioRawFrame);
        Assert.IsType<TtsStoppedFrame>(frames[^2]);
        Assert.Contains("stop", tts.Calls);
    }

    [Fact]
    public async Task EndFrame_TextWithoutResponseEnd_IsFlushedAndSpoken()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("An unfinished thought"));
        await harness.EndAsync();

        Assert.Equal("An unfinished thought", Assert.Single(harness.DownFrames.OfType<TtsTextFrame>()).Text);
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
    }

    [Fact]
    public async Task Stopped_StreamEnds_ComesWithoutWaitingForTheFallbackTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new TtsSpeakFrame("Quick."));

        // Fake time never advances here: the stop can only come from the end of the audio stream.
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();
    }

    [Fact]
    public async Task Stopped_StreamNeverEnds_FallbackTimeoutStopsTheContext()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Manual, new TtsServiceOptions { StopFrameTimeout = TimeSpan.FromSeconds(3) });
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new TtsSpeakFrame("Never ends."));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>();

        // The idle timer is armed by the output loop once it has seen the end of input; advance until it has fired.
        TtsStoppedFrame? stopped = null;
        for (var attempt = 0; attempt < 200 && stopped is null; attempt++)
        {
            time.Advance(TimeSpan.FromSeconds(3));
            try
            {
                stopped = await harness.Down.WaitForFrameAsync<TtsStoppedFrame>(TimeSpan.FromMilliseconds(50));
            }
            catch (TimeoutException)
            {
            }
        }

        Assert.NotNull(stopped);
        Assert.Equal(context.ContextId, stopped.ContextId);
        await context.Disposed.Task.WaitAsync(PipelineHarness.Timeout);
        await harness.EndAsync();
    }

    [Fact]
    public async Task Stopped_AudioTricklesAfterEndOfInput_FallbackWaitsForTheTimeoutOfSilenceSinceTheLastChunk()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var timeout = TimeSpan.FromSeconds(3);
        var gap = TimeSpan.FromSeconds(2);
        var tts = new TestTtsService(TestTtsBehaviour.Manual, new TtsServiceOptions { StopFrameTimeout = timeout });
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new TtsSpeakFrame("Trickles on and on."));
        var context = await tts.WaitForContextAsync(0);

        // The end of input is played (and the fallback armed) before the provider is told: the clock starts here.
        await context.InputCompleted.Task.WaitAsync(PipelineHarness.Timeout);
        var endOfInput = time.GetUtcNow();

        // A chunk every 2 s: each one is pushed (a stopped context would drop it), and the fallback, which fires 3 s
        // after the end of input and then every so often, finds less than 3 s of silence each time. The capture at the
        // end records synchronously and fake timers fire inside Advance, so a stop would be recorded by then.
        for (var chunk = 1; chunk <= 4; chunk++)
        {
            context.EmitAudio(4);
            await WaitForAudioFramesAsync(harness, chunk);
            time.Advance(chunk < 4 ? gap : timeout - TimeSpan.FromMilliseconds(1));
            Assert.Empty(harness.Down.Frames.OfType<TtsStoppedFrame>());
        }

        Assert.True(time.GetUtcNow() - endOfInput > 2 * timeout, "the fallback would long have fired if it counted from the end of input");

        // Exactly the timeout of silence after the last chunk.
        time.Advance(TimeSpan.FromMilliseconds(1));
        var stopped = Assert.Single(harness.Down.Frames.OfType<TtsStoppedFrame>());
        Assert.Equal(context.ContextId, stopped.ContextId);

        // Audio and the end of the stream that come after the fallback change nothing.
        context.EmitAudio(4);
        context.End();
        await context.Disposed.Task.WaitAsync(PipelineHarness.Timeout);
        time.Advance(timeout * 2);
        await harness.EndAsync();

        var frames = harness.DownFrames.ToList();
        Assert.Single(frames.OfType<TtsStoppedFrame>());
        Assert.Equal(4, frames.OfType<TtsAudioRawFrame>().Count());
        Assert.True(frames.FindLastIndex(f => f is TtsAudioRawFrame) < frames.IndexOf(stopped));
        Assert.Empty(harness.Errors);
    }

    /// <summary>Waits until <paramref name="count"/> audio frames have been recorded downstream (each frame is tested once, in order).</summary>
    private static async Task WaitForAudioFramesAsync(PipelineHarness harness, int count)
    {
        var seen = 0;
        await harness.Down.WaitForFrameAsync(f => f is TtsAudioRawFrame && ++seen >= count, PipelineHarness.Timeout);
    }
}
