using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>The options both Async TTS services share (the seed document's surface).</summary>
public abstract class AsyncAITtsOptionsBase
{
    /// <summary>Gets or sets the Async API key. Required.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Gets or sets the voice id. Required.</summary>
    public string VoiceId { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id.</summary>
    /// <value>The default value is <c>async_flash_v1.0</c>.</value>
    public string Model { get; set; } = AsyncAIModels.FlashV10;

    /// <summary>Gets or sets the API version.</summary>
    /// <value>The default value is <c>v1</c>.</value>
    public string Version { get; set; } = "v1";

    /// <summary>Gets or sets the output sample rate in Hz, or null to use the pipeline's (<see cref="Frames.StartFrame.AudioOutSampleRate"/>).</summary>
    /// <value>The default value is null.</value>
    public int? SampleRate { get; set; }

    /// <summary>Gets or sets the audio encoding.</summary>
    /// <value>The default value is <c>pcm_s16le</c>.</value>
    public string Encoding { get; set; } = AudioEncodings.PcmS16Le;

    /// <summary>Gets or sets the audio container.</summary>
    /// <value>The default value is <c>raw</c>.</value>
    public string Container { get; set; } = AudioContainers.Raw;

    /// <summary>Gets or sets whether text is aggregated into sentences before synthesis (otherwise tokens are sent as they come).</summary>
    /// <value>The default value is true.</value>
    public bool AggregateSentences { get; set; } = true;

    /// <summary>Gets or sets the synthesis parameters.</summary>
    public AsyncAITtsInputParams Params { get; set; } = new();

    /// <summary>
    /// The error for a rate a service would run at (its <see cref="SampleRate"/>, or the pipeline's when that is null) that
    /// Async does not accept, or null. With <see cref="SampleRate"/> null this is only known when the pipeline starts.
    /// </summary>
    internal static AsyncAIException? UnsupportedRate(int sampleRate) => sampleRate is < OptionValidation.MinSampleRate or > OptionValidation.MaxSampleRate
        ? new AsyncAIException(
            $"The pipeline's audio-out rate ({sampleRate} Hz) is outside what Async accepts (8000–48000 Hz): set the service's SampleRate option, or PipelineParams.AudioOutSampleRate, to a rate in that range.",
            AsyncAIErrorCategory.InvalidRequest)
        : null;

    /// <summary>
    /// Checks the options both services share against what Async accepts and what a pipeline carries: a
    /// <see cref="Frames.TtsAudioRawFrame"/> holds raw 16-bit PCM, and the sinks write it as such, so any other encoding or
    /// container would reach them mislabelled.
    /// </summary>
    private protected void ValidateSharedOptions()
    {
        if (Params?.Language is { } language && !Enum.IsDefined(language))
        {
            throw new ArgumentOutOfRangeException("Params.Language", language, "Params.Language must be a defined Language value, or null to let the service detect the language.");
        }

        if (SampleRate is < OptionValidation.MinSampleRate or > OptionValidation.MaxSampleRate)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be null (the pipeline's rate) or between 8000 and 48000 Hz.");
        }

        if (!string.Equals(Encoding, AudioEncodings.PcmS16Le, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Encoding must be {AudioEncodings.PcmS16Le} in a pipeline: audio frames carry 16-bit PCM. Convert at the output (for example to μ-law for a phone line), or use AsyncAIWebSocketClient or AsyncAIHttpClient directly for other encodings.",
                nameof(Encoding));
        }

        if (!string.Equals(Container, AudioContainers.Raw, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Container must be {AudioContainers.Raw} in a pipeline: audio frames carry whole PCM samples, which WAV headers or MP3 frames would break. Use a sink to write a file (WavFileSink), or AsyncAIHttpClient directly for wav or mp3.",
                nameof(Container));
        }
    }
}

/// <summary>Synthesis parameters of the Async TTS services.</summary>
public sealed class AsyncAITtsInputParams
{
    /// <summary>Gets or sets the language, or null to let the service detect it.</summary>
    /// <value>The default value is null.</value>
    public Language? Language { get; set; }
}
