using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>Pipecat's test_tts_zero_audio_contexts.py, errors, settings and events.</summary>
public class TtsServiceUsabilityTests
{
    [Fact]
    public async Task ZeroAudio_TwoSilentContextsUnderLimitThree_StaysUsableWithoutErrors()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent);
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 2);
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task ZeroAudio_LimitReached_UnusableWithOneErrorFromTheService()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 2 });
        await using var harness = PipelineHarness.Start(tts);
        bool? usableWhenReported = null;
        harness.Task.ErrorReceived += (_, e) => usableWhenReported ??= tts.IsUsable;
        await SpeakAndWaitAsync(harness, tts, 2);
        var error = await harness.WaitUpAsync<ErrorFrame>();
        await harness.EndAsync();

        Assert.Same(tts, error.Processor);
        Assert.False(error.Fatal);
        Assert.False(usableWhenReported);
        Assert.False(tts.IsUsable);
        Assert.Single(harness.Errors);
    }

    [Fact]
    public async Task ZeroAudio_LimitOneThreeSilentSpeaks_OnlyOneErrorAndNoSynthesisOnceUnusable()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 1 });
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 3);
        await harness.EndAsync();

        Assert.Single(harness.Errors);
        Assert.Single(tts.ContextsInOrder);
        Assert.Equal(3, harness.DownFrames.OfType<TtsStoppedFrame>().Count());
    }

    [Fact]
    public async Task ZeroAudio_AudioInTheMiddle_ResetsTheCount()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 2 });
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 1);
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        await SpeakAndWaitAsync(harness, tts, 1);
        tts.Behaviour = TestTtsBehaviour.Silent;
        await SpeakAndWaitAsync(harness, tts, 1);
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task ZeroAudio_LimitZero_NeverMarksUnusable()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 0 });
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 5);
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task ZeroAudio_InterruptedContext_IsNotCounted()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 1 });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Cut off."));
        var context = await tts.WaitForContextAsync(0);
        harness.Queue(new InterruptionFrame());
        await context.Interrupted.Task.WaitAsync(PipelineHarness.Timeout);
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task SetUsable_True_ForgetsTheCount()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 2 });
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 1);
        tts.SetUsable(true);
        await SpeakAndWaitAsync(harness, tts, 1);
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Settings_UpdateBetweenSpeaks_AppliesFromTheNextContext()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(
            new TtsSpeakFrame("Before."),
            new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Voice = "voice-2", Language = "de" }),
            new TtsSpeakFrame("After."));
        await harness.WaitDownAsync<TtsStoppedFrame>(s => s.ContextId == tts.ContextsInOrder.ElementAtOrDefault(1)?.ContextId);
        await harness.EndAsync();

        Assert.Equal(new TtsSettings("model-1", "voice-1", "en"), tts.ContextsInOrder[0].Settings);
        Assert.Equal(new TtsSettings("model-1", "voice-2", "de"), tts.ContextsInOrder[1].Settings);
        Assert.Equal("voice-2", tts.Settings.Voice);
        Assert.DoesNotContain(harness.DownFrames, f => f is TtsUpdateSettingsFrame);
    }

    [Fact]
    public async Task Settings_UpdateForAnotherService_IsForwardedNotApplied()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        var other = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Voice = "voice-9" }) { Service = other });
        await harness.WaitDownAsync<TtsUpdateSettingsFrame>();
        await harness.EndAsync();

        Assert.Equal("voice-1", tts.Settings.Voice);
    }

    [Fact]
    public async Task Settings_ChangeOnUnusableService_MakesItUsableAgain()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Silent, new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = 1 });
        await using var harness = PipelineHarness.Start(tts);
        await SpeakAndWaitAsync(harness, tts, 1);
        Assert.False(tts.IsUsable);

        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        harness.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Voice = "voice-2" }), new TtsSpeakFrame("Works again."));
        await harness.WaitDownAsync<TtsAudioRawFrame>();
        await harness.EndAsync();

        Assert.True(tts.IsUsable);
    }

    [Fact]
    public async Task Errors_OpenFailsWithAuthentication_ErrorUpstreamServiceUnusableStartedStoppedPaired()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike)
        {
            FailOpen = _ => new AsyncAIException("The API key was rejected. Check ASYNCAI_API_KEY.", AsyncAIErrorCategory.Authentication, statusCode: 401),
        };
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Hello."), new TtsSpeakFrame("Again."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Same(tts, error.Processor);
        Assert.False(tts.IsUsable);
        Assert.Equal(1, tts.Calls.Count(c => c.StartsWith("open:", StringComparison.Ordinal)));
        Assert.Equal(2, harness.DownFrames.OfType<TtsStartedFrame>().Count());
        Assert.Equal(2, harness.DownFrames.OfType<TtsStoppedFrame>().Count());
    }

    [Fact]
    public async Task TokenMode_OpenFails_RunCancelledMidResponse_DroppedTokensStillLogged()
    {
        // The dropped tokens are logged where their turn ends. A run cancelled inside the response never ends the turn
        // (no response end, no interruption, no EndFrame), so cleanup logs them, or an outage's lost text leaves no trace.
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var tts = TokenServiceFailingToConnect(() => true);
        await using (var harness = PipelineHarness.Start(tts, loggerFactory: loggerFactory))
        {
            harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("One"), new LlmTextFrame(" two"), new LlmTextFrame(" three"), new MarkerFrame(1));
            await harness.WaitDownAsync<MarkerFrame>();
            Assert.Single(harness.Errors);
            Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 17); // the turn has not ended yet
        } // cancels the run

        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 17 && r.Message.Contains("dropped 2 token(s) (10 characters)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenMode_OpenFails_CleanupTimesOutWhileAFrameIsInFlight_DroppedTokensLoggedOnceWhenTheDataLoopEnds()
    {
        // Cleanup is bounded: when its wait for the loops times out (here an open that ignores its token), it goes on
        // beside the frame in flight. The turn is the data loop's: cleanup must not end it (and log its dropped tokens)
        // while that frame may still use it; the turn ends once, when both cleanup has begun and the data loop has ended.
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldOpenStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opens = 0;
        var tts = TokenServiceFailingToConnect(() => Volatile.Read(ref opens) == 1);
        tts.HoldOpen = (_, _) =>
        {
            if (Interlocked.Increment(ref opens) == 1)
            {
                return Task.CompletedTask; // the turn's open, which fails
            }

            heldOpenStarted.TrySetResult();
            return held.Task; // the TtsSpeakFrame's open; the token is ignored
        };
        await PipelineHarness.StartAloneAsync(tts, loggerFactory);
        tts.QueueFrame(new LlmFullResponseStartFrame());
        tts.QueueFrame(new LlmTextFrame("One"));
        tts.QueueFrame(new LlmTextFrame(" two"));
        tts.QueueFrame(new TtsSpeakFrame("Held."));
        await heldOpenStarted.Task.WaitAsync(PipelineHarness.Timeout);

        // An already-cancelled bound: the wait for the loops times out at once, with the open still held.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tts.CleanupAsync(new CancellationToken(canceled: true)));
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 17);
        held.SetResult();
        await tts.DataLoopExited.WaitAsync(PipelineHarness.Timeout);

        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 17 && r.Message.Contains("dropped 1 token(s) (4 characters)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenMode_OpenFails_TheTurnsLaterTokensAreDroppedOnceAndTheNextTurnTriesAgain()
    {
        // A provider that cannot connect (a Connectivity error: the service stays usable). Before, every token of the turn
        // opened a context of its own, made its own attempt and pushed its own ErrorFrame: with the zero-audio guard off
        // (as here) one per token, with it on until the third silent context made the service unusable.
        var failing = true;
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var tts = TokenServiceFailingToConnect(() => Volatile.Read(ref failing));
        await using var harness = PipelineHarness.Start(tts, loggerFactory: loggerFactory);
        string[] tokens = ["One", " two", " three", " four", " five", "."];
        harness.Queue([new LlmFullResponseStartFrame(), .. tokens.Select(t => new LlmTextFrame(t)), new LlmFullResponseEndFrame(), new MarkerFrame(1)]);
        await harness.WaitDownAsync<MarkerFrame>();

        Assert.Equal(1, Opens());
        Assert.Single(harness.Errors);
        Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>());
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 17 && r.Message.Contains("dropped 5 token(s) (21 characters)", StringComparison.Ordinal));

        // Tokens outside a response form one implicit turn, which has no end to wait for (only an interruption or the
        // EndFrame ends it): dropping its tokens would silence the service for good after one failed connect. So each
        // of its tokens tries again, and the first one after the outage is spoken.
        harness.Queue(new LlmTextFrame("Still"), new LlmTextFrame(" down"), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        Assert.Equal(3, Opens());
        Assert.Equal(3, harness.Errors.Count);
        Volatile.Write(ref failing, false);
        harness.Queue(new LlmTextFrame(" Up."));
        await harness.WaitDownAsync<TtsAudioRawFrame>(); // its context stays open (and what follows waits) until the turn ends
        Assert.Equal(4, Opens());
        Assert.Equal(["Up."], tts.ContextsInOrder.Single().Texts); // a context's first text is sent without its leading space

        // An interruption ends the implicit turn; a response after it is spoken in a context of its own.
        tts.QueueFrame(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Back"), new LlmTextFrame(" again."), new LlmFullResponseEndFrame(), new MarkerFrame(4));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 4);
        await harness.EndAsync();

        Assert.Equal(5, Opens());
        Assert.Equal(["Back", " again."], tts.ContextsInOrder[^1].Texts);
        Assert.Contains("Back again.", harness.DownFrames.OfType<TtsTextFrame>().Select(t => t.Text));
        Assert.Equal(3, harness.Errors.Count);
        Assert.True(tts.IsUsable);

        int Opens() => tts.Calls.Count(c => c.StartsWith("open:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_StreamFailsMidway_ErrorWithItsCategoryAndTheContextStops()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Breaks."));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        context.Fail(new AsyncAIException("The service failed (HTTP 503). Retry later.", AsyncAIErrorCategory.Server, statusCode: 503));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.Equal(context.ContextId, stopped.ContextId);
        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.Server, error.Category);
        Assert.True(tts.IsUsable);
    }

    [Fact]
    public async Task Errors_TurnContextFailsWhileASentenceIsOnItsWayToIt_ThatSentenceGoesOnInTheNewContext()
    {
        // The turn's context was looked up (live) for "Two.", then failed from the provider's side (a server error, a
        // lost socket: another thread) while the sentence was still being prepared, here in a held text filter. The
        // sentence was then sent into the failed context anyway: lost (a WebSocket client refuses it with the failure
        // already reported, the test's context takes it silently), while "Three." went on in a new context.
        var options = new TtsServiceOptions();
        using var heldFilter = new HeldTextFilter(options, "Two.");
        var tts = new TestTtsService(TestTtsBehaviour.Manual, options);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("One. T"));
        var first = await tts.WaitForContextAsync(0);
        first.EmitAudio(4);
        await harness.WaitDownAsync<TtsAudioRawFrame>();

        // The filter holds the thread that processes the frame (the queuing one when the service is idle): queue from the pool.
        var queued = Task.Run(() => harness.Queue(new LlmTextFrame("wo. Three. "), new LlmFullResponseEndFrame(), new MarkerFrame(1)));
        await heldFilter.Entered;
        first.Fail(new AsyncAIException("The context failed.", AsyncAIErrorCategory.Server));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        heldFilter.Release();
        await queued.WaitAsync(PipelineHarness.Timeout);
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(["One."], first.Texts);
        var next = tts.ContextsInOrder[^1];
        Assert.Equal(["Two.", "Three."], next.Texts);
        Assert.Equal(2, tts.ContextsInOrder.Count);
        Assert.Equal(next.ContextId, Assert.Single(harness.DownFrames.OfType<TtsTextFrame>(), t => t.Text == "Two.").ContextId);
        var started = harness.DownFrames.OfType<TtsStartedFrame>().Select(f => f.ContextId).ToList();
        Assert.Equal(started, harness.DownFrames.OfType<TtsStoppedFrame>().Select(f => f.ContextId));
        Assert.Equal(started.Count, started.Distinct().Count());
        Assert.Single(harness.Errors);
    }

    [Fact]
    public async Task TokenMode_OpenFailsThenAnInterruption_TokensOutsideAResponseAfterItAreSpoken()
    {
        // The interruption ends the failed response's turn; since the data loop forgets that turn at its next frame (not
        // the system loop at the interruption), nothing else would: the tokens after it, outside any response, must not be
        // dropped as the failed turn's.
        var failing = true;
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var tts = TokenServiceFailingToConnect(() => Volatile.Read(ref failing));
        await using var harness = PipelineHarness.Start(tts, loggerFactory: loggerFactory);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("One"), new LlmTextFrame(" two"), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        Volatile.Write(ref failing, false);
        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        harness.Queue(new LlmTextFrame(" Back"), new LlmTextFrame(" again."));
        await harness.EndAsync();

        Assert.Equal(["Back", " again."], tts.ContextsInOrder.Single().Texts);
        Assert.Contains("Back again.", harness.DownFrames.OfType<TtsTextFrame>().Select(t => t.Text));
        Assert.Single(harness.Errors);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 17 && r.Message.Contains("dropped 1 token(s) (4 characters)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TokenMode_TurnContextFails_TheNextTokenGoesToANewContextWithoutItsLeadingSpace()
    {
        var tts = new TestTtsService(TestTtsBehaviour.Manual, new TtsServiceOptions { AggregationMode = TextAggregationMode.Token });
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello"));
        var first = await tts.WaitForContextAsync(0);
        first.Fail(new AsyncAIException("The context failed.", AsyncAIErrorCategory.Server));
        await harness.WaitUpAsync<ErrorFrame>();
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        harness.Queue(new LlmTextFrame(" world"), new LlmTextFrame("."), new LlmFullResponseEndFrame());
        await harness.EndAsync();

        Assert.Equal(["Hello"], first.Texts);
        Assert.Equal(2, tts.ContextsInOrder.Count);
        Assert.Equal(["world", "."], tts.ContextsInOrder[1].Texts);
        var started = harness.DownFrames.OfType<TtsStartedFrame>().Select(f => f.ContextId).ToList();
        Assert.Equal(started, harness.DownFrames.OfType<TtsStoppedFrame>().Select(f => f.ContextId));
    }

    [Fact]
    public async Task TokenMode_TurnContextFailsWhileATokenIsOnItsWayToIt_TheNewContextGetsItWithoutItsLeadingSpace()
    {
        // As for a sentence (above), the token goes to a new context; it is then that context's first text, which is sent
        // without its leading space.
        var options = new TtsServiceOptions { AggregationMode = TextAggregationMode.Token };
        using var heldFilter = new HeldTextFilter(options, " world");
        var tts = new TestTtsService(TestTtsBehaviour.Manual, options);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello"));
        var first = await tts.WaitForContextAsync(0);

        // The filter holds the thread that processes the frame (the queuing one when the service is idle): queue from the pool.
        var queued = Task.Run(() => harness.Queue(new LlmTextFrame(" world"), new LlmFullResponseEndFrame(), new MarkerFrame(1)));
        await heldFilter.Entered;
        first.Fail(new AsyncAIException("The context failed.", AsyncAIErrorCategory.Server));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        tts.Behaviour = TestTtsBehaviour.WebSocketLike;
        heldFilter.Release();
        await queued.WaitAsync(PipelineHarness.Timeout);
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(["Hello"], first.Texts);
        Assert.Equal(2, tts.ContextsInOrder.Count);
        Assert.Equal(["world"], tts.ContextsInOrder[1].Texts);
    }

    [Fact]
    public async Task Errors_TurnContextFailedBeforeTheFlushOfNothingToSpeak_NoNewContextOpens()
    {
        // The turn's context failed, so the leftover "**" has no open context to go to: it is dropped, not spoken alone.
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("One. **"));
        var first = await tts.WaitForContextAsync(0);
        first.Fail(new AsyncAIException("The context failed.", AsyncAIErrorCategory.Server));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        harness.Queue(new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(["One."], first.Texts);
        Assert.Single(tts.ContextsInOrder);
        Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>());
        Assert.Single(harness.Errors);
    }

    [Fact]
    public async Task Events_ConnectedAndDisconnected_RaisedAndAThrowingHandlerIsContained()
    {
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        var connected = 0;
        var disconnected = 0;
        tts.Connected += (_, _) => throw new InvalidOperationException("subscriber bug");
        tts.Connected += (_, _) => connected++;
        tts.Disconnected += (_, _) => disconnected++;
        await using var harness = PipelineHarness.Start(tts);
        harness.Queue(new TtsSpeakFrame("Hi."));
        await harness.EndAsync();

        Assert.Equal(0, connected); // a throwing subscriber stops the multicast, as with any .NET event; the pipeline carries on
        Assert.Equal(1, disconnected);
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
    }

    [Fact]
    public void Options_OutOfRange_ThrowNamingTheOption()
    {
        Assert.Equal("StopFrameTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTtsService(options: new TtsServiceOptions { StopFrameTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("StopFrameTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTtsService(options: new TtsServiceOptions { StopFrameTimeout = TimeSpan.FromDays(60) })).ParamName);
        Assert.Equal("PauseWatchdogTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTtsService(options: new TtsServiceOptions { PauseWatchdogTimeout = TimeSpan.FromDays(60) })).ParamName);
        Assert.Equal("MaxConsecutiveZeroAudioContexts", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTtsService(options: new TtsServiceOptions { MaxConsecutiveZeroAudioContexts = -1 })).ParamName);
        Assert.Equal("SampleRate", Assert.Throws<ArgumentOutOfRangeException>(() => new TestTtsService(options: new TtsServiceOptions { SampleRate = 100 })).ParamName);
    }

    private static async Task SpeakAndWaitAsync(PipelineHarness harness, TestTtsService tts, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var stoppedBefore = harness.Down.Frames.OfType<TtsStoppedFrame>().Count();
            harness.Queue(new TtsSpeakFrame($"Speak {i}."));
            await harness.Down.WaitForFrameAsync(_ => harness.Down.Frames.OfType<TtsStoppedFrame>().Count() > stoppedBefore, PipelineHarness.Timeout);
        }

        Assert.NotNull(tts);
    }

    // A TOKEN-mode service whose opens fail with a Connectivity error (the service stays usable) while failing() is true;
    // the zero-audio guard is off, so only the turn logic limits attempts.
    private static TestTtsService TokenServiceFailingToConnect(Func<bool> failing) =>
        new(TestTtsBehaviour.WebSocketLike, new TtsServiceOptions { AggregationMode = TextAggregationMode.Token, MaxConsecutiveZeroAudioContexts = 0 })
        {
            FailOpen = _ => failing() ? new AsyncAIException("Could not connect.", AsyncAIErrorCategory.Connectivity) : null,
        };
}
