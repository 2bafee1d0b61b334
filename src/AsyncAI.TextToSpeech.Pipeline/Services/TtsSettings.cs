namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>The settings a TTS service synthesizes with: model, voice, language.</summary>
/// <param name="Model">The model id, or null for the service's default.</param>
/// <param name="Voice">The voice id, or null for the service's default.</param>
/// <param name="Language">The language code, or null to let the service decide.</param>
public sealed record TtsSettings(string? Model, string? Voice, string? Language)
{
    /// <summary>Returns these settings with <paramref name="update"/> applied.</summary>
    /// <param name="update">The fields to change; null fields are left as they are.</param>
    /// <returns>The new settings (this instance when nothing changes).</returns>
    public TtsSettings Apply(TtsSettingsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var updated = this with
        {
            Model = update.Model ?? Model,
            Voice = update.Voice ?? Voice,
            Language = update.Language ?? Language,
        };
        return updated == this ? this : updated;
    }
}

/// <summary>A change of TTS settings; null fields stay as they are.</summary>
public sealed class TtsSettingsUpdate
{
    /// <summary>Gets the new model id, or null to keep the current one.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the new voice id, or null to keep the current one.</summary>
    public string? Voice { get; init; }

    /// <summary>Gets the new language code, or null to keep the current one.</summary>
    public string? Language { get; init; }
}

/// <summary>The data of <see cref="TtsService.ConnectionError"/>.</summary>
public sealed class TtsConnectionErrorEventArgs : EventArgs
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="exception">The exception, if any.</param>
    public TtsConnectionErrorEventArgs(string message, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
        Exception = exception;
    }

    /// <summary>Gets what went wrong.</summary>
    public string Message { get; }

    /// <summary>Gets the exception, if any.</summary>
    public Exception? Exception { get; }
}
