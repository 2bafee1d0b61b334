using AsyncAI.TextToSpeech.Pipeline.Services;

namespace AsyncAI.TextToSpeech.Pipeline.Frames;

/// <summary>Ends a pipeline gracefully: every processor finishes its queued work before passing it on.</summary>
public sealed class EndFrame : ControlFrame, IUninterruptibleFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="reason">Why the pipeline ends, for logs.</param>
    public EndFrame(string? reason = null)
    {
        Reason = reason;
    }

    /// <summary>Gets why the pipeline ends.</summary>
    public string? Reason { get; }
}

/// <summary>An LLM response (one bot turn) begins; a TTS service speaks everything up to the matching end in one context.</summary>
public sealed class LlmFullResponseStartFrame : ControlFrame
{
    /// <summary>Gets or sets whether TTS services should pass the turn through without speaking it.</summary>
    public bool? SkipTts { get; set; }
}

/// <summary>An LLM response (one bot turn) ends; a TTS service flushes its buffered text and completes the turn's context.</summary>
public sealed class LlmFullResponseEndFrame : ControlFrame
{
    /// <summary>Gets or sets whether TTS services should pass the turn through without speaking it.</summary>
    public bool? SkipTts { get; set; }
}

/// <summary>Asks the assistant-context aggregator to commit what it has gathered (sent before the stop of a spoken context).</summary>
public sealed class LlmAssistantPushAggregationFrame : ControlFrame
{
}

/// <summary>A TTS context starts: its audio follows.</summary>
public sealed class TtsStartedFrame : ControlFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="contextId">The TTS context id.</param>
    public TtsStartedFrame(string? contextId)
    {
        ContextId = contextId;
    }

    /// <summary>Gets the TTS context id.</summary>
    public string? ContextId { get; }

    /// <summary>Gets or sets whether the spoken text belongs in the assistant's conversation context.</summary>
    public bool AppendToContext { get; set; } = true;
}

/// <summary>A TTS context has ended: all of its audio has been pushed.</summary>
public sealed class TtsStoppedFrame : ControlFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="contextId">The TTS context id.</param>
    public TtsStoppedFrame(string? contextId)
    {
        ContextId = contextId;
    }

    /// <summary>Gets the TTS context id.</summary>
    public string? ContextId { get; }
}

/// <summary>Changes TTS settings (voice, model, language); the change applies from the next context on.</summary>
public sealed class TtsUpdateSettingsFrame : ControlFrame, IUninterruptibleFrame
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="update">The settings to change.</param>
    public TtsUpdateSettingsFrame(TtsSettingsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Update = update;
    }

    /// <summary>Gets the settings to change.</summary>
    public TtsSettingsUpdate Update { get; }

    /// <summary>Gets the one service the update is for, or null for the first TTS service that sees it.</summary>
    public TtsService? Service { get; init; }
}
