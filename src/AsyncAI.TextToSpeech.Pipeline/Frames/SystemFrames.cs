using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Processors;

namespace AsyncAI.TextToSpeech.Pipeline.Frames;

/// <summary>The first frame through a pipeline: processors start their work when it reaches them.</summary>
/// <remarks>Frames queued to a processor before its <see cref="StartFrame"/> wait until it arrives.</remarks>
public sealed class StartFrame : SystemFrame
{
    /// <summary>Gets the sample rate, in Hz, that audio output should use unless a service is configured otherwise.</summary>
    /// <value>The default value is 24000.</value>
    public int AudioOutSampleRate { get; init; } = PipelineParams.DefaultAudioOutSampleRate;

    /// <summary>Gets the sample rate, in Hz, of audio input.</summary>
    /// <value>The default value is 16000.</value>
    public int AudioInSampleRate { get; init; } = PipelineParams.DefaultAudioInSampleRate;

    /// <summary>Gets whether processors emit TTFB and processing-time <see cref="MetricsFrame"/>s.</summary>
    public bool EnableMetrics { get; init; }

    /// <summary>Gets whether processors emit usage (characters) <see cref="MetricsFrame"/>s.</summary>
    public bool EnableUsageMetrics { get; init; }
}

/// <summary>Stops a pipeline now: queued work is abandoned.</summary>
public sealed class CancelFrame : SystemFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reason">Why the pipeline is cancelled, for logs.</param>
    public CancelFrame(string? reason = null)
    {
        Reason = reason;
    }

    /// <summary>Gets why the pipeline is cancelled.</summary>
    public string? Reason { get; }
}

/// <summary>
/// The user interrupted the bot: processors cancel interruptible work in flight, drop queued interruptible frames,
/// and a TTS service abandons every open context.
/// </summary>
public sealed class InterruptionFrame : SystemFrame
{
}

/// <summary>Reports an error, normally pushed upstream by the processor that hit it.</summary>
public sealed class ErrorFrame : SystemFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong.</param>
    public ErrorFrame(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
    }

    /// <summary>Gets what went wrong.</summary>
    public string Message { get; }

    /// <summary>Gets whether the pipeline cannot continue (the task cancels the pipeline when a fatal error reaches it).</summary>
    public bool Fatal { get; init; }

    /// <summary>Gets the kind of failure.</summary>
    public AsyncAIErrorCategory Category { get; init; }

    /// <summary>Gets the processor that reported the error, or null.</summary>
    public FrameProcessor? Processor { get; init; }

    /// <summary>Gets the exception behind the error, or null.</summary>
    public Exception? Exception { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({Category}, fatal: {Fatal}, {Processor?.Name}: {Message})";
}

/// <summary>Carries measurements: time to first byte, processing time, usage.</summary>
public sealed class MetricsFrame : SystemFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="data">The measurements.</param>
    public MetricsFrame(IReadOnlyList<MetricsData> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
    }

    /// <summary>Gets the measurements.</summary>
    public IReadOnlyList<MetricsData> Data { get; }
}

/// <summary>The output started playing bot audio (pushed by an output sink, upstream and downstream).</summary>
public sealed class BotStartedSpeakingFrame : SystemFrame
{
}

/// <summary>The output finished playing bot audio (pushed by an output sink, upstream and downstream).</summary>
public sealed class BotStoppedSpeakingFrame : SystemFrame
{
}
