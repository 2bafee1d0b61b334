using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>Interruption, pause and watchdog behaviour (Pipecat frame-ordering items 7–13, test_pipeline's paused-end case).</summary>
public class TtsServiceInterruptionTests
{
    [Fact]
    public async Task Interruption_AfterPlaybackBegan_LateAudioDroppedNoStoppedContextInterrupted()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Long answer."));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>();

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await context.Interrupted.Task.WaitAsync(PipelineHarness.Timeout);
        context.EmitAudio(4);
        context.End();
        harness.Queue(new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Single(harness.DownFrames.OfType<TtsAudioRawFrame>());
        Assert.Empty(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Empty(harness.DownFrames.OfType<LlmAssistantPushAggregationFrame>());
        await context.Disposed.Task.WaitAsync(PipelineHarness.Timeout);
    }

    [Fact]
    public async Task Interruption_BeforeAnyAudio_LateAudioDroppedAndNextSpeakPlaysNormally()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Interrupted turn. More"));
        var context = await tts.WaitForContextAsync(0);

        harness.Queue(new InterruptionFrame());
        await context.Interrupted.Task.WaitAsync(PipelineHarness.Timeout);
        context.EmitAudio(4);
        context.End();
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        harness.Queue(new TtsSpeakFrame("Next."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.All(harness.DownFrames.OfType<TtsAudioRawFrame>(), a => Assert.NotEqual(context.ContextId, a.ContextId));
        var stopped = Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Equal(tts.ContextsInOrder[1].ContextId, stopped.ContextId);
        Assert.Contains($"interrupt:{context.ContextId}", tts.Calls);
    }

    [Fact]
    public async Task Interruption_TextStillBufferedForTheInterruptedTurn_IsNotSpokenInTheNextResponse()
    {
        // The interrupted turn's buffered text and its context are forgotten (on the data loop, at the next frame), so the
        // next response starts clean in a context of its own.
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Interrupted. Still buffered"));
        var interrupted = await tts.WaitForContextAsync(0);
        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Fresh start."), new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(["Interrupted."], interrupted.Texts);
        Assert.Equal(2, tts.ContextsInOrder.Count);
        Assert.Equal(["Fresh start."], tts.ContextsInOrder[1].Texts);
        Assert.Equal(["Fresh start."], harness.DownFrames.OfType<TtsTextFrame>().Select(t => t.Text).SkipWhile(t => t == "Interrupted."));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Interruption_EveryOpenContext_IsInterrupted()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("One."), new TtsSpeakFrame("Two."), new TtsSpeakFrame("Three."));
        var third = await tts.WaitForContextAsync(2);
        await third.InputCompleted.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await harness.EndAsync();

        Assert.All(tts.ContextsInOrder, c => Assert.True(c.Interrupted.Task.IsCompleted));
    }

    [Fact]
    public async Task Interruption_NeverDeliveringContext_MarkerDroppedUninterruptibleArrivesOnce()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        var survivor = new UninterruptibleMarkerFrame(7);
        harness.Queue(new TtsSpeakFrame("Never delivered."), new MarkerFrame(1), survivor);
        var context = await tts.WaitForContextAsync(0);
        await context.InputCompleted.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<UninterruptibleMarkerFrame>();
        await harness.EndAsync();

        Assert.DoesNotContain(harness.DownFrames, f => f is MarkerFrame);
        Assert.Single(harness.DownFrames.OfType<UninterruptibleMarkerFrame>());
    }

    [Fact]
    public async Task Interruption_WhileTheEndFramesFlushOpensItsContext_TheContextIsClosedWhenItOpensAndGetsNoText()
    {
        // The EndFrame's flush opens the turn's context; the provider's open does not stop when asked to (here it waits
        // for the test), so it completes after the interruption. Before, the flush then sent the text into it and nothing
        // ever closed it: the interruption had found no provider context to close, and the turn was forgotten.
        var openEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike)
        {
            HoldOpen = (_, _) =>
            {
                openEntered.TrySetResult();
                return releaseOpen.Task;
            },
        };
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Last words"));
        await harness.WaitDownAsync<LlmFullResponseStartFrame>();

        // The flush may run on the queuing thread (inline): queue the EndFrame from the pool, not from the test.
        var queueEnd = Task.Run(() => harness.Queue(new EndFrame()));
        await openEntered.Task.WaitAsync(PipelineHarness.Timeout);
        tts.QueueFrame(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        releaseOpen.SetResult();
        await queueEnd.WaitAsync(PipelineHarness.Timeout);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        var context = Assert.Single(tts.ContextsInOrder);
        await context.Disposed.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.True(context.Interrupted.Task.IsCompleted);
        Assert.Empty(context.Texts);
        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is AggregatedTextFrame or TtsStartedFrame or TtsAudioRawFrame or TtsStoppedFrame);
        Assert.IsType<EndFrame>(harness.Down.Frames[^1]);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Interruption_WhileTheEndFrameFlushesTheTurnsText_NothingOfTheTurnFollowsAndTheRunEnds()
    {
        // The EndFrame is uninterruptible: an interruption neither cancels nor waits for it. Its flush of the turn's
        // buffered text looked the turn's context up, then (here in a slow text filter) the interruption abandoned every
        // context and forgot the turn. The flush then opened the turn's context after the InterruptionFrame had gone
        // downstream: the interrupted turn was spoken after the interruption, and since the turn was forgotten its input
        // was never ended, so the EndFrame waited behind it for ever.
        var options = new TtsServiceOptions();
        using var heldFilter = new HeldTextFilter(options, "Last words");
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike, options);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Last words"));
        await harness.WaitDownAsync<LlmFullResponseStartFrame>();

        // The flush may run on the queuing thread (inline): queue the EndFrame from the pool, not from the test.
        var queueEnd = Task.Run(() => harness.Queue(new EndFrame()));
        await heldFilter.Entered;

        // Straight to the service: the task's pump may be the thread held in the filter, with the interruption behind it.
        tts.QueueFrame(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        heldFilter.Release();
        await queueEnd.WaitAsync(PipelineHarness.Timeout);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is AggregatedTextFrame or TtsStartedFrame or TtsAudioRawFrame or TtsStoppedFrame);
        Assert.Empty(tts.ContextsInOrder);
        Assert.IsType<EndFrame>(harness.Down.Frames[^1]);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_InterruptionWhilePaused_ResumesAndLaterFramesArrive()
    {
        var time = new FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Manual, new TtsServiceOptions { PauseFrameProcessing = true, PauseWatchdogTimeout = TimeSpan.FromSeconds(30) });
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.TurnPaused += (_, _) => paused.TrySetResult();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        var survivor = new UninterruptibleMarkerFrame(5);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello."), new LlmFullResponseEndFrame(), survivor);
        await paused.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        harness.Queue(new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Single(harness.DownFrames.OfType<UninterruptibleMarkerFrame>());
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_SilentContextCompletes_ResumesWithoutWatchdogError()
    {
        var time = new FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { PauseFrameProcessing = true, PauseWatchdogTimeout = TimeSpan.FromSeconds(30) });
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello."), new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_FilterEmptiesTheText_NothingIsPausedAndLaterFramesArrive()
    {
        var time = new FakeTimeProvider();
        var options = new TtsServiceOptions { PauseFrameProcessing = true, PauseWatchdogTimeout = TimeSpan.FromSeconds(30) };
        options.TextFilters.Add(_ => string.Empty);
        var tts = new TestTtsService(TestTtsBehaviour.Manual, options);
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Filtered away."), new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Empty(tts.ContextsInOrder);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_BotStartsThenStopsAfterTheWatchdogTimeout_NoErrorAndProcessingResumes()
    {
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello."), new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);

        harness.Task.QueueFrame(new BotStartedSpeakingFrame(), FrameDirection.Upstream);
        await harness.WaitUpAsync<BotStartedSpeakingFrame>();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(harness.Errors);
        Assert.Single(tts.ContextsInOrder);

        harness.Task.QueueFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        var next = await tts.WaitForContextAsync(1);
        tts.ContextsInOrder[0].End();
        next.End();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_BotStartsBeforeTheTurnEndsAndStopsAfterTheWatchdogTimeout_NoErrorAndTheMarkerArrives()
    {
        // Pipecat's frame-ordering item 11 as it is written there: BotStartedSpeaking arrives before the response end, so
        // the pause at the end of the turn arms no watchdog; the bot stops well after the watchdog timeout.
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello. There"));
        var context = await tts.WaitForContextAsync(0);
        harness.Task.QueueFrame(new BotStartedSpeakingFrame(), FrameDirection.Upstream);
        await harness.WaitUpAsync<BotStartedSpeakingFrame>();

        harness.Queue(new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await paused.WaitAsync(PipelineHarness.Timeout);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(harness.Errors);

        // The turn's audio plays out (a context with audio does not lift the pause); only the pause holds the marker now.
        context.EmitAudio(4);
        context.End();
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame);

        harness.Task.QueueFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_BotStopsInASilenceGapInsideTheTurn_TheTurnStillPausesUntilItsLastAudioStops()
    {
        // A slow LLM: the first sentence plays out and the bot stops before the second sentence's audio starts. That
        // stop is not the turn's end: the pause must hold the next frame until the stop after the turn's last audio.
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        var (context, firstAudio) = await PlayFirstSentenceThenStopAsync(harness, tts);

        harness.Queue(new AggregatedTextFrame("There is more.", AggregationType.Sentence));
        await harness.WaitDownAsync<AggregatedTextFrame>(f => f.Text == "There is more.");
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f != firstAudio);
        await SignalUpAsync(harness, new BotStartedSpeakingFrame());

        harness.Queue(new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);
        Assert.Single(tts.ContextsInOrder);

        // The bot is speaking, so no watchdog: only the stop after the turn's last audio lets the next frame through.
        time.Advance(TimeSpan.FromSeconds(10));
        context.End();
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        Assert.Single(tts.ContextsInOrder);
        Assert.Empty(harness.Errors);

        harness.Task.QueueFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        var next = await tts.WaitForContextAsync(1);
        next.End();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_BotStopsInASilenceGapAndTheLastSentenceComesWithTheResponseEnd_TheTurnPausesUntilItsAudioStops()
    {
        // A slow LLM: the first sentence plays out and the bot stops; the last sentence then comes together with the
        // response end. The pause is decided right after that sentence was sent, before any of its audio reached the
        // sink: the stop in the gap is not the turn's end, and the next frame must wait for the stop after that audio.
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        var (context, firstAudio) = await PlayFirstSentenceThenStopAsync(harness, tts);

        harness.Queue(new AggregatedTextFrame("There is more.", AggregationType.Sentence), new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);
        Assert.Single(tts.ContextsInOrder);

        // The last sentence's audio plays; the context ends (with audio after the gap's stop, so that stop lifts nothing).
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f != firstAudio);
        await SignalUpAsync(harness, new BotStartedSpeakingFrame());
        time.Advance(TimeSpan.FromSeconds(10));
        context.End();
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        Assert.Single(tts.ContextsInOrder);
        Assert.Empty(harness.Errors);

        harness.Task.QueueFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        var next = await tts.WaitForContextAsync(1);
        next.End();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_TheTurnsContextEndedWithAudioPushedAfterTheGapsStop_TheTurnPausesUntilThatAudioStops()
    {
        // The turn's context ended (all its audio pushed) before the response end, but its last audio came after the
        // stop in the silence gap and has not started playing: the sink will start and stop again, so the turn pauses.
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        var (context, firstAudio) = await PlayFirstSentenceThenStopAsync(harness, tts);

        harness.Queue(new AggregatedTextFrame("There is more.", AggregationType.Sentence));
        await harness.WaitDownAsync<AggregatedTextFrame>(f => f.Text == "There is more.");
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f != firstAudio);
        context.End();
        await harness.WaitDownAsync<TtsStoppedFrame>();

        harness.Queue(new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);
        Assert.Single(tts.ContextsInOrder);

        await SignalUpAsync(harness, new BotStartedSpeakingFrame());
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(tts.ContextsInOrder);
        Assert.Empty(harness.Errors);

        harness.Task.QueueFrame(new BotStoppedSpeakingFrame(), FrameDirection.Upstream);
        var next = await tts.WaitForContextAsync(1);
        next.End();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_TheTurnsAudioPlayedOutBeforeTheTurnEnds_TheTurnsContextEndingResumes()
    {
        // The turn's only sentence was synthesized and played, and the bot stopped, before the response end arrived. That
        // stop is the one the pause waits for and no other comes; but the turn's context is still open (the provider ends
        // it only after its end of input), so the turn pauses until that end, which lifts the pause (not the watchdog:
        // fake time does not move here).
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new AggregatedTextFrame("Hello.", AggregationType.Sentence));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>();
        await SignalUpAsync(harness, new BotStartedSpeakingFrame());
        await SignalUpAsync(harness, new BotStoppedSpeakingFrame());

        harness.Queue(new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);
        Assert.Single(tts.ContextsInOrder);

        context.End();
        var next = await tts.WaitForContextAsync(1);
        next.End();
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_BotNeverStarts_WatchdogResumesWithOneNonFatalError()
    {
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello."), new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.WaitAsync(PipelineHarness.Timeout);

        time.Advance(TimeSpan.FromSeconds(3));
        var error = await harness.WaitUpAsync<ErrorFrame>();
        var next = await tts.WaitForContextAsync(1);
        tts.ContextsInOrder[0].End();
        next.End();
        await harness.EndAsync();

        Assert.False(error.Fatal);
        Assert.Same(tts, error.Processor);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
        Assert.Single(harness.Errors);
    }

    [Fact]
    public async Task EndFrame_PausedServiceWithSilentContext_RunEndsPromptly()
    {
        var time = new FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { PauseFrameProcessing = true, PauseWatchdogTimeout = TimeSpan.FromSeconds(30) });
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        harness.Queue(new TtsSpeakFrame("Silent."));
        await harness.EndAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Cancel_ContextThatNeverEnds_RunEndsAndContextIsAbandoned()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Forever."), new EndFrame());
        var context = await tts.WaitForContextAsync(0);

        harness.Task.Cancel("user hung up");
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        await context.Interrupted.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.Contains(harness.Down.Frames, f => f is CancelFrame);
        Assert.DoesNotContain(harness.Down.Frames, f => f is EndFrame);
    }

    [Fact]
    public async Task Cleanup_TimesOutWhileAContextOpenIgnoresItsToken_TheHeldContextIsClosedAndNoLaterFrameOpensOne()
    {
        // Cleanup is bounded: when its wait for the loops times out, the service's cleanup (which abandons and closes every
        // context) runs beside the open still in flight. That open is closed when it completes; a frame queued behind it
        // must not be processed after the cleanup, or its context opens where nothing will ever close it.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldOpenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opens = 0;
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike)
        {
            HoldOpen = (_, _) =>
            {
                if (Interlocked.Increment(ref opens) > 1)
                {
                    return Task.CompletedTask;
                }

                heldOpenStarted.TrySetResult();
                return held.Task; // the token is ignored
            },
        };
        await PipelineHarness.StartAloneAsync(tts);
        tts.QueueFrame(new TtsSpeakFrame("One."));
        tts.QueueFrame(new TtsSpeakFrame("Two."));
        await heldOpenStarted.Task.WaitAsync(PipelineHarness.Timeout);

        // An already-cancelled bound: the wait for the loops times out at once, with the open still held.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tts.CleanupAsync(new CancellationToken(canceled: true)));
        held.SetResult();
        await tts.DataLoopExited.WaitAsync(PipelineHarness.Timeout);

        Assert.Equal(1, Volatile.Read(ref opens));
        var context = Assert.Single(tts.ContextsInOrder);
        Assert.True(context.Disposed.Task.IsCompleted);
        Assert.Empty(context.Texts);
    }

    [Fact]
    public async Task Pause_CleanupTimesOutWhileATtsSpeakFramesOpenIgnoresItsToken_NoWatchdogFiresAfterTheService()
    {
        // Cleanup is bounded: the TtsSpeakFrame whose open outlives that bound still ends with the turn's pause, after
        // cleanup has cancelled the watchdog. A watchdog armed by that late pause would fire into the cleaned-up service
        // and push a Timeout ErrorFrame into a pipeline that has ended; nothing may be left running once both cleanup and
        // the data loop have ended.
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldOpenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.HoldOpen = (_, _) =>
        {
            heldOpenStarted.TrySetResult();
            return held.Task; // the token is ignored
        };
        var up = new FrameCaptureProcessor(FrameDirection.Upstream, "UpCapture");
        await PipelineHarness.StartAloneAsync(tts, timeProvider: time, upstream: up);
        tts.QueueFrame(new TtsSpeakFrame("Held."));
        await heldOpenStarted.Task.WaitAsync(PipelineHarness.Timeout);

        // An already-cancelled bound: the wait for the loops times out at once, with the open still held.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tts.CleanupAsync(new CancellationToken(canceled: true)));
        held.SetResult();
        await tts.DataLoopExited.WaitAsync(PipelineHarness.Timeout);
        Assert.True(paused.IsCompleted, "the late frame did not pause: nothing here tests its watchdog");

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(up.Frames.OfType<ErrorFrame>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pause_InterruptionWhileTheTurnsLastOpenIgnoresItsToken_TheNextFrameIsNotHeldAndNoWatchdogFires(bool responseEnd)
    {
        // The turn's last frame (a TtsSpeakFrame, or the response end flushing the last sentence) is in flight, its open
        // ignoring its token, when an interruption comes; once the open returns, the frame still ends with the turn's
        // pause. FrameProcessor holds the interruption until that frame has finished, so the service handles the
        // interruption (watchdog cancelled, pause lifted) after that late pause, not before it: the frame queued after
        // the interruption is not held for a stop that will not come, and no watchdog fires for the interrupted turn.
        // (Were the interruption not to wait, MaybePause would still find the interruption's resume with no context left;
        // only with both gone is the marker held until the watchdog.)
        var time = new FakeTimeProvider();
        var (tts, paused) = PausingService();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldOpenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldOpenCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opens = 0;
        tts.HoldOpen = (_, token) =>
        {
            if (Interlocked.Increment(ref opens) > 1)
            {
                return Task.CompletedTask;
            }

            token.Register(() => heldOpenCancelled.TrySetResult());
            heldOpenStarted.TrySetResult();
            return held.Task; // the token is ignored
        };
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        if (responseEnd)
        {
            harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Held"), new LlmFullResponseEndFrame());
        }
        else
        {
            harness.Queue(new TtsSpeakFrame("Held."));
        }

        await heldOpenStarted.Task.WaitAsync(PipelineHarness.Timeout);
        harness.Queue(new InterruptionFrame(), new MarkerFrame(1));
        await heldOpenCancelled.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.False(paused.IsCompleted);
        held.SetResult();
        await paused.WaitAsync(PipelineHarness.Timeout); // the late pause, while the interruption waits for the frame

        // The marker is not held (nothing lifts a pause here but the watchdog, and fake time has not moved), and no
        // watchdog is left armed for the interrupted turn.
        await harness.WaitDownAsync<MarkerFrame>();
        time.Advance(TimeSpan.FromSeconds(10));
        await harness.EndAsync();

        Assert.Empty(harness.Errors);
        var frames = harness.Down.Frames.ToList();
        Assert.True(frames.FindIndex(f => f is InterruptionFrame) < frames.FindIndex(f => f is MarkerFrame), string.Join(", ", frames.Select(f => f.Name)));
        await Assert.Single(tts.ContextsInOrder).Disposed.Task.WaitAsync(PipelineHarness.Timeout);
    }

    [Fact]
    public async Task Interruption_WhileTheEndFramesFlushOpensItsContext_TheEndFollowsTheInterruptionAndTheKeptFrames()
    {
        // The flush's open waits (a connect); the interruption cancels it, then waits in the playing context's close
        // (close_context on a busy socket). Before, the flush then went on, found the output queue empty and pushed the
        // EndFrame at once, ahead of the InterruptionFrame and of the uninterruptible frame that was kept behind it.
        var flushOpenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opens = 0;
        var tts = new TestTtsService(TestTtsBehaviour.Manual)
        {
            HoldOpen = (_, token) =>
            {
                if (Interlocked.Increment(ref opens) == 1)
                {
                    return Task.CompletedTask; // the playing context: it never ends
                }

                flushOpenStarted.TrySetResult();
                return Task.Delay(Timeout.Infinite, token);
            },
            HoldInterrupt = () => closeGate.Task,
        };
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Zero."));
        await harness.WaitDownAsync<TtsStartedFrame>();
        var queued = Task.Run(() => harness.Queue(new UninterruptibleMarkerFrame(1), new TextFrame("Two"), new EndFrame()));
        await flushOpenStarted.Task.WaitAsync(PipelineHarness.Timeout);
        tts.QueueFrame(new InterruptionFrame());

        // Nothing may come out while the interruption is still closing: a window, since the test cannot see the
        // flush's progress (it never failed spuriously: with the fix no EndFrame can come before the gate opens).
        var endWhileClosing = false;
        try
        {
            await harness.Down.WaitForFrameAsync(f => f is EndFrame, TimeSpan.FromMilliseconds(300));
            endWhileClosing = true;
        }
        catch (TimeoutException)
        {
        }

        closeGate.SetResult();
        await queued;
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.False(endWhileClosing, "the EndFrame came out while the interruption was still closing its contexts");
        var frames = harness.Down.Frames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        var marker = frames.FindIndex(f => f is UninterruptibleMarkerFrame);
        var end = frames.FindIndex(f => f is EndFrame);
        Assert.True(interruption >= 0 && marker > interruption && end > marker, string.Join(", ", frames.Select(f => f.Name)));
    }

    // A Manual test service that pauses after each turn (watchdog 3 s; the stop fallback far off), and a task that
    // completes when it first pauses.
    private static (TestTtsService Tts, Task Paused) PausingService()
    {
        var tts = new TestTtsService(
            TestTtsBehaviour.Manual,
            new TtsServiceOptions { PauseFrameProcessing = true, PauseWatchdogTimeout = TimeSpan.FromSeconds(3), StopFrameTimeout = TimeSpan.FromMinutes(5) });
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.TurnPaused += (_, _) => paused.TrySetResult();
        return (tts, paused.Task);
    }

    // Sends a frame upstream from the pipeline's end (as an output sink does) and waits until it has passed the service.
    /// <summary>A turn begins and its first sentence ("Hello.") plays out: its audio reaches the sink, the bot starts and stops.</summary>
    private static async Task<(TestTtsContext Context, TtsAudioRawFrame FirstAudio)> PlayFirstSentenceThenStopAsync(PipelineHarness harness, TestTtsService tts)
    {
        harness.Queue(new LlmFullResponseStartFrame(), new AggregatedTextFrame("Hello.", AggregationType.Sentence));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        var firstAudio = await harness.WaitDownAsync<TtsAudioRawFrame>();
        await SignalUpAsync(harness, new BotStartedSpeakingFrame());
        await SignalUpAsync(harness, new BotStoppedSpeakingFrame());
        return (context, firstAudio);
    }

    private static async Task SignalUpAsync(PipelineHarness harness, Frame frame)
    {
        harness.Task.QueueFrame(frame, FrameDirection.Upstream);
        await harness.Up.WaitForFrameAsync(f => ReferenceEquals(f, frame), PipelineHarness.Timeout);
    }
}
