using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.Pipeline.Processors;

/// <summary>What a <see cref="FrameProcessor"/> receives from the pipeline task before it starts.</summary>
public sealed class FrameProcessorSetup
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="parameters">The pipeline parameters.</param>
    /// <param name="timeProvider">The clock for timers and measurements.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public FrameProcessorSetup(PipelineParams parameters, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Gets the pipeline parameters.</summary>
    public PipelineParams Parameters { get; }

    /// <summary>Gets the clock for timers and measurements.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }
}
