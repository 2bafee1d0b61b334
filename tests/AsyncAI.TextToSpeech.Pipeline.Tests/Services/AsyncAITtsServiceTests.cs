using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Services;

/// <summary>AsyncAITtsService (WebSocket) against the in-process emulator: derived sequences, interruption, reconnect, auth, language.</summary>
public sealed class AsyncAITtsServiceTests : IAsyncLifetime
{
    private const string OtherVoiceId = "cab5c9a4-a4ee-43ef-830c-99a4cd20b591";

    private AsyncAIEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task SampleRate_NotSetAndThePipelineRateIsOneAsyncRejects_OneErrorAtTheStartAndAfterEachSettingsUpdateAndNoSocket()
    {
        await UnsupportedPipelineRate.RunAndAssertAsync(CreateService());

        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);
    }

    [Fact]
    public async Task Speak_Hello_DerivedWebSocketSequenceAndJournal()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out var sink);
        harness.Queue(new TtsSpeakFrame("Hello"));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        var context = stopped.ContextId!;

        // close_context follows the final; it is awaited before the pipeline ends because a closing client drops what
        // it has not sent yet (terminate frees the server's contexts anyway).
        await WaitForCloseContextAsync(context);
        await harness.EndAsync();

        var frames = WithoutBotFrames(harness.DownFrames);

        // The text frame normally precedes the audio (the send returns before synthesis); only its place among the audio may vary.
        Assert.Equal(
            ["Aggregated(Hello)", "TtsStarted", "Audio*", "LlmAssistantPushAggregation", "TtsStopped"],
            FrameAssert.Shape(frames.Where(f => f is not TtsTextFrame)));
        AssertTextInsideContext(frames, context, "Hello");
        Assert.All(frames.OfType<TtsStartedFrame>(), s => Assert.Equal(context, s.ContextId));

        var audio = frames.OfType<TtsAudioRawFrame>().ToList();
        Assert.All(audio, a => Assert.Equal(context, a.ContextId));
        Assert.Equal(_emulator.Journal.AudioBytesSent(context), audio.Sum(a => a.Audio.Length));
        Assert.Equal(Expected("Hello ", 24000), audio.Sum(a => a.Audio.Length));
        Assert.Equal(audio.Sum(a => a.Audio.Length), sink.BytesWritten);
        Assert.Equal(["Init", "Text:Hello ", "EndOfInput", "CloseContext"], await ClientJournalAsync(context));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task LlmTurn_TwoSentences_OneContextSentencesWithTrailingSpaceAudioMatchesJournal()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out var sink);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. "), new LlmTextFrame("How are you?"), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        await WaitForCloseContextAsync((await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!);
        await harness.EndAsync();

        var frames = WithoutBotFrames(harness.DownFrames);
        var started = Assert.Single(frames.OfType<TtsStartedFrame>());
        var stopped = Assert.Single(frames.OfType<TtsStoppedFrame>());
        var context = started.ContextId!;
        Assert.Equal(context, stopped.ContextId);

        // Start, the first sentence's anchor, Started … Stopped, End; inside the context only audio, text and the second anchor.
        var shape = FrameAssert.Shape(frames);
        Assert.Equal(["LlmFullResponseStart", "Aggregated(Hello there.)", "TtsStarted"], shape.Take(3));
        Assert.Equal(["TtsStopped", "LlmFullResponseEnd"], shape.TakeLast(2));
        var inside = frames.SkipWhile(f => f is not TtsStartedFrame).Skip(1).TakeWhile(f => f is not TtsStoppedFrame).ToList();
        Assert.All(inside, f => Assert.True(f is TtsAudioRawFrame or TtsTextFrame or AggregatedTextFrame, f.ToString()));
        Assert.Equal(["Hello there.", "How are you?"], inside.OfType<TtsTextFrame>().Select(t => t.Text));
        Assert.Equal("How are you?", Assert.Single(inside.OfType<AggregatedTextFrame>(), f => f is not TtsTextFrame).Text);

        var bytes = frames.OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length);
        Assert.All(frames.OfType<TtsAudioRawFrame>(), a => Assert.Equal(context, a.ContextId));
        Assert.Equal(_emulator.Journal.AudioBytesSent(context), bytes);
        Assert.Equal(Expected("Hello there. ", 24000) + Expected("How are you? ", 24000), bytes);
        Assert.Equal(bytes, sink.BytesWritten);
        Assert.Equal(["Init", "Text:Hello there. ", "Text:How are you? ", "EndOfInput", "CloseContext"], await ClientJournalAsync(context));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task EndFrame_FlushWithNothingToSpeakAndNoOpenContext_OpensNoContextAndSendsNothing()
    {
        // Sentences outside a response are spoken one context each, so the flush's leftover markdown ("**") opened a
        // context of its own: with Async, one that has nothing to say (and, without audio, counts toward the unusable limit).
        var tts = CreateService();
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmTextFrame("Hello there.\n\n**"));
        var context = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!;
        await harness.EndAsync();

        Assert.Equal(context, Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>()).ContextId);
        Assert.Equal(["Hello there. "], _emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Text).Select(e => e.Detail));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task LlmTurn_ResponseWithNothingToSpeak_OpensNoContextAndSendsNothing()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("**"), new LlmTextFrame(" --"), new LlmFullResponseEndFrame());
        await harness.WaitDownAsync<LlmFullResponseEndFrame>();
        harness.Queue(new TtsSpeakFrame("Next."));
        var next = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!;
        await harness.EndAsync();

        Assert.Equal(next, Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>()).ContextId);
        Assert.Equal(["Next. "], _emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Text).Select(e => e.Detail));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task LlmTurn_FlushWithNothingToSpeakAfterASentence_GoesToTheTurnsContext()
    {
        // The turn's context is open: the leftover goes with it, as in Pipecat, and costs no context.
        var tts = CreateService();
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. **"), new LlmFullResponseEndFrame());
        var context = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!;
        await WaitForCloseContextAsync(context);
        await harness.EndAsync();

        Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>());
        Assert.Equal(["Init", "Text:Hello there. ", "Text:** ", "EndOfInput", "CloseContext"], await ClientJournalAsync(context));
        AssertTextInsideContext(WithoutBotFrames(harness.DownFrames), context, "**");
    }

    [Theory]
    [InlineData("\U0001F44D")] // thumbs up
    [InlineData("$")]
    [InlineData("#\uFE0F\u20E3")] // keycap number sign: "#", emoji presentation, combining enclosing keycap
    [InlineData("*\uFE0F\u20E3")] // keycap asterisk
    public async Task EndFrame_FlushOfOnlyAnEmojiOrASymbol_IsSpokenInItsOwnContext(string text)
    {
        // An emoji, a currency or another symbol has something a TTS may read out ("thumbs up", "dollar"): not dropped.
        // A keycap emoji is punctuation plus marks, so it is recognised by its enclosing keycap.
        var tts = CreateService();
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmTextFrame(text));
        await harness.EndAsync();

        Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>());
        Assert.Equal([text + " "], _emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Text).Select(e => e.Detail));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Interruption_MidContext_CloseContextSentNoStoppedLateAudioNeverReachesTheSink()
    {
        _emulator.Options.PacingRate = 1;
        var tts = CreateService();
        await using var harness = Start(tts, out var sink);
        harness.Queue(new TtsSpeakFrame("A long sentence that takes a few seconds of real time to stream out at pace."));
        var first = await harness.WaitDownAsync<TtsAudioRawFrame>();
        var interrupted = first.ContextId!;
        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await WaitForCloseContextAsync(interrupted);

        // The emulator (like Async's docs) finishes the closed context's audio: that is the late audio, all of it sent before the final.
        _emulator.Options.PacingRate = 0;
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == interrupted, PipelineHarness.Timeout);
        harness.Queue(new TtsSpeakFrame("Next."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var frames = harness.DownFrames.ToList();
        Assert.NotEqual(interrupted, stopped.ContextId);
        Assert.DoesNotContain(frames, f => f is TtsStoppedFrame s && s.ContextId == interrupted);
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is TtsAudioRawFrame a && a.ContextId == interrupted);
        var delivered = frames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == interrupted).Sum(a => a.Audio.Length);
        Assert.True(_emulator.Journal.AudioBytesSent(interrupted) > delivered, "the emulator sent late audio after the interruption");
        Assert.Equal(Expected("Next. ", 24000), frames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == stopped.ContextId).Sum(a => a.Audio.Length));
        Assert.Equal(frames.OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length), sink.BytesWritten);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Interruption_WhileTheEndFrameFlushesTheTurnsLastText_NotSentAndNoError()
    {
        // The EndFrame is uninterruptible, so an interruption does not wait for its flush. The flush had found the turn's
        // open context before the interruption (here it is held in a slow text filter) and then sent the last text into
        // the interrupted context: the client refused it, and the pipeline got an ErrorFrame for an interruption.
        var tts = CreateService(o => o.PauseFrameProcessing = false);
        using var heldFilter = new HeldTextFilter(tts.Options, "Last words");
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hello there. Last words"));
        var context = (await harness.WaitDownAsync<TtsStartedFrame>()).ContextId!;

        // The flush may run on the queuing thread (inline): queue the EndFrame from the pool, not from the test.
        var queueEnd = Task.Run(() => harness.Queue(new EndFrame()));
        await heldFilter.Entered;

        // Straight to the service: the task's pump may be the thread held in the filter, with the interruption behind it.
        tts.QueueFrame(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await WaitForCloseContextAsync(context);
        heldFilter.Release();
        await queueEnd.WaitAsync(PipelineHarness.Timeout);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is TtsAudioRawFrame or TtsTextFrame or TtsStoppedFrame);
        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Text && e.Detail == "Last words ");
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Interruption_WhileTheEndFramesFlushWaitsForTheHandshake_ItsContextNeverOpensAndNothingIsSent()
    {
        // The EndFrame's flush opens the turn's context and waits for the socket (the start's handshake was refused, so
        // the context connects). The interruption neither cancels nor awaits the uninterruptible EndFrame: the context
        // opened once the handshake completed, the flushed text went to the server and the context stayed open on the
        // client (no close_context) until the socket closed.
        await using var relay = new HoldingRelay(_emulator.WebSocketUrl);
        _emulator.Options.Faults.RejectHandshakeStatus = 503;
        var tts = CreateService(o =>
        {
            o.Url = relay.Url;
            o.PauseFrameProcessing = false;
        });
        await using var harness = Start(tts, out _);
        var startError = await harness.WaitUpAsync<ErrorFrame>();
        _emulator.Options.Faults.RejectHandshakeStatus = null;
        relay.Hold = true;

        // No sentence end: the text waits in the aggregator for the EndFrame's flush.
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Only words"));

        // The flush may run on the queuing thread (inline): queue the EndFrame from the pool, not from the test.
        var queueEnd = Task.Run(() => harness.Queue(new EndFrame()));
        await relay.Held.WaitAsync(PipelineHarness.Timeout);

        // Straight to the service: the task's pump may be the thread waiting for the handshake.
        tts.QueueFrame(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        relay.Release();
        await queueEnd.WaitAsync(PipelineHarness.Timeout);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        // A connection the emulator accepted has ended (the client closes it at the end, or gave it up): its messages are journaled.
        if (_emulator.Journal.ConnectionsAccepted > 0)
        {
            await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, PipelineHarness.Timeout);
        }

        var frames = harness.DownFrames.ToList();
        var interruption = frames.FindIndex(f => f is InterruptionFrame);
        Assert.DoesNotContain(frames.Skip(interruption), f => f is TtsAudioRawFrame or TtsTextFrame or TtsStartedFrame or TtsStoppedFrame);
        Assert.DoesNotContain(_emulator.Journal.Snapshot(), e => e.Kind is EmulatorEventKind.Text or EmulatorEventKind.EndOfInput);
        Assert.Equal([startError], harness.Errors);
    }

    [Fact]
    public async Task Turn_ServerFailsThePlayingTurnContext_TheRestOfTheTurnIsSpokenInANewContext()
    {
        // One context per socket: a context interrupted at pace stays open on the emulator until its final, so the next
        // turn's context is refused (TOO_MANY_CONTEXTS, for its id: a Server error, the service stays usable) while it plays.
        _emulator.Options.MaxContextsPerConnection = 1;
        _emulator.Options.PacingRate = 1;
        var tts = CreateService(o => o.PauseFrameProcessing = false);
        await using var harness = Start(tts, out _);
        harness.Queue(new TtsSpeakFrame("A long sentence that takes a few seconds of real time to stream out at pace."));
        var interrupted = (await harness.WaitDownAsync<TtsAudioRawFrame>()).ContextId!;
        harness.Queue(new InterruptionFrame());
        await harness.WaitDownAsync<InterruptionFrame>();
        await WaitForCloseContextAsync(interrupted);

        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("First sentence. S"));
        var refused = await harness.WaitUpAsync<ErrorFrame>();
        var failed = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!;

        // The interrupted context finishes on the server; the rest of the turn has room on the socket again.
        _emulator.Options.PacingRate = 0;
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == interrupted, PipelineHarness.Timeout);
        harness.Queue(new LlmTextFrame("econd sentence."), new LlmFullResponseEndFrame(), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(AsyncAIErrorCategory.Server, refused.Category);
        Assert.True(tts.IsUsable);
        Assert.True(harness.Errors.Count == 1, string.Join(" | ", harness.Errors.Select(e => $"{e.Category}: {e.Message}")));

        // Each context id is started and stopped once; the rest of the turn went to a new context and was voiced.
        var started = harness.DownFrames.OfType<TtsStartedFrame>().Select(s => s.ContextId!).ToList();
        Assert.Equal(started.Count, started.Distinct().Count());
        var stopped = harness.DownFrames.OfType<TtsStoppedFrame>().Select(s => s.ContextId!).ToList();
        Assert.Equal(stopped.Count, stopped.Distinct().Count());
        var rest = Assert.Single(harness.DownFrames.OfType<TtsTextFrame>(), t => t.Text == "Second sentence.").ContextId!;
        Assert.NotEqual(failed, rest);
        Assert.Equal(Expected("Second sentence. ", 24000), harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == rest).Sum(a => a.Audio.Length));
    }

    [Fact]
    public async Task TwoTurns_BackToBackWithoutPause_AudioOfEachTurnStaysInsideItsContext()
    {
        var tts = CreateService(o => o.PauseFrameProcessing = false);
        await using var harness = Start(tts, out _);
        harness.Queue(
            new LlmFullResponseStartFrame(), new LlmTextFrame("First turn, first sentence. "), new LlmTextFrame("First turn ends."), new LlmFullResponseEndFrame(),
            new LlmFullResponseStartFrame(), new LlmTextFrame("Second turn."), new LlmFullResponseEndFrame(),
            new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var frames = WithoutBotFrames(harness.DownFrames);
        Assert.Equal(
            ["LlmFullResponseStart", "TtsStarted", "TtsStopped", "LlmFullResponseEnd", "LlmFullResponseStart", "TtsStarted", "TtsStopped", "LlmFullResponseEnd", "Marker(1)"],
            frames.Where(f => f is LlmFullResponseStartFrame or LlmFullResponseEndFrame or TtsStartedFrame or TtsStoppedFrame or MarkerFrame).Select(f => FrameAssert.Shape([f])[0]));
        var contexts = frames.OfType<TtsStartedFrame>().Select(s => s.ContextId!).ToList();
        for (var turn = 0; turn < 2; turn++)
        {
            var context = contexts[turn];
            var start = frames.ToList().FindIndex(f => f is TtsStartedFrame s && s.ContextId == context);
            var stop = frames.ToList().FindIndex(f => f is TtsStoppedFrame s && s.ContextId == context);
            var audio = frames.Select((f, i) => (f, i)).Where(x => x.f is TtsAudioRawFrame a && a.ContextId == context).ToList();
            Assert.NotEmpty(audio);
            Assert.All(audio, x => Assert.InRange(x.i, start + 1, stop - 1));
            Assert.Equal(_emulator.Journal.AudioBytesSent(context), audio.Sum(x => ((TtsAudioRawFrame)x.f).Audio.Length));
        }

        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Speak_ManySpeakFramesBackToBack_EachContextPlaysWholeAndInOrder()
    {
        // Long and short texts mixed: later contexts finish streaming before earlier ones, and all of them share the
        // socket at once (no pause), so the service must hold each one's audio, end and stop until its turn.
        string[] texts =
        [
            "The first one is long enough to still be streaming when the others have finished.",
            "Short.",
            "A middle sized sentence comes third.",
            "Tiny.",
            "Fifth, and again a longer sentence so that the emulator interleaves plenty of chunks.",
            "Six.",
            "Seventh in the queue.",
            "The eighth and last.",
        ];
        var tts = CreateService(o => o.PauseFrameProcessing = false);
        await using var harness = Start(tts, out var sink);
        harness.Queue([.. texts.Select(t => (Frame)new TtsSpeakFrame(t)), new MarkerFrame(1)]);
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var frames = WithoutBotFrames(harness.DownFrames).ToList();
        var started = frames.OfType<TtsStartedFrame>().ToList();
        Assert.Equal(texts.Length, started.Count);
        Assert.Equal(texts.Length, frames.OfType<TtsStoppedFrame>().Count());
        var previousStop = -1;
        for (var i = 0; i < texts.Length; i++)
        {
            var context = started[i].ContextId!;
            var start = frames.IndexOf(started[i]);
            var stop = frames.FindIndex(f => f is TtsStoppedFrame s && s.ContextId == context);
            Assert.True(previousStop < start, $"context {i + 1} starts after context {i} stopped");
            Assert.True(start < stop, $"context {i + 1} stops after it started");
            var audio = frames.Select((f, index) => (f, index)).Where(x => x.f is TtsAudioRawFrame a && a.ContextId == context).ToList();
            Assert.NotEmpty(audio);
            Assert.All(audio, x => Assert.InRange(x.index, start + 1, stop - 1));
            Assert.All(frames.Skip(start + 1).Take(stop - start - 1).OfType<TtsAudioRawFrame>(), a => Assert.Equal(context, a.ContextId));
            var bytes = audio.Sum(x => ((TtsAudioRawFrame)x.f).Audio.Length);
            Assert.Equal(_emulator.Journal.AudioBytesSent(context), bytes);
            Assert.Equal(Expected(texts[i] + " ", 24000), bytes);
            var text = await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text && e.ContextId == context, PipelineHarness.Timeout);
            Assert.Equal(texts[i] + " ", text.Detail);
            previousStop = stop;
        }

        Assert.True(previousStop < frames.FindIndex(f => f is MarkerFrame), "the marker follows the last stop");
        Assert.Equal(frames.OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length), sink.BytesWritten);
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task TokenMode_LlmTokens_SentUnchangedInOneContext()
    {
        var tts = CreateService(o => o.AggregateSentences = false);
        await using var harness = Start(tts, out _);
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Hel"), new LlmTextFrame("lo the"), new LlmTextFrame("re. How"), new LlmTextFrame(" are you?"), new LlmFullResponseEndFrame());
        var context = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId!;
        await WaitForCloseContextAsync(context);
        await harness.EndAsync();

        Assert.Equal(["Init", "Text:Hel", "Text:lo the", "Text:re. How", "Text: are you?", "EndOfInput", "CloseContext"], await ClientJournalAsync(context));
        Assert.Equal(_emulator.Journal.AudioBytesSent(context), harness.DownFrames.OfType<TtsAudioRawFrame>().Sum(a => a.Audio.Length));
        Assert.Equal("Hello there. How are you?", Assert.Single(harness.DownFrames.OfType<TtsTextFrame>()).Text);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task TokenMode_ConnectFailsDuringAResponse_OneAttemptAndOneErrorForTheTurnTheNextTurnIsSpoken()
    {
        // An outage (every handshake refused with 503: a Server error, the service stays usable) over a whole LLM
        // response. Before, every token opened a context of its own and made its own connect attempt: an ErrorFrame per
        // token until the third silent context made the service unusable, so the next turn was not spoken either.
        _emulator.Options.Faults.RejectHandshakeStatus = 503;
        var tts = CreateService(o =>
        {
            o.AggregateSentences = false;
            o.PauseFrameProcessing = false;
        });
        await using var harness = Start(tts, out _);
        var startError = await harness.WaitUpAsync<ErrorFrame>();
        string[] tokens = ["Sorry", ",", " the", " line", " is", " down", " right", " now", "."];
        harness.Queue([new LlmFullResponseStartFrame(), .. tokens.Select(t => new LlmTextFrame(t)), new LlmFullResponseEndFrame(), new MarkerFrame(1)]);
        await harness.WaitDownAsync<MarkerFrame>();

        Assert.Equal(2, _emulator.Journal.HandshakesRejected); // the start's and the turn's
        Assert.True(harness.Errors.Count == 2, string.Join(" | ", harness.Errors.Select(e => $"{e.Category}: {e.Message}")));
        Assert.All(harness.Errors, e => Assert.Equal(AsyncAIErrorCategory.Server, e.Category));
        Assert.Single(harness.DownFrames.OfType<TtsStartedFrame>());
        Assert.Single(harness.DownFrames.OfType<TtsStoppedFrame>());
        Assert.Empty(harness.DownFrames.OfType<TtsTextFrame>()); // nothing was spoken
        Assert.True(tts.IsUsable);

        // The outage is over: the next turn connects again and is spoken whole.
        _emulator.Options.Faults.RejectHandshakeStatus = null;
        harness.Queue(new LlmFullResponseStartFrame(), new LlmTextFrame("Back"), new LlmTextFrame(" again."), new LlmFullResponseEndFrame(), new MarkerFrame(2));
        await harness.WaitDownAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();

        Assert.Equal("Back again.", Assert.Single(harness.DownFrames.OfType<TtsTextFrame>()).Text);
        var spoken = harness.DownFrames.OfType<TtsStoppedFrame>().Last().ContextId!;
        Assert.Equal(Expected("Back again.", 24000), harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == spoken).Sum(a => a.Audio.Length));
        Assert.Equal(2, harness.Errors.Count);
        Assert.Same(startError, harness.Errors[0]);
    }

    [Fact]
    public async Task Language_UnknownLanguageUpdate_InvalidRequestErrorUnusableNoReconnectStorm()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out _);
        harness.Queue(new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Language = "klingon" }), new TtsSpeakFrame("Qapla."));
        var error = await harness.WaitUpAsync<ErrorFrame>();
        harness.Queue(new TtsSpeakFrame("Again."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        Assert.Equal(AsyncAIErrorCategory.InvalidRequest, error.Category);
        Assert.False(tts.IsUsable);
        Assert.Equal(2, harness.DownFrames.OfType<TtsStoppedFrame>().Count());

        // The first connection (auto language) and one for "klingon", which the server refused and closed. A rejected
        // session is never retried by the client (without that it would reconnect until its short-lived limit).
        Assert.Equal(2, _emulator.Journal.ConnectionsAccepted);
        // Say which errors came when the count is off (seen once under heavy load: two errors for one rejection).
        Assert.True(
            harness.Errors.Count >= 1 && harness.Errors.Count <= _emulator.Journal.ConnectionsAccepted - 1,
            string.Join(" | ", harness.Errors.Select(e => $"{e.Category}: {e.Message}")));
        Assert.All(harness.Errors, e => Assert.Equal(AsyncAIErrorCategory.InvalidRequest, e.Category));
    }

    [Fact]
    public async Task Reconnect_ServerClosesIdleSocket_NextTurnWorksOnANewConnection()
    {
        _emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(300);
        var tts = CreateService();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = 0;
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.Disconnected += (_, _) => disconnected.TrySetResult();
        tts.Connected += (_, _) =>
        {
            if (Interlocked.Increment(ref connections) == 2)
            {
                reconnected.TrySetResult();
            }
        };
        await using var harness = Start(tts, out _);
        await disconnected.Task.WaitAsync(PipelineHarness.Timeout);
        _emulator.Options.Faults.CloseAfterIdle = null;
        await reconnected.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Queue(new TtsSpeakFrame("After the reconnect."));
        var stopped = await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == stopped.ContextId).Sum(a => a.Audio.Length);
        Assert.Equal(Expected("After the reconnect. ", 24000), audio);
        Assert.Equal(_emulator.Journal.AudioBytesSent(stopped.ContextId!), audio);
        Assert.True(_emulator.Journal.ConnectionsAccepted >= 2);
        Assert.True(tts.IsUsable);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Errors_HandshakeRejected401_OneAuthenticationErrorUnusableOneAttempt()
    {
        _emulator.Options.ApiKeys.Add("sk_right");
        var tts = CreateService(o => o.ApiKey = "sk_wrong");
        var connectionErrors = 0;
        tts.ConnectionError += (_, _) => Interlocked.Increment(ref connectionErrors);
        await using var harness = Start(tts, out _);
        harness.Queue(new TtsSpeakFrame("First."), new TtsSpeakFrame("Second."), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Same(tts, error.Processor);
        Assert.DoesNotContain("sk_wrong", error.Message, StringComparison.Ordinal);
        Assert.False(tts.IsUsable);
        Assert.Equal(1, _emulator.Journal.HandshakesRejected);
        Assert.Single(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.HandshakeRejected);
        Assert.Equal(0, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(1, connectionErrors);
        Assert.Equal(2, harness.DownFrames.OfType<TtsStoppedFrame>().Count());
        Assert.Empty(harness.DownFrames.OfType<TtsAudioRawFrame>());
    }

    [Fact]
    public async Task Language_RegionalAtInit_SentAsBaseCodeInTheInit()
    {
        var tts = CreateService(o => o.Params.Language = Language.DeDe);
        Assert.Equal("de", tts.Settings.Language);
        await using var harness = Start(tts, out _);
        harness.Queue(new TtsSpeakFrame("Guten Tag."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var init = Assert.Single(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Init);
        Assert.EndsWith(" de", init.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Settings_LanguageAndVoiceUpdate_NextContextOnANewConnectionWithTheNewInit()
    {
        var tts = CreateService();
        var connected = 0;
        var disconnected = 0;
        tts.Connected += (_, _) => Interlocked.Increment(ref connected);
        tts.Disconnected += (_, _) => Interlocked.Increment(ref disconnected);
        await using var harness = Start(tts, out _);
        harness.Queue(
            new TtsSpeakFrame("Before the update."),
            new TtsUpdateSettingsFrame(new TtsSettingsUpdate { Language = AsyncAILanguages.ToBcp47(Language.DeDe), Voice = OtherVoiceId }),
            new TtsSpeakFrame("Nach dem Update."),
            new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var inits = _emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Init).ToList();
        Assert.Equal(2, inits.Count);
        Assert.EndsWith(" auto", inits[0].Detail, StringComparison.Ordinal);
        Assert.Contains(VoiceIds.Default, inits[0].Detail, StringComparison.Ordinal);
        Assert.EndsWith(" de", inits[1].Detail, StringComparison.Ordinal);
        Assert.Contains(OtherVoiceId, inits[1].Detail, StringComparison.Ordinal);

        // Each speak ran on the connection whose init carried its settings, and the old connection was closed.
        var stops = harness.DownFrames.OfType<TtsStoppedFrame>().Select(s => s.ContextId!).ToList();
        Assert.Equal(2, stops.Count);
        var texts = _emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.Text).ToList();
        Assert.Equal(inits[0].ConnectionId, Assert.Single(texts, t => t.ContextId == stops[0]).ConnectionId);
        Assert.Equal(inits[1].ConnectionId, Assert.Single(texts, t => t.ContextId == stops[1]).ConnectionId);
        Assert.Contains(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Disconnected && e.ConnectionId == inits[0].ConnectionId);
        Assert.Equal(2, connected);
        Assert.Equal(1, disconnected); // the replaced connection closes quietly; the service disconnects once, at the end
        Assert.Equal("de-DE", tts.Settings.Language);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task SampleRate_NotSet_UsesThePipelineRateInTheInitAndTheFrames()
    {
        var tts = CreateService();
        await using var harness = Start(tts, out _, new PipelineParams { AudioOutSampleRate = 16000 });
        harness.Queue(new TtsSpeakFrame("Sixteen kilohertz."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.Equal(16000, tts.SampleRate);
        Assert.Contains("raw/pcm_s16le/16000", Assert.Single(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Init).Detail, StringComparison.Ordinal);
        var audio = harness.DownFrames.OfType<TtsAudioRawFrame>().ToList();
        Assert.All(audio, a => Assert.Equal(16000, a.SampleRate));
        Assert.Equal(Expected("Sixteen kilohertz. ", 16000), audio.Sum(a => a.Audio.Length));
    }

    [Fact]
    public async Task SampleRate_Set_OverridesThePipelineRate()
    {
        var tts = CreateService(o => o.SampleRate = 8000);
        await using var harness = Start(tts, out _, new PipelineParams { AudioOutSampleRate = 16000 });
        harness.Queue(new TtsSpeakFrame("Eight."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        Assert.All(harness.DownFrames.OfType<TtsAudioRawFrame>(), a => Assert.Equal(8000, a.SampleRate));
        Assert.Contains("/8000", Assert.Single(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Init).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_PipelineStartAndEnd_ConnectedAtStartDisconnectedAtEnd()
    {
        var tts = CreateService();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnects = 0;
        tts.Connected += (_, _) => connected.TrySetResult();
        tts.Disconnected += (_, _) => Interlocked.Increment(ref disconnects);
        await using var harness = Start(tts, out _);

        // Connected before any text: the socket opens when the pipeline starts.
        await connected.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.Equal(AsyncAIWebSocketState.Connected, tts.ConnectionState);
        Assert.Equal(1, _emulator.Journal.ConnectionsAccepted);
        Assert.Equal(0, disconnects);

        await harness.EndAsync();
        Assert.Equal(1, disconnects);
        Assert.Equal(AsyncAIWebSocketState.Disconnected, tts.ConnectionState);
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, PipelineHarness.Timeout);
        Assert.Contains(_emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.Terminate);
    }

    [Fact]
    public async Task Cancel_MidContext_DisconnectsWithinTheCloseTimeout()
    {
        _emulator.Options.PacingRate = 1;
        var tts = CreateService();
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.Disconnected += (_, _) => disconnected.TrySetResult();
        var harness = Start(tts, out _);
        harness.Queue(new TtsSpeakFrame("A long sentence that is still streaming when the pipeline is cancelled."));
        await harness.WaitDownAsync<TtsAudioRawFrame>();
        await harness.DisposeAsync();

        await disconnected.Task.WaitAsync(PipelineHarness.Timeout);
        Assert.DoesNotContain(harness.DownFrames, f => f is TtsStoppedFrame);
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, PipelineHarness.Timeout);
    }

    [Fact]
    public async Task Cancel_WhileATurnWaitsForTheHandshake_EndsPromptlyInsteadOfWaitingOutTheConnectTimeout()
    {
        // A server that refuses the first handshake with 503 (the start fails: a Server error, the service stays usable) and
        // then accepts TCP but never answers the upgrade, so the next turn's connect attempt hangs until ConnectTimeout.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                using (var refused = await listener.AcceptTcpClientAsync())
                {
                    var stream = refused.GetStream();
                    _ = await stream.ReadAsync(new byte[4096]);
                    await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                }

                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync());
                    hanging.TrySetResult();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var tts = CreateService(o =>
        {
            o.Url = new Uri($"ws://127.0.0.1:{port}/text_to_speech/websocket/ws");
            o.ConnectTimeout = TimeSpan.FromSeconds(8);
        });
        var harness = Start(tts, out _);
        try
        {
            await harness.WaitUpAsync<ErrorFrame>();
            harness.Queue(new TtsSpeakFrame("Never connects."));
            await hanging.Task.WaitAsync(PipelineHarness.Timeout);

            var clock = Stopwatch.StartNew();
            harness.Task.Cancel("test over");
            await harness.Run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the cancel took {clock.Elapsed.TotalSeconds:0.0} s: it waited for the connect attempt (ConnectTimeout 8 s)");

            // Only the failed start is reported: the abandoned connect attempt is no error.
            Assert.True(harness.Errors.Count == 1, string.Join(" | ", harness.Errors.Select(e => $"{e.Category}: {e.Message}")));
        }
        finally
        {
            await harness.DisposeAsync();
            listener.Stop();
            await accepting;
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Metrics_Enabled_TtfbAndUsageButNoProcessingTime()
    {
        // Pipecat's test_tts_processing_metrics.py: a WebSocket send returns before synthesis, so no processing time.
        var tts = CreateService();
        await using var harness = Start(tts, out _, new PipelineParams { EnableMetrics = true, EnableUsageMetrics = true });
        harness.Queue(new TtsSpeakFrame("Metrics please."));
        await harness.WaitDownAsync<TtsStoppedFrame>();
        await harness.EndAsync();

        var data = harness.DownFrames.OfType<MetricsFrame>().SelectMany(m => m.Data).ToList();
        Assert.Single(data.OfType<TtfbMetricsData>());
        Assert.Empty(data.OfType<ProcessingMetricsData>());
        Assert.Equal("Metrics please.".Length, Assert.Single(data.OfType<TtsUsageMetricsData>()).Characters);
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public async Task Pause_NoOutputSinkInThePipeline_OneWatchdogTimeoutErrorThenTheNextFrameArrives()
    {
        // The derived WebSocket row: without a transport (nothing reports BotStarted/BotStoppedSpeaking) a paused turn ends
        // by the watchdog, with one upstream, non-fatal error. PauseFrameProcessing is on by default.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tts = CreateService();
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.TurnPaused += (_, _) => paused.TrySetResult();
        await using var harness = PipelineHarness.Start(tts, timeProvider: time);
        harness.Queue(new TtsSpeakFrame("Hello"), new MarkerFrame(1));
        await paused.Task.WaitAsync(PipelineHarness.Timeout);
        await harness.WaitDownAsync<TtsStoppedFrame>();
        Assert.DoesNotContain(harness.Down.Frames, f => f is MarkerFrame);

        time.Advance(new TtsServiceOptions().PauseWatchdogTimeout);
        await harness.WaitDownAsync<MarkerFrame>();
        await harness.EndAsync();

        var error = Assert.Single(harness.Errors);
        Assert.Same(tts, error.Processor);
        Assert.False(error.Fatal);
        Assert.Equal(AsyncAIErrorCategory.Timeout, error.Category);
    }

    [Fact]
    public async Task Pause_TheTurnsAudioPlayedOutBeforeTheResponseEnds_TheContextsFinalLiftsThePause()
    {
        // The turn's sentence plays out and the sink reports the bot stopped (its silence timeout) before the response end.
        // The turn's context is still open then (Async sends its final only after close_context), so the turn pauses; no
        // stop comes after that final (the bot has stopped already), and it is the final that lifts the pause, not the
        // watchdog (fake time stays well short of it).
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tts = CreateService();
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tts.TurnPaused += (_, _) => paused.TrySetResult();
        var sink = new PcmStreamSink(new MemoryStream());
        await using var harness = PipelineHarness.Start([tts, sink], timeProvider: time);
        harness.Queue(new LlmFullResponseStartFrame(), new AggregatedTextFrame("Hello.", AggregationType.Sentence));
        var expected = Expected("Hello. ", 24000);
        await harness.WaitDownAsync<TtsAudioRawFrame>(_ => sink.BytesWritten >= expected);
        time.Advance(AudioOutputSink.DefaultSilenceTimeout);
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>();

        harness.Queue(new LlmFullResponseEndFrame(), new TtsSpeakFrame("Next."));
        await paused.Task.WaitAsync(PipelineHarness.Timeout);
        var turn = (await harness.WaitDownAsync<TtsStoppedFrame>()).ContextId;
        var next = (await harness.WaitDownAsync<TtsStoppedFrame>(f => f.ContextId != turn)).ContextId!;
        await harness.EndAsync();

        Assert.Equal(Expected("Next. ", 24000), harness.DownFrames.OfType<TtsAudioRawFrame>().Where(a => a.ContextId == next).Sum(a => a.Audio.Length));
        Assert.Empty(harness.Errors);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowNamingTheOption()
    {
        Assert.Equal("ApiKey", Assert.ThrowsAny<ArgumentException>(() => new AsyncAITtsService(new AsyncAITtsServiceOptions { VoiceId = "v" })).ParamName);
        Assert.Equal("VoiceId", Assert.ThrowsAny<ArgumentException>(() => new AsyncAITtsService(new AsyncAITtsServiceOptions { ApiKey = "sk_x" })).ParamName);
        Assert.Equal("Url", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Url = new Uri("https://api.async.com"))).ParamName);
        Assert.Equal("SampleRate", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.SampleRate = 96000)).ParamName);
        Assert.Equal("Container", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Container = AudioContainers.Wav)).ParamName);
        Assert.Equal("Container", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Container = AudioContainers.Mp3)).ParamName);
        Assert.Equal("Params.Language", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Params.Language = (Language)(-1))).ParamName);
        Assert.Equal("Encoding", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Encoding = AudioEncodings.PcmF32Le)).ParamName);
        Assert.Equal("Encoding", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Encoding = AudioEncodings.PcmMulaw)).ParamName);
        Assert.Equal("Reconnect.MaxAttempts", Assert.ThrowsAny<ArgumentException>(() => CreateService(o => o.Reconnect.MaxAttempts = 0)).ParamName);
        Assert.Throws<ArgumentNullException>("options", () => new AsyncAITtsService(null!));
    }

    [Fact]
    public void Options_Defaults_MatchTheSeedDocument()
    {
        var options = new AsyncAITtsServiceOptions();
        Assert.Equal(new Uri("wss://api.async.com/text_to_speech/websocket/ws"), options.Url);
        Assert.Equal(AsyncAIModels.FlashV10, options.Model);
        Assert.Equal("v1", options.Version);
        Assert.Null(options.SampleRate);
        Assert.Equal(AudioEncodings.PcmS16Le, options.Encoding);
        Assert.Equal(AudioContainers.Raw, options.Container);
        Assert.True(options.AggregateSentences);
        Assert.Null(options.Params.Language);
    }

    private static IReadOnlyList<Frame> WithoutBotFrames(IEnumerable<Frame> frames) =>
        [.. frames.Where(f => f is not BotStartedSpeakingFrame and not BotStoppedSpeakingFrame and not MetricsFrame)];

    /// <summary>Exactly one TtsText with <paramref name="text"/> for the context, between its Started and Stopped.</summary>
    private static void AssertTextInsideContext(IReadOnlyList<Frame> frames, string context, string text)
    {
        var list = frames.ToList();
        var started = list.FindIndex(f => f is TtsStartedFrame s && s.ContextId == context);
        var stopped = list.FindIndex(f => f is TtsStoppedFrame s && s.ContextId == context);
        var texts = list.Select((f, i) => (f, i)).Where(x => x.f is TtsTextFrame t && t.ContextId == context && t.Text == text).ToList();
        var single = Assert.Single(texts);
        Assert.InRange(single.i, started + 1, stopped - 1);
    }

    private static int Expected(string transcript, int sampleRate) =>
        EmulatorAudio.ExpectedByteCount(transcript, sampleRate, AudioEncodings.PcmS16Le, new EmulatorOptions().SecondsPerCharacter);

    private static PipelineHarness Start(AsyncAITtsService tts, out PcmStreamSink sink, PipelineParams? parameters = null)
    {
        sink = new PcmStreamSink(new MemoryStream());
        return PipelineHarness.Start([tts, sink], parameters);
    }

    /// <summary>
    /// What the client sent for the context (and the connection's init), in the order the emulator received it: "Init",
    /// "Text:…", "EndOfInput", "CloseContext". The server's own events (audio, final) are left out: only the client's
    /// messages are compared.
    /// </summary>
    private Task<EmulatorEvent> WaitForCloseContextAsync(string context) =>
        _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.CloseContext && e.ContextId == context, PipelineHarness.Timeout);

    private async Task<List<string>> ClientJournalAsync(string context)
    {
        // The emulator journals its final just before writing it, so a client that has seen it finds it journaled.
        await _emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == context, PipelineHarness.Timeout);
        var events = _emulator.Journal.Snapshot();
        var connection = events.First(e => e.ContextId == context).ConnectionId;
        return
        [
            .. events
                .Where(e => e.ConnectionId == connection && (e.Kind == EmulatorEventKind.Init || (e.ContextId == context && e.Kind is not (EmulatorEventKind.AudioSent or EmulatorEventKind.FinalSent))))
                .Select(e => e.Kind == EmulatorEventKind.Text ? $"Text:{e.Detail}" : e.Kind.ToString()),
        ];
    }

    private AsyncAITtsServiceOptions Options() => new()
    {
        ApiKey = "sk_test",
        VoiceId = VoiceIds.Default,
        Url = _emulator.WebSocketUrl,
    };

    private AsyncAITtsService CreateService(Action<AsyncAITtsServiceOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return new AsyncAITtsService(options);
    }

    private static class VoiceIds
    {
        public const string Default = "e0f39dc4-f691-4e78-bba5-5c636692cc04";
    }
}
