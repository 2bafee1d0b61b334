namespace AsyncAI.TextToSpeech.Http;

/// <summary>Filters for <see cref="AsyncAIHttpClient.ListVoicesAsync"/>; null properties do not filter.</summary>
public sealed class AsyncAIVoiceFilter
{
    private int? _pageSize;

    /// <summary>Gets or sets the language (ISO 639-1, e.g. <c>en</c>).</summary>
    public string? Language { get; set; }

    /// <summary>Gets or sets the gender: <c>Male</c>, <c>Female</c>, <c>Neutral</c> or <c>Unspecified</c>.</summary>
    public string? Gender { get; set; }

    /// <summary>Gets or sets the accent.</summary>
    public string? Accent { get; set; }

    /// <summary>Gets or sets the style.</summary>
    public string? Style { get; set; }

    /// <summary>Gets or sets the model the voices must support.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets whether to list only the caller's own voices.</summary>
    public bool? MyVoice { get; set; }

    /// <summary>Gets or sets how many voices each request asks for, 1–100, or null for the service default (10).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1–100.</exception>
    public int? PageSize
    {
        get => _pageSize;
        set => _pageSize = value is null ? null : OptionValidation.Range(value.Value, 1, 100, nameof(PageSize));
    }
}
