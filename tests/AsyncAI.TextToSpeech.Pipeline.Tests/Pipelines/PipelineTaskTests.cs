using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Pipelines;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

public class PipelineTaskTests
{
    [Fact]
    public async Task RunAsync_EndFrameQueued_EndsAfterEveryFrameInOrder()
    {
        await using var harness = PipelineHarness.Start(new GateProcessor());
        var frames = Enumerable.Range(0, 50).Select(i => new MarkerFrame(i)).ToArray();
        harness.Queue(frames);
        await harness.EndAsync();

        Assert.Equal(frames, harness.DownFrames);
        Assert.IsType<StartFrame>(harness.Down.Frames[0]);
        Assert.IsType<EndFrame>(harness.Down.Frames[^1]);
        Assert.True(harness.Task.HasFinished);
    }

    [Fact]
    public async Task RunAsync_Parameters_ReachProcessorsInTheStartFrame()
    {
        await using var harness = PipelineHarness.Start(new GateProcessor(), new PipelineParams { EnableMetrics = true, EnableUsageMetrics = true });
        var start = await harness.WaitDownAsync<StartFrame>();
        await harness.EndAsync();

        Assert.Equal(24000, start.AudioOutSampleRate);
        Assert.True(start.EnableMetrics);
        Assert.True(start.EnableUsageMetrics);
    }

    [Fact]
    public async Task RunAsync_FatalErrorUpstream_CancelsTheRunAndRaisesTheEvent()
    {
        var gate = new GateProcessor();
        await using var harness = PipelineHarness.Start(gate);
        var raised = new TaskCompletionSource<ErrorFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Task.ErrorReceived += (_, e) => raised.TrySetResult(e.Error);

        harness.Task.QueueFrame(new ErrorFrame("fatal problem") { Fatal = true }, FrameDirection.Upstream);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.Equal("fatal problem", (await raised.Task.WaitAsync(PipelineHarness.Timeout)).Message);
        Assert.Contains(harness.Down.Frames, f => f is CancelFrame);
    }

    [Fact]
    public async Task RunAsync_CancellationToken_CancelsTheRun()
    {
        using var cts = new CancellationTokenSource();
        var capture = new FrameCaptureProcessor(FrameDirection.Downstream);
        var task = new PipelineTask(new Pipeline(new GateProcessor(), capture));
        var run = task.RunAsync(cts.Token);
        await capture.WaitForFrameAsync<StartFrame>(PipelineHarness.Timeout);

        await cts.CancelAsync();
        await run.WaitAsync(PipelineHarness.Timeout);

        Assert.Contains(capture.Frames, f => f is CancelFrame);
    }

    [Fact]
    public async Task RunAsync_UpstreamEndFrame_EndsThePipeline()
    {
        await using var harness = PipelineHarness.Start(new GateProcessor());
        await harness.WaitDownAsync<StartFrame>();
        harness.Task.QueueFrame(new EndFrame("from the sink side"), FrameDirection.Upstream);
        await harness.Run.WaitAsync(PipelineHarness.Timeout);

        Assert.Contains(harness.Down.Frames, f => f is EndFrame);
    }

    [Fact]
    public async Task Pipeline_Nested_FramesFlowThroughBothLevelsBothWays()
    {
        var inner = new Pipeline(new GateProcessor(), new GateProcessor());
        await using var harness = PipelineHarness.Start(new FrameProcessor[] { new GateProcessor(), inner, new GateProcessor() });
        harness.Queue(new MarkerFrame(1));
        await harness.WaitDownAsync<MarkerFrame>();
        harness.Task.QueueFrame(new MarkerFrame(2), FrameDirection.Upstream);
        await harness.WaitUpAsync<MarkerFrame>(m => m.Number == 2);
        await harness.EndAsync();
    }

    [Fact]
    public async Task RunAsync_SecondRun_Throws()
    {
        await using var harness = PipelineHarness.Start(new GateProcessor());
        await harness.EndAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Task.RunAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_SetupOutlivesSetupTimeout_ThrowsTimeoutNamingTheSetting(bool honoursToken)
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var stuck = new StuckSetupProcessor(honoursToken);
        var task = new PipelineTask(stuck, new PipelineParams { SetupTimeout = TimeSpan.FromMilliseconds(100), CleanupTimeout = TimeSpan.FromMilliseconds(100) }, loggerFactory: loggerFactory);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => task.RunAsync().WaitAsync(PipelineHarness.Timeout));

        Assert.Contains("SetupTimeout", error.Message, StringComparison.Ordinal);
        Assert.True(task.HasFinished);
        Assert.Equal(!honoursToken, logs.GetSnapshot().Any(r => r.Message.Contains("setup was still running", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_SetupTimesOutAndUnwindsSlowly_CleanupWaitsForTheSetupToEnd()
    {
        var slow = new StuckSetupProcessor(honoursToken: true) { UnwindDelay = TimeSpan.FromMilliseconds(200) };
        var task = new PipelineTask(slow, new PipelineParams { SetupTimeout = TimeSpan.FromMilliseconds(50) });

        await Assert.ThrowsAsync<TimeoutException>(() => task.RunAsync().WaitAsync(PipelineHarness.Timeout));

        Assert.Equal(["setup entered", "setup ended", "cleanup"], slow.Events);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringSetup_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var stuck = new StuckSetupProcessor(honoursToken: true);
        var task = new PipelineTask(stuck);
        var run = task.RunAsync(cts.Token);
        await stuck.Entered.Task.WaitAsync(PipelineHarness.Timeout);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(PipelineHarness.Timeout));
    }

    [Fact]
    public async Task Cancel_DuringSetup_StopsTheSetupAndEndsTheRunWithoutWaitingForSetupTimeout()
    {
        // PipelineRunner's Ctrl+C calls Cancel, not the run's token: a setup stuck on a connect must be stopped too,
        // not left to run into SetupTimeout (20 s) and end the run with a TimeoutException.
        var stuck = new StuckSetupProcessor(honoursToken: true);
        var task = new PipelineTask(stuck);
        var run = task.RunAsync();
        await stuck.Entered.Task.WaitAsync(PipelineHarness.Timeout);

        task.Cancel("Ctrl+C");

        await run.WaitAsync(PipelineHarness.Timeout);
        Assert.True(task.HasFinished);
        Assert.Equal(["setup entered", "setup ended", "cleanup"], stuck.Events);
    }

    [Fact]
    public async Task RunAsync_CleanupIgnoresItsToken_RunEndsAfterCleanupTimeoutAndALaterFailureIsLogged()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var stuck = new StuckCleanupProcessor();
        var capture = new FrameCaptureProcessor(FrameDirection.Downstream);
        var task = new PipelineTask(new Pipeline(stuck, capture), new PipelineParams { CleanupTimeout = TimeSpan.FromMilliseconds(100) }, loggerFactory: loggerFactory);
        var run = task.RunAsync();
        await capture.WaitForFrameAsync<StartFrame>(PipelineHarness.Timeout);

        task.QueueFrame(new EndFrame());
        await run.WaitAsync(PipelineHarness.Timeout);

        Assert.True(task.HasFinished);
        Assert.False(stuck.Released.Task.IsCompleted);
        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("cleanup did not finish", StringComparison.Ordinal));

        // The cleanup it gave up on still has an owner: its failure is logged, not left unobserved.
        var logged = WaitForLogAsync(logs, r => r.Exception is InvalidOperationException { Message: "late cleanup failure" });
        stuck.Released.SetException(new InvalidOperationException("late cleanup failure"));
        Assert.Equal(LogLevel.Warning, (await logged).Level);
    }

    private static async Task<FakeLogRecord> WaitForLogAsync(FakeLogCollector logs, Func<FakeLogRecord, bool> match)
    {
        using var timeout = new CancellationTokenSource(PipelineHarness.Timeout);
        await foreach (var record in logs.GetLogsAsync(timeout.Token))
        {
            if (match(record))
            {
                return record;
            }
        }

        throw new InvalidOperationException("unreachable: the log stream ends only by cancellation");
    }

    [Fact]
    public async Task Cancel_WhileTheStartFrameIsStuckInAProcessor_RunEndsWithinCancelTimeout()
    {
        // A processor whose StartFrame handling hangs (a connect that never answers) holds the StartFrame, and the
        // CancelFrame queues behind it in the same system loop: Cancel (Ctrl+C) must still end the run, bounded by
        // CancelTimeout and CleanupTimeout, not by the StartFrame ever reaching the end.
        var stuck = new StuckStartProcessor();
        var task = new PipelineTask(stuck, new PipelineParams { CancelTimeout = TimeSpan.FromMilliseconds(100), CleanupTimeout = TimeSpan.FromMilliseconds(100) });
        var run = task.RunAsync();
        await stuck.StartEntered.Task.WaitAsync(PipelineHarness.Timeout);

        task.Cancel("Ctrl+C");

        await run.WaitAsync(PipelineHarness.Timeout);
        Assert.True(task.HasFinished);
    }

    [Fact]
    public async Task DisposeAsync_WhileRunningWithACleanupThatIgnoresItsToken_IsBoundedByCleanupTimeout()
    {
        var stuck = new StuckCleanupProcessor();
        var capture = new FrameCaptureProcessor(FrameDirection.Downstream);
        var task = new PipelineTask(new Pipeline(stuck, capture), new PipelineParams { CleanupTimeout = TimeSpan.FromMilliseconds(100) });
        var run = task.RunAsync();
        await capture.WaitForFrameAsync<StartFrame>(PipelineHarness.Timeout);

        await task.DisposeAsync().AsTask().WaitAsync(PipelineHarness.Timeout);

        await run.WaitAsync(PipelineHarness.Timeout);
        Assert.True(task.HasFinished);
        Assert.Contains(capture.Frames, f => f is CancelFrame);
        stuck.Released.TrySetResult();
    }

    [Fact]
    public void Constructor_InvalidParameters_ThrowNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineTask(new GateProcessor(), new PipelineParams { AudioOutSampleRate = 5 }));
        Assert.Equal("AudioOutSampleRate", error.ParamName);

        // Longer than a timer can wait (≈ 49.7 days): it would pass here and throw at the first wait instead.
        var tooLong = TimeSpan.FromDays(60);
        Assert.Equal("SetupTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineTask(new GateProcessor(), new PipelineParams { SetupTimeout = tooLong })).ParamName);
        Assert.Equal("CancelTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineTask(new GateProcessor(), new PipelineParams { CancelTimeout = tooLong })).ParamName);
        Assert.Equal("CleanupTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineTask(new GateProcessor(), new PipelineParams { CleanupTimeout = TimeSpan.Zero })).ParamName);
        _ = new PipelineTask(new GateProcessor(), new PipelineParams { StartTimeout = Timeout.InfiniteTimeSpan });
    }

    [Fact]
    public void Pipeline_SameProcessorTwice_Throws()
    {
        var gate = new GateProcessor();
        Assert.Throws<ArgumentException>("processors", () => new Pipeline(gate, gate));
    }
}

/// <summary>A processor whose cleanup ignores its token and waits for the test.</summary>
internal sealed class StuckCleanupProcessor : FrameProcessor
{
    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken)
    {
        await Released.Task.ConfigureAwait(false);
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A processor whose setup never finishes by itself; it may or may not honour its token.</summary>
internal sealed class StuckSetupProcessor(bool honoursToken) : FrameProcessor
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets how long the setup takes to unwind once its token is cancelled.</summary>
    public TimeSpan UnwindDelay { get; init; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Events { get; } = new();

    protected override async ValueTask OnSetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken)
    {
        Events.Enqueue("setup entered");
        Entered.TrySetResult();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, honoursToken ? cancellationToken : CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await Task.Delay(UnwindDelay, CancellationToken.None).ConfigureAwait(false);
            Events.Enqueue("setup ended");
        }
    }

    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken)
    {
        Events.Enqueue("cleanup");
        await base.OnCleanupAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A processor whose handling of the StartFrame waits until its token is cancelled (at cleanup).</summary>
internal sealed class StuckStartProcessor : FrameProcessor
{
    public TaskCompletionSource StartEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is StartFrame)
        {
            StartEntered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }

        await base.ProcessFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }
}
