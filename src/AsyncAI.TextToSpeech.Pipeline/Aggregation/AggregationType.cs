namespace AsyncAI.TextToSpeech.Pipeline.Aggregation;

/// <summary>How a piece of text was aggregated before it reached a TTS service (an extensible set of names).</summary>
public readonly record struct AggregationType
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="value">The name, for example <c>sentence</c>.</param>
    public AggregationType(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>A complete sentence.</summary>
    public static AggregationType Sentence { get; } = new("sentence");

    /// <summary>A single word.</summary>
    public static AggregationType Word { get; } = new("word");

    /// <summary>A token passed through as it arrived.</summary>
    public static AggregationType Token { get; } = new("token");

    private readonly string? _value;

    /// <summary>Gets the name (<c>sentence</c> for the default value).</summary>
    public string Value => _value ?? "sentence";

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>How a TTS service groups incoming text before synthesis.</summary>
public enum TextAggregationMode
{
    /// <summary>Speak complete sentences (better prosody; the default).</summary>
    Sentence = 0,

    /// <summary>Speak each token as it arrives (lowest latency).</summary>
    Token = 1,
}

/// <summary>One piece of aggregated text.</summary>
/// <param name="Text">The text.</param>
/// <param name="Type">How it was aggregated.</param>
public readonly record struct TextAggregate(string Text, AggregationType Type);
