namespace AsyncAI.TextToSpeech.Http;

/// <summary>Per-call overrides of the client's <see cref="AsyncAIHttpOptions"/>; every null property keeps the client's value.</summary>
/// <remarks>Values are checked when they are set, with the same rules as <see cref="AsyncAIHttpOptions"/>.</remarks>
public sealed class AsyncAIHttpRequestOptions
{
    private string? _voiceId;
    private string? _model;
    private int? _sampleRate;
    private string? _encoding;
    private string? _container;
    private string? _language;
    private double? _speedControl;
    private int? _stability;
    private int? _bitRate;

    /// <summary>Gets or sets the voice id, or null for the client's.</summary>
    /// <exception cref="ArgumentException">The value is blank.</exception>
    public string? VoiceId
    {
        get => _voiceId;
        set => _voiceId = OptionValidation.NullOrNotBlank(value, nameof(VoiceId), "a voice id, or null for the client's");
    }

    /// <summary>Gets or sets the model id, or null for the client's.</summary>
    /// <exception cref="ArgumentException">The value is blank.</exception>
    public string? Model
    {
        get => _model;
        set => _model = OptionValidation.NullOrNotBlank(value, nameof(Model), "a model id, or null for the client's");
    }

    /// <summary>Gets or sets the sample rate (8000–48000 Hz), or null for the client's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 8000–48000.</exception>
    public int? SampleRate
    {
        get => _sampleRate;
        set => _sampleRate = value is null ? null : OptionValidation.SampleRate(value.Value, nameof(SampleRate));
    }

    /// <summary>Gets or sets the encoding, or null for the client's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a supported encoding.</exception>
    public string? Encoding
    {
        get => _encoding;
        set => _encoding = value is null ? null : OptionValidation.Encoding(value, nameof(Encoding));
    }

    /// <summary>Gets or sets the container, or null for the client's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a supported container.</exception>
    public string? Container
    {
        get => _container;
        set => _container = value is null ? null : OptionValidation.Container(value, nameof(Container));
    }

    /// <summary>Gets or sets the forced language (an Async code; locale tags are reduced to the base code), or null for the client's.</summary>
    /// <exception cref="ArgumentException">The value is blank.</exception>
    public string? Language
    {
        get => _language;
        set => _language = OptionValidation.Language(value, nameof(Language));
    }

    /// <summary>Gets or sets the speed (0.7–2.0), or null for the client's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0.7–2.0.</exception>
    public double? SpeedControl
    {
        get => _speedControl;
        set => _speedControl = OptionValidation.SpeedControl(value, nameof(SpeedControl));
    }

    /// <summary>Gets or sets the stability (0–100), or null for the client's.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0–100.</exception>
    public int? Stability
    {
        get => _stability;
        set => _stability = OptionValidation.Stability(value, nameof(Stability));
    }

    /// <summary>
    /// Gets or sets the mp3 bit rate (32000–320000 bit/s), or null for the client's. Sent only when the resolved
    /// container is <c>mp3</c>; ignored for other containers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 32000–320000.</exception>
    public int? BitRate
    {
        get => _bitRate;
        set => _bitRate = OptionValidation.BitRate(value, nameof(BitRate));
    }
}
