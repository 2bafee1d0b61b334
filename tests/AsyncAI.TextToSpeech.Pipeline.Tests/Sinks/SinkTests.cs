using System.Buffers.Binary;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Sinks;

public class SinkTests
{
    [Fact]
    public async Task WavFileSink_SpokenTurn_WritesAHeaderWithTheRightSizesAndAllAudio()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipeline-test-{Guid.NewGuid():N}.wav");
        try
        {
            var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
            var sink = new WavFileSink(path);
            await using (var harness = PipelineHarness.Start(new FrameProcessor[] { tts, sink }, new PipelineParams { AudioOutSampleRate = 16000 }))
            {
                harness.Queue(new TtsSpeakFrame("Hello there."), new TtsSpeakFrame("Second one."));
                await harness.EndAsync();
            }

            var bytes = await File.ReadAllBytesAsync(path);
            var expectedData = TestTtsService.ExpectedBytes("Hello there.") + TestTtsService.ExpectedBytes("Second one.");
            Assert.Equal(WavFileSink.HeaderSize + expectedData, bytes.Length);
            Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
            Assert.Equal((uint)(bytes.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
            Assert.Equal("WAVE"u8.ToArray(), bytes[8..12]);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));
            Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)));
            Assert.Equal(16000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
            Assert.Equal(32000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
            Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(34)));
            Assert.Equal("data"u8.ToArray(), bytes[36..40]);
            Assert.Equal((uint)expectedData, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
            Assert.Equal(expectedData, sink.BytesWritten);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WavFileSink_NoAudio_StillWritesAValidEmptyFile()
    {
        var stream = new MemoryStream();
        await using (var harness = PipelineHarness.Start(new WavFileSink(stream, leaveOpen: true)))
        {
            await harness.EndAsync();
        }

        var bytes = stream.ToArray();
        Assert.Equal(WavFileSink.HeaderSize, bytes.Length);
        Assert.Equal(36u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(24000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
    }

    [Fact]
    public async Task WavFileSink_NonSeekableStream_MarksSizesUnknown()
    {
        var inner = new MemoryStream();
        var stream = new NonSeekableStream(inner);
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using (var harness = PipelineHarness.Start(new FrameProcessor[] { tts, new WavFileSink(stream, leaveOpen: true) }))
        {
            harness.Queue(new TtsSpeakFrame("Streamed."));
            await harness.EndAsync();
        }

        var bytes = inner.ToArray();
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(WavFileSink.HeaderSize + TestTtsService.ExpectedBytes("Streamed."), bytes.Length);
    }

    [Fact]
    public async Task PcmStreamSink_Audio_WrittenExactlyAndBotSpeakingReportedOnceEachWay()
    {
        var stream = new MemoryStream();
        var tts = new TestTtsService(TestTtsBehaviour.WebSocketLike);
        await using var harness = PipelineHarness.Start(new FrameProcessor[] { tts, new PcmStreamSink(stream, leaveOpen: true) });
        harness.Queue(new TtsSpeakFrame("Raw audio."));
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>();
        await harness.EndAsync();

        Assert.Equal(TestTtsService.ExpectedBytes("Raw audio."), stream.Length);
        Assert.Single(harness.Up.Frames.OfType<BotStartedSpeakingFrame>());
        Assert.Single(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
        var down = harness.DownFrames.ToList();
        Assert.True(down.IndexOf(down.OfType<BotStartedSpeakingFrame>().Single()) < down.IndexOf(down.OfType<TtsAudioRawFrame>().First()));
    }

    [Fact]
    public async Task PcmStreamSink_FlushFailsAtTheEnd_ErrorIsReportedTheRunEndsAndTheStreamIsDisposed()
    {
        var stream = new BrokenPipeStream();
        await using var harness = PipelineHarness.Start(new PcmStreamSink(stream));
        harness.Queue(new TtsAudioRawFrame(new byte[480], 24000, 1, "c"));

        await harness.EndAsync(); // the run ends only when the EndFrame gets past the sink: it used to stop at the failed flush

        Assert.Contains(harness.Errors, e => e.Exception is IOException);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task PcmStreamSink_FlushFailsAtCancel_TheRunEndsWithoutWaitingForCancelTimeout()
    {
        var stream = new BrokenPipeStream();
        await using var harness = PipelineHarness.Start(new PcmStreamSink(stream), new PipelineParams { CancelTimeout = Timeout.InfiniteTimeSpan });
        harness.Queue(new TtsAudioRawFrame(new byte[480], 24000, 1, "c"), new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();

        harness.Task.Cancel("test");

        await harness.Run.WaitAsync(PipelineHarness.Timeout);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task PcmStreamSink_CancelWhileAWriteThatIgnoresItsTokenIsBlocked_TheRunEndsWithoutWaitingForCancelTimeout()
    {
        // Standard output into a player that stopped reading: the console stream's write blocks and does not observe its
        // token. Ctrl+C must still end the run (the CancelFrame goes on, the cleanup is bounded), as it does when the
        // flush fails, instead of the CancelFrame waiting for a write that never ends.
        var stream = new StalledPipeStream();
        await using var harness = PipelineHarness.Start(
            new PcmStreamSink(stream, leaveOpen: true),
            new PipelineParams { CancelTimeout = Timeout.InfiniteTimeSpan, CleanupTimeout = TimeSpan.FromMilliseconds(200) });
        harness.Queue(new TtsAudioRawFrame(new byte[480], 24000, 1, "c"));
        await stream.WriteStarted.Task.WaitAsync(PipelineHarness.Timeout);

        harness.Task.Cancel("test");

        try
        {
            await harness.Run.WaitAsync(PipelineHarness.Timeout);
        }
        finally
        {
            stream.Release();
        }
    }

    /// <summary>A pipe whose reader stopped: a write blocks until released and, like a console stream's, ignores its token.</summary>
    private sealed class StalledPipeStream : MemoryStream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WriteStarted.TrySetResult();
            await _released.Task;
            Write(buffer.Span);
        }
    }

    [Fact]
    public void WavFileSink_InvalidSilenceTimeout_ThrowsBeforeTouchingTheFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "keep me");

            Assert.Equal("silenceTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new WavFileSink(path, TimeSpan.Zero)).ParamName);
            Assert.Equal("silenceTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new WavFileSink(path, TimeSpan.FromDays(60))).ParamName);

            Assert.Equal("keep me", File.ReadAllText(path));
            using var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // no handle left open
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PcmStreamSink_SilenceTimeoutLongerThanATimerCanWait_ThrowsAtConstruction() =>
        Assert.Equal("silenceTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new PcmStreamSink(new MemoryStream(), silenceTimeout: TimeSpan.FromDays(60))).ParamName);

    [Fact]
    public async Task PcmStreamSink_StreamWriteBlocks_PusherIsNotBlocked()
    {
        // Like standard output piped into a player that lags: WriteAsync blocks synchronously.
        using var stream = new BlockingStream();
        var sink = new PcmStreamSink(stream, leaveOpen: true);
        await using var harness = PipelineHarness.Start(sink);
        await harness.WaitDownAsync<StartFrame>();
        var audio = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");

        // Pushed straight into the sink, as the TTS service's output does (from the provider's receive loop).
        var push = Task.Run(() => sink.QueueFrame(audio));
        await stream.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await push.WaitAsync(TimeSpan.FromSeconds(10)); // an inline write would hold the pusher here until released

        // The write is still blocked, yet the push returned: the sink writes on its own loop, not on the pusher's thread.
        Assert.False(stream.Released.IsSet);
        Assert.True(push.IsCompletedSuccessfully);
        stream.Released.Set();
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == audio);
        await harness.EndAsync();
        Assert.Equal(960, stream.Length);
    }

    [Fact]
    public async Task WavFileSink_CancelledWhileAnAudioWriteIsInFlight_FinishesTheFileOnlyAfterTheWrite()
    {
        // The header fix-up at the CancelFrame seeks and writes the stream; it must not do so while the data loop's
        // audio write is still running on the same stream (streams are not thread-safe; a FileStream write already
        // issued would land after a header that does not count it).
        var stream = new OverlapDetectingStream { HeldLength = 100 };
        await using (var harness = PipelineHarness.Start(new WavFileSink(stream, leaveOpen: true)))
        {
            await harness.WaitDownAsync<StartFrame>();
            harness.Queue(new TtsAudioRawFrame(new byte[100], 24000, 1, "ctx"));
            await stream.HeldWriteStarted.Task.WaitAsync(PipelineHarness.Timeout);

            harness.Task.Cancel("test");
            await harness.Run.WaitAsync(PipelineHarness.Timeout);
        }

        Assert.False(stream.Overlapped, "the sink used the stream while an audio write was in flight");
        var bytes = stream.ToArray();
        Assert.Equal((uint)(bytes.Length - WavFileSink.HeaderSize), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
    }

    /// <summary>Writes of <see cref="HeldLength"/> bytes wait until cancelled (then write nothing); records any use of the stream meanwhile.</summary>
    private sealed class OverlapDetectingStream : MemoryStream
    {
        private int _pending;

        public int HeldLength { get; init; }

        public TaskCompletionSource HeldWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Overlapped { get; private set; }

        public override long Position
        {
            get => base.Position;
            set
            {
                Check();
                base.Position = value;
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Check();
            if (buffer.Length != HeldLength)
            {
                Write(buffer.Span);
                return;
            }

            Volatile.Write(ref _pending, 1);
            HeldWriteStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _pending, 0);
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Check();
            return base.FlushAsync(cancellationToken);
        }

        private void Check()
        {
            if (Volatile.Read(ref _pending) == 1)
            {
                Overlapped = true;
            }
        }
    }

    private sealed class BrokenPipeStream : MemoryStream
    {
        public bool Disposed { get; private set; }

        public override Task FlushAsync(CancellationToken cancellationToken) => throw new IOException("Broken pipe");

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class BlockingStream : MemoryStream
    {
        public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Released { get; } = new();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WriteStarted.TrySetResult();
            Released.Wait(TimeSpan.FromSeconds(30), cancellationToken);
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Released.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task AudioOutputSink_SilenceWithoutStop_ReportsBotStoppedAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var tts = new TestTtsService(TestTtsBehaviour.Manual);
        await using var harness = PipelineHarness.Start(new FrameProcessor[] { tts, new PcmStreamSink(new MemoryStream()) }, timeProvider: time);
        harness.Queue(new TtsSpeakFrame("Trailing off."));
        var context = await tts.WaitForContextAsync(0);
        context.EmitAudio(4);
        await harness.WaitUpAsync<BotStartedSpeakingFrame>();
        await harness.WaitDownAsync<TtsAudioRawFrame>();

        time.Advance(AudioOutputSink.DefaultSilenceTimeout);
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>();
        context.End();
        await harness.EndAsync();

        Assert.Single(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
    }

    [Fact]
    public async Task AudioOutputSink_AudioWithinTheTimeout_SilenceMeasuredFromTheLastAudioNotTheFirst()
    {
        var time = new FakeTimeProvider();
        await using var harness = PipelineHarness.Start(new PcmStreamSink(new MemoryStream()), timeProvider: time);
        var first = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");
        var second = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");

        // The sink passes each audio frame on after it armed (or kept) its silence timer, so seeing it downstream
        // means the timer has taken that frame into account.
        harness.Queue(first);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == first);
        time.Advance(TimeSpan.FromMilliseconds(200));
        harness.Queue(second);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == second);
        time.Advance(TimeSpan.FromMilliseconds(200));

        // 400 ms after the first audio, 200 ms after the last: still speaking. (The captures at both ends record
        // synchronously, and fake timers fire inside Advance, so a stop would already be there.)
        Assert.Empty(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
        Assert.Empty(harness.Down.Frames.OfType<BotStoppedSpeakingFrame>());

        time.Advance(TimeSpan.FromMilliseconds(149));
        Assert.Empty(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());

        time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>();
        await harness.WaitDownAsync<BotStoppedSpeakingFrame>();
        time.Advance(AudioOutputSink.DefaultSilenceTimeout * 3);
        await harness.EndAsync();

        Assert.Single(harness.Up.Frames.OfType<BotStartedSpeakingFrame>());
        Assert.Single(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
        Assert.Single(harness.Down.Frames.OfType<BotStartedSpeakingFrame>());
        Assert.Single(harness.Down.Frames.OfType<BotStoppedSpeakingFrame>());
        var down = harness.DownFrames.ToList();
        Assert.True(down.IndexOf(second) < down.IndexOf(down.OfType<BotStoppedSpeakingFrame>().Single()), "the stop follows the last audio");
    }

    [Fact]
    public async Task AudioOutputSink_SilenceTimerFiresWhileASlowWriteIsInFlight_NoStopInTheMiddleOfTheSpeech()
    {
        // A blocking output (a device paced in real time) can take longer than the silence timeout for one write. The
        // timer used to push BotStoppedSpeaking from its own thread in the middle of that write, and the next audio
        // then started the bot again: a false stop (which lifts a TTS service's pause) inside one stretch of speech.
        var time = new FakeTimeProvider();
        var sink = new GatedSink();
        await using var harness = PipelineHarness.Start(sink, timeProvider: time);
        var first = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");
        var slow = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");
        var third = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");

        harness.Queue(first);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == first);
        var writing = sink.HoldNextWrite();
        harness.Queue(slow);
        await writing.WaitAsync(PipelineHarness.Timeout);
        time.Advance(AudioOutputSink.DefaultSilenceTimeout); // measured from the first audio: fires mid-write
        sink.ReleaseWrite();
        harness.Queue(third, new TtsStoppedFrame("c1"));
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>();
        await harness.EndAsync();

        Assert.Single(harness.Up.Frames.OfType<BotStartedSpeakingFrame>());
        Assert.Single(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
        var down = harness.DownFrames.ToList();
        Assert.True(down.IndexOf(third) < down.IndexOf(down.OfType<BotStoppedSpeakingFrame>().Single()), "the stop follows the last audio");
    }

    /// <summary>An output whose next write can be held, as a device paced in real time holds it.</summary>
    private sealed class GatedSink : AudioOutputSink
    {
        private TaskCompletionSource? _started;
        private TaskCompletionSource? _release;

        public Task HoldNextWrite()
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _started.Task;
        }

        public void ReleaseWrite() => _release?.TrySetResult();

        protected override async ValueTask WriteAudioAsync(TtsAudioRawFrame frame, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _started, null) is { } started)
            {
                started.TrySetResult();
                await _release!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [Fact]
    public async Task AudioOutputSink_SpeechAfterASilenceStop_NextStretchGetsItsOwnStartAndStop()
    {
        var time = new FakeTimeProvider();
        await using var harness = PipelineHarness.Start(new PcmStreamSink(new MemoryStream()), timeProvider: time);
        var first = new TtsAudioRawFrame(new byte[960], 24000, 1, "c1");
        var second = new TtsAudioRawFrame(new byte[960], 24000, 1, "c2");

        harness.Queue(first);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == first);
        time.Advance(AudioOutputSink.DefaultSilenceTimeout);
        var firstStop = await harness.WaitUpAsync<BotStoppedSpeakingFrame>();

        // Long after the first stretch: the timer is armed afresh and counts from this audio.
        time.Advance(TimeSpan.FromSeconds(10));
        harness.Queue(second);
        await harness.WaitDownAsync<TtsAudioRawFrame>(f => f == second);
        time.Advance(AudioOutputSink.DefaultSilenceTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Single(harness.Up.Frames.OfType<BotStoppedSpeakingFrame>());
        time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.WaitUpAsync<BotStoppedSpeakingFrame>(f => f != firstStop); // the timer stops the bot on the sink's data path
        await harness.EndAsync();

        Assert.Equal(2, harness.Up.Frames.OfType<BotStartedSpeakingFrame>().Count());
        Assert.Equal(2, harness.Down.Frames.OfType<BotStoppedSpeakingFrame>().Count());
    }

    [Fact]
    public void WriteHeader_DestinationTooSmall_Throws() =>
        Assert.Throws<ArgumentException>("destination", () => WavFileSink.WriteHeader(new byte[10], 24000, 1, 0));

    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
