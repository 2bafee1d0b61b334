namespace AsyncAI.TextToSpeech.Pipeline.Frames;

/// <summary>Text, for example a chunk of an LLM response.</summary>
public class TextFrame : DataFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="text">The text.</param>
    public TextFrame(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>Gets the text.</summary>
    public string Text { get; }

    /// <summary>Gets or sets whether TTS services should pass the frame on without speaking it.</summary>
    public bool? SkipTts { get; set; }

    /// <summary>Gets or sets whether the text already carries the spaces between consecutive frames.</summary>
    public bool IncludesInterFrameSpaces { get; set; }

    /// <summary>Gets or sets whether the text belongs in the assistant's conversation context.</summary>
    public bool AppendToContext { get; set; } = true;
}

/// <summary>A chunk of an LLM response (spaces between chunks included).</summary>
public sealed class LlmTextFrame : TextFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="text">The text chunk.</param>
    public LlmTextFrame(string text)
        : base(text)
    {
        IncludesInterFrameSpaces = true;
    }
}

/// <summary>Text a TTS service aggregated (a sentence, or a token in TOKEN mode) and is about to speak.</summary>
public class AggregatedTextFrame : TextFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="text">The aggregated text.</param>
    /// <param name="aggregatedBy">How the text was aggregated.</param>
    public AggregatedTextFrame(string text, Aggregation.AggregationType aggregatedBy)
        : base(text)
    {
        AggregatedBy = aggregatedBy;
    }

    /// <summary>Gets how the text was aggregated.</summary>
    public Aggregation.AggregationType AggregatedBy { get; }

    /// <summary>Gets or sets the TTS context id the text is spoken in.</summary>
    public string? ContextId { get; set; }

    /// <summary>Gets or sets the text before aggregation-specific changes, when it differs.</summary>
    public string? RawText { get; set; }

    /// <summary>Gets or sets whether the text will be spoken (false for text a service skips).</summary>
    public bool WillBeSpoken { get; set; }
}

/// <summary>Text that a TTS context has spoken (or sent for speaking); placed among that context's audio.</summary>
public sealed class TtsTextFrame : AggregatedTextFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="text">The spoken text.</param>
    /// <param name="aggregatedBy">How the text was aggregated.</param>
    /// <param name="contextId">The TTS context id.</param>
    public TtsTextFrame(string text, Aggregation.AggregationType aggregatedBy, string? contextId)
        : base(text, aggregatedBy)
    {
        ContextId = contextId;
        WillBeSpoken = true;
    }
}

/// <summary>Asks the TTS service to speak this text on its own, in a context of its own.</summary>
public sealed class TtsSpeakFrame : DataFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="text">The text to speak.</param>
    /// <param name="appendToContext">Whether the spoken text belongs in the assistant's conversation context.</param>
    public TtsSpeakFrame(string text, bool appendToContext = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        AppendToContext = appendToContext;
    }

    /// <summary>Gets the text to speak.</summary>
    public string Text { get; }

    /// <summary>Gets whether the spoken text belongs in the assistant's conversation context.</summary>
    public bool AppendToContext { get; }
}

/// <summary>Synthesized audio of one TTS context.</summary>
/// <remarks>PCM audio always holds whole samples.</remarks>
public sealed class TtsAudioRawFrame : DataFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="audio">The audio bytes.</param>
    /// <param name="sampleRate">The sample rate in Hz.</param>
    /// <param name="channels">The channel count.</param>
    /// <param name="contextId">The TTS context id.</param>
    public TtsAudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels, string? contextId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        Audio = audio;
        SampleRate = sampleRate;
        Channels = channels;
        ContextId = contextId;
    }

    /// <summary>Gets the audio bytes.</summary>
    public ReadOnlyMemory<byte> Audio { get; }

    /// <summary>Gets the sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the channel count.</summary>
    public int Channels { get; }

    /// <summary>Gets the TTS context id.</summary>
    public string? ContextId { get; }

    /// <summary>Gets the number of 16-bit sample frames (samples per channel).</summary>
    public int FrameCount => Audio.Length / (Channels * 2);
}
