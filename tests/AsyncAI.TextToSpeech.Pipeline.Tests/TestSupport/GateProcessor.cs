using System.Collections.Concurrent;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>A pass-through processor whose handling of chosen frames waits on a gate the test opens.</summary>
internal sealed class GateProcessor : FrameProcessor
{
    private readonly ConcurrentDictionary<Frame, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<Frame, TaskCompletionSource> _started = new();
    private readonly ConcurrentDictionary<Frame, TaskCompletionSource> _tokenCancelled = new();

    /// <summary>Gets whether data frames are processed inline on the pushing thread when the processor is idle.</summary>
    public bool Inline { get; init; }

    /// <summary>Gets whether a blocked frame waits for its gate even when its token is cancelled (a write that cannot be stopped).</summary>
    public bool GatesIgnoreCancellation { get; init; }

    public Func<Frame, bool> ShouldThrow { get; set; } = _ => false;

    /// <summary>Gets or sets whether each frame's processing yields once, to shuffle interleavings in stress tests.</summary>
    public bool YieldEachFrame { get; set; }

    public Func<Frame, bool> PauseAfter { get; set; } = _ => false;

    public ConcurrentQueue<Frame> Processed { get; } = new();

    public ConcurrentQueue<Frame> Cancelled { get; } = new();

    /// <summary>Makes the processing of <paramref name="frame"/> wait until <see cref="Open"/>.</summary>
    public void Block(Frame frame) => _gates[frame] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open(Frame frame) => _gates[frame].TrySetResult();

    public Task WaitStartedAsync(Frame frame) => Started(frame).Task.WaitAsync(PipelineHarness.Timeout);

    /// <summary>Waits until the token of a blocked frame's processing is cancelled (an interruption, a cancel, cleanup).</summary>
    public Task WaitTokenCancelledAsync(Frame frame) => TokenCancelled(frame).Task.WaitAsync(PipelineHarness.Timeout);

    public void Resume() => ResumeProcessingFrames();

    protected override bool ProcessesDataFramesInline => Inline;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        Started(frame).TrySetResult();
        if (YieldEachFrame)
        {
            await Task.Yield();
        }

        if (_gates.TryGetValue(frame, out var gate))
        {
            using var registration = cancellationToken.Register(() => TokenCancelled(frame).TrySetResult());
            try
            {
                await (GatesIgnoreCancellation ? gate.Task : gate.Task.WaitAsync(cancellationToken));
            }
            catch (OperationCanceledException)
            {
                Cancelled.Enqueue(frame);
                throw;
            }
        }

        if (ShouldThrow(frame))
        {
            throw new InvalidOperationException($"boom on {frame.Name}");
        }

        Processed.Enqueue(frame);
        PushFrame(frame, direction);
        if (PauseAfter(frame))
        {
            PauseProcessingFrames();
        }
    }

    private TaskCompletionSource TokenCancelled(Frame frame) =>
        _tokenCancelled.GetOrAdd(frame, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Started(Frame frame) =>
        _started.GetOrAdd(frame, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
