namespace AsyncAI.TextToSpeech.Pipeline.Frames;

/// <summary>The direction a frame travels through a pipeline.</summary>
public enum FrameDirection
{
    /// <summary>From the source towards the sink (text in, audio out).</summary>
    Downstream = 0,

    /// <summary>From the sink back towards the source (errors, bot-speaking notifications).</summary>
    Upstream = 1,
}

/// <summary>The base of everything that travels through a pipeline.</summary>
/// <remarks>
/// Frames are classes, not records: two frames with equal contents are still two different events. The kind of a frame
/// (<see cref="SystemFrame"/>, <see cref="DataFrame"/>, <see cref="ControlFrame"/>, plus the
/// <see cref="IUninterruptibleFrame"/> marker) decides how a <see cref="Processors.FrameProcessor"/> schedules it.
/// </remarks>
public abstract class Frame
{
    private static long s_lastId;

    /// <summary>Initializes a new frame with a process-wide unique id.</summary>
    protected Frame()
    {
        Id = Interlocked.Increment(ref s_lastId);
    }

    /// <summary>Gets the process-wide unique id of this frame.</summary>
    public long Id { get; }

    /// <summary>Gets a readable name, <c>TypeName#Id</c>, for logs.</summary>
    public string Name => $"{GetType().Name}#{Id}";

    /// <summary>Gets or sets the presentation timestamp, or null when the frame has none.</summary>
    public TimeSpan? PresentationTimestamp { get; set; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A frame that is handled at once, ahead of queued data and control frames, and is never discarded by an interruption.
/// </summary>
public abstract class SystemFrame : Frame
{
}

/// <summary>A frame carrying content (text, audio). Processed in order; an interruption discards queued ones.</summary>
public abstract class DataFrame : Frame
{
}

/// <summary>A frame carrying a control signal (turn start and end, TTS start and stop). Processed in order with data frames.</summary>
public abstract class ControlFrame : Frame
{
}

/// <summary>
/// Marks a data or control frame that an interruption must neither cancel while it is processed nor drop while it is queued.
/// </summary>
#pragma warning disable CA1040 // A marker interface is exactly what is wanted: the scheduler tests for it.
public interface IUninterruptibleFrame
#pragma warning restore CA1040
{
}
