using AsyncAI.TextToSpeech.Pipeline.Timing;

namespace AsyncAI.TextToSpeech.Pipeline.Pipelines;

/// <summary>Settings of one pipeline run.</summary>
public sealed class PipelineParams
{
    /// <summary>The default output sample rate: 24000 Hz.</summary>
    public const int DefaultAudioOutSampleRate = 24000;

    /// <summary>The default input sample rate: 16000 Hz.</summary>
    public const int DefaultAudioInSampleRate = 16000;

    /// <summary>Gets or sets the output sample rate in Hz that services use unless configured otherwise.</summary>
    /// <value>The default value is 24000.</value>
    public int AudioOutSampleRate { get; set; } = DefaultAudioOutSampleRate;

    /// <summary>Gets or sets the input sample rate in Hz.</summary>
    /// <value>The default value is 16000.</value>
    public int AudioInSampleRate { get; set; } = DefaultAudioInSampleRate;

    /// <summary>Gets or sets whether processors emit TTFB and processing-time metrics.</summary>
    /// <value>The default value is false.</value>
    public bool EnableMetrics { get; set; }

    /// <summary>Gets or sets whether processors emit usage metrics (characters synthesized).</summary>
    /// <value>The default value is false.</value>
    public bool EnableUsageMetrics { get; set; }

    /// <summary>
    /// Gets or sets how long processor setup may take before the run fails with a <see cref="TimeoutException"/> (even if a
    /// processor ignores its cancelled token). The processors are cleaned up once that setup has unwound, or
    /// <see cref="CleanupTimeout"/> later. <see cref="PipelineTask.Cancel"/> during the setup stops it and ends the run
    /// without an exception.
    /// </summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan SetupTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets how long to wait for the StartFrame to reach the end before a warning is logged; the run keeps waiting for it until it arrives, an EndFrame or CancelFrame comes out, or the run is cancelled.</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets how long to wait for a CancelFrame to reach the end.</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan CancelTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Gets or sets how long processor cleanup may take at the end of a run. After it, the processors' cleanup token is
    /// cancelled and the run ends even if a processor ignores the token; a failure it reports later is logged.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the parameter name is the setting's name.</exception>
    public void Validate()
    {
        if (AudioOutSampleRate is < 8000 or > 192000)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioOutSampleRate), AudioOutSampleRate, "AudioOutSampleRate must be between 8000 and 192000 Hz.");
        }

        if (AudioInSampleRate is < 8000 or > 192000)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioInSampleRate), AudioInSampleRate, "AudioInSampleRate must be between 8000 and 192000 Hz.");
        }

        TimeoutRange.Require(SetupTimeout, nameof(SetupTimeout), allowInfinite: true);
        TimeoutRange.Require(StartTimeout, nameof(StartTimeout), allowInfinite: true);
        TimeoutRange.Require(CancelTimeout, nameof(CancelTimeout), allowInfinite: true);
        TimeoutRange.Require(CleanupTimeout, nameof(CleanupTimeout), allowInfinite: true);
    }

    internal PipelineParams Clone() => (PipelineParams)MemberwiseClone();
}
