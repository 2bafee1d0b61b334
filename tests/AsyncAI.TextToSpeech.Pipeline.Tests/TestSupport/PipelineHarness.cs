using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

/// <summary>Pipecat's run_test, the .NET way: [upstream capture, processors..., downstream capture] in a running task.</summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private PipelineHarness(FrameProcessor[] processors, PipelineParams? parameters, TimeProvider? timeProvider, ILoggerFactory? loggerFactory = null)
    {
        Up = new FrameCaptureProcessor(FrameDirection.Upstream, "UpCapture");
        Down = new FrameCaptureProcessor(FrameDirection.Downstream, "DownCapture");
        Task = new PipelineTask(new Pipeline([Up, .. processors, Down]), parameters, timeProvider, loggerFactory);
        Run = Task.RunAsync();
    }

    public FrameCaptureProcessor Up { get; }

    public FrameCaptureProcessor Down { get; }

    public PipelineTask Task { get; }

    public Task Run { get; }

    /// <summary>Downstream frames other than Start and End.</summary>
    public IReadOnlyList<Frame> DownFrames => [.. Down.Frames.Where(f => f is not StartFrame and not EndFrame)];

    public IReadOnlyList<ErrorFrame> Errors => [.. Up.Frames.OfType<ErrorFrame>()];

    public static PipelineHarness Start(FrameProcessor processor, PipelineParams? parameters = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) =>
        new([processor], parameters, timeProvider, loggerFactory);

    public static PipelineHarness Start(FrameProcessor[] processors, PipelineParams? parameters = null, TimeProvider? timeProvider = null) =>
        new(processors, parameters, timeProvider);

    /// <summary>
    /// Sets <paramref name="processor"/> up on its own, without a task (so the test calls its <c>CleanupAsync</c> itself,
    /// with the bound it chooses), and starts it. <paramref name="upstream"/>, if given, is linked in front of it to record
    /// what it pushes upstream (its errors).
    /// </summary>
    /// <returns>What the processor pushes downstream.</returns>
    public static async Task<FrameCaptureProcessor> StartAloneAsync(
        FrameProcessor processor, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, FrameCaptureProcessor? upstream = null)
    {
        var capture = new FrameCaptureProcessor(FrameDirection.Downstream, "DownCapture");
        upstream?.Link(processor);
        processor.Link(capture);
        await processor.SetupAsync(new FrameProcessorSetup(new PipelineParams(), timeProvider, loggerFactory));
        processor.QueueFrame(new StartFrame());
        await capture.WaitForFrameAsync<StartFrame>(Timeout);
        return capture;
    }

    public void Queue(params Frame[] frames) => Task.QueueFrames(frames);

    public Task<T> WaitDownAsync<T>(Func<T, bool>? predicate = null)
        where T : Frame => Down.WaitForFrameAsync(Timeout, predicate);

    public Task<T> WaitUpAsync<T>(Func<T, bool>? predicate = null)
        where T : Frame => Up.WaitForFrameAsync(Timeout, predicate);

    /// <summary>Queues an EndFrame and waits for the run to finish.</summary>
    public async Task EndAsync()
    {
        Task.QueueFrame(new EndFrame());
        await Run.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            Task.Cancel("test over");
            await Run.WaitAsync(Timeout);
        }
    }
}

/// <summary>A frame tests use as a position marker (Pipecat's tests use "Foo" frames).</summary>
internal sealed class MarkerFrame(int number) : DataFrame
{
    public int Number { get; } = number;

    public override string ToString() => $"Marker({Number})";
}

/// <summary>An uninterruptible marker.</summary>
internal sealed class UninterruptibleMarkerFrame(int number) : DataFrame, IUninterruptibleFrame
{
    public int Number { get; } = number;
}

/// <summary>A system frame for scheduling tests.</summary>
internal sealed class TestSystemFrame : SystemFrame
{
}
