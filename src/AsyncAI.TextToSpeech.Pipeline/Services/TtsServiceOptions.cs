using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Timing;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>How a <see cref="TtsService"/> aggregates, orders and supervises synthesis.</summary>
public class TtsServiceOptions
{
    /// <summary>Gets or sets how incoming text is grouped before synthesis.</summary>
    /// <value>The default value is <see cref="TextAggregationMode.Sentence"/>.</value>
    public TextAggregationMode AggregationMode { get; set; } = TextAggregationMode.Sentence;

    /// <summary>Gets or sets whether a <see cref="Frames.TtsTextFrame"/> is pushed for every spoken sentence.</summary>
    /// <value>The default value is true.</value>
    public bool PushTextFrames { get; set; } = true;

    /// <summary>Gets or sets how long a context may stay silent after its input ended before it is stopped anyway.</summary>
    /// <value>The default value is 3 seconds.</value>
    /// <remarks>A fallback only: a context normally ends as soon as its audio stream ends.</remarks>
    public TimeSpan StopFrameTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets or sets whether, after a turn was sent for synthesis, later frames wait until the bot stops speaking.</summary>
    /// <value>The default value is false.</value>
    public bool PauseFrameProcessing { get; set; }

    /// <summary>Gets or sets how long a pause may last without the bot starting to speak before processing resumes (with an error).</summary>
    /// <value>The default value is 3 seconds.</value>
    public TimeSpan PauseWatchdogTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets or sets how many consecutive contexts may produce no audio before the service marks itself unusable; 0 turns the check off.</summary>
    /// <value>The default value is 3.</value>
    public int MaxConsecutiveZeroAudioContexts { get; set; } = 3;

    /// <summary>Gets or sets whether a space is appended to each sentence sent (for services that join sentences without one).</summary>
    /// <value>The default value is false.</value>
    public bool AppendTrailingSpace { get; set; }

    /// <summary>Gets or sets the output sample rate in Hz, or null to use the pipeline's (<see cref="Frames.StartFrame.AudioOutSampleRate"/>).</summary>
    /// <value>The default value is null.</value>
    public int? SampleRate { get; set; }

    /// <summary>Gets the filters applied, in order, to each piece of text before synthesis; a filter returning blank text skips it.</summary>
    public IList<Func<string, string>> TextFilters { get; } = [];

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name is the option's name.</exception>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(AggregationMode))
        {
            throw new ArgumentOutOfRangeException(nameof(AggregationMode), AggregationMode, "AggregationMode must be Sentence or Token.");
        }

        TimeoutRange.Require(StopFrameTimeout, nameof(StopFrameTimeout));
        TimeoutRange.Require(PauseWatchdogTimeout, nameof(PauseWatchdogTimeout));

        if (MaxConsecutiveZeroAudioContexts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveZeroAudioContexts), MaxConsecutiveZeroAudioContexts, "MaxConsecutiveZeroAudioContexts must be 0 (off) or more.");
        }

        if (SampleRate is < 8000 or > 192000)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be null (the pipeline's rate) or between 8000 and 192000 Hz.");
        }
    }
}
