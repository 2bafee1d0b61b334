using System.Collections.Concurrent;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>Pushes frames while marking the calling thread, so a processor can tell whether it runs inside the push.</summary>
internal static class InlinePush
{
    [ThreadStatic]
    private static bool t_pushing;

    /// <summary>Gets whether the current thread is inside <see cref="Queue(FrameProcessor, Frame)"/> or <see cref="Run"/>.</summary>
    public static bool OnPushingThread => t_pushing;

    public static void Queue(FrameProcessor processor, Frame frame) => Run(() => processor.QueueFrame(frame));

    public static void Run(Action push)
    {
        t_pushing = true;
        try
        {
            push();
        }
        finally
        {
            t_pushing = false;
        }
    }

    /// <summary>Pushes warm-up frames from this thread until one is processed inline, i.e. the processor is idle and its
    /// data loop released (that happens asynchronously after the StartFrame).</summary>
    public static async Task WaitUntilProcessedInlineAsync(InlineProbeProcessor probe, FrameCaptureProcessor down)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var warmUp = new WarmUpFrame();
            Queue(probe, warmUp);
            await down.WaitForFrameAsync(f => ReferenceEquals(f, warmUp), PipelineHarness.Timeout);
            if (probe.Seen.Any(s => ReferenceEquals(s.Frame, warmUp) && s.OnPusher))
            {
                return;
            }
        }

        Assert.Fail("The probe never processed a frame on the pushing thread.");
    }
}

/// <summary>A data frame used to bring a processor to its idle state; assertions filter it out.</summary>
internal sealed class WarmUpFrame : DataFrame
{
}

/// <summary>A marker carrying the pushing thread's index and its sequence number on that thread.</summary>
internal sealed class ThreadMarkerFrame(int thread, int sequence) : DataFrame
{
    public int Thread { get; } = thread;

    public int Sequence { get; } = sequence;

    public override string ToString() => $"ThreadMarker({Thread}, {Sequence})";
}

/// <summary>A pass-through processor for inline-scheduling tests: records, per data frame, whether it ran on the pushing
/// thread; counts overlapping ProcessFrameAsync calls; can complete chosen frames asynchronously, block on one frame until
/// cancelled, and pause after chosen frames.</summary>
internal sealed class InlineProbeProcessor(bool inline) : FrameProcessor
{
    private readonly TaskCompletionSource _blockedStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _blockedReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _blockedReleasedEvent = new();
    private int _active;
    private int _overlaps;

    public ConcurrentQueue<(Frame Frame, bool OnPusher)> Seen { get; } = new();

    /// <summary>Gets which frames yield once before they are pushed on.</summary>
    public Func<Frame, bool> CompleteAsynchronously { get; init; } = _ => false;

    /// <summary>Gets which frames keep the thread busy for a moment first (widens the window in which a frame is in flight
    /// synchronously, on the pushing thread).</summary>
    public Func<Frame, bool> SpinFirst { get; init; } = _ => false;

    /// <summary>Gets the frame whose processing waits (on a task, then the token) until it is cancelled or <see cref="ReleaseBlocked"/>.</summary>
    public Frame? BlockOn { get; init; }

    /// <summary>Gets whether <see cref="BlockOn"/> blocks the thread instead of awaiting (test only: it pins the frame in
    /// flight on the pushing thread).</summary>
    public bool BlockSynchronously { get; init; }

    /// <summary>Gets the frame pushed when the blocked frame's processing is cancelled, just before it gives up.</summary>
    public Frame? PushWhenCancelled { get; init; }

    public Func<Frame, bool> PauseAfter { get; init; } = _ => false;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public Task BlockedStarted => _blockedStarted.Task.WaitAsync(PipelineHarness.Timeout);

    public void Resume() => ResumeProcessingFrames();

    public void ReleaseBlocked()
    {
        _blockedReleasedEvent.Set();
        _blockedReleased.TrySetResult();
    }

    protected override bool ProcessesDataFramesInline => inline;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is SystemFrame)
        {
            PushFrame(frame, direction);
            return;
        }

        if (Interlocked.Increment(ref _active) != 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        try
        {
            Seen.Enqueue((frame, InlinePush.OnPushingThread));
            if (ReferenceEquals(frame, BlockOn))
            {
                _blockedStarted.TrySetResult();
                if (BlockSynchronously)
                {
                    WaitHandle.WaitAny([cancellationToken.WaitHandle, _blockedReleasedEvent.WaitHandle], PipelineHarness.Timeout);
                }
                else
                {
                    try
                    {
                        await _blockedReleased.Task.WaitAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                if (cancellationToken.IsCancellationRequested && PushWhenCancelled is { } late)
                {
                    PushFrame(late, direction);
                }

                cancellationToken.ThrowIfCancellationRequested();
            }

            if (SpinFirst(frame))
            {
                Thread.SpinWait(2000);
            }

            if (CompleteAsynchronously(frame))
            {
                await Task.Yield();
            }

            PushFrame(frame, direction);
            if (PauseAfter(frame))
            {
                PauseProcessingFrames();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
