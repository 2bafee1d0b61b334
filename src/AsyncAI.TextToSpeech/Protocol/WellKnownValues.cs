namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>Audio encodings the Async API accepts.</summary>
public static class AudioEncodings
{
    /// <summary>16-bit signed little-endian PCM (the default).</summary>
    public const string PcmS16Le = "pcm_s16le";

    /// <summary>32-bit float little-endian PCM.</summary>
    public const string PcmF32Le = "pcm_f32le";

    /// <summary>8-bit μ-law (streaming and WebSocket only).</summary>
    public const string PcmMulaw = "pcm_mulaw";

    /// <summary>Gets the size of one sample in bytes for an encoding, or 0 when the encoding is unknown.</summary>
    /// <param name="encoding">The encoding name.</param>
    /// <returns>2, 4, 1 or 0.</returns>
    public static int BytesPerSample(string? encoding) => encoding switch
    {
        PcmS16Le or null => 2,
        PcmF32Le => 4,
        PcmMulaw => 1,
        _ => 0,
    };
}

/// <summary>Audio containers the Async API accepts.</summary>
public static class AudioContainers
{
    /// <summary>Headerless samples (the default).</summary>
    public const string Raw = "raw";

    /// <summary>A RIFF/WAVE file.</summary>
    public const string Wav = "wav";

    /// <summary>MP3.</summary>
    public const string Mp3 = "mp3";
}

/// <summary>Model ids the Async API documents.</summary>
public static class AsyncAIModels
{
    /// <summary>Flash v1.0: 15 languages, every endpoint (the seed document's default).</summary>
    public const string FlashV10 = "async_flash_v1.0";

    /// <summary>Flash v1.5: en es fr de it pt; streaming and WebSocket.</summary>
    public const string FlashV15 = "async_flash_v1.5";

    /// <summary>Pro v1.0: English; streaming and WebSocket.</summary>
    public const string ProV10 = "async_pro_v1.0";
}

/// <summary>Error codes the Async API documents (its WebSocket and HTTP errors), plus the in-band quota marker.</summary>
public static class AsyncAIErrorCodes
{
    /// <summary>The WebSocket idle timeout (60 s without a client message).</summary>
    public const string Timeout = "TIMEOUT";

    /// <summary>The API key is missing, invalid or expired (401).</summary>
    public const string InvalidApiKey = "INVALID_API_KEY";

    /// <summary>The voice does not exist (404).</summary>
    public const string VoiceNotFound = "VOICE_NOT_FOUND";

    /// <summary>The API version does not exist (404).</summary>
    public const string VersionNotFound = "VERSION_NOT_FOUND";

    /// <summary>The language is not supported (400).</summary>
    public const string InvalidLanguage = "INVALID_LANGUAGE";

    /// <summary>Too many concurrent requests (429).</summary>
    public const string TooManyConcurrentRequests = "TOO_MANY_CONCURRENT_REQUESTS";

    /// <summary>Per-minute rate limit (429, with <c>retry_after_ms</c>).</summary>
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";

    /// <summary>Monthly quota used up (429/402).</summary>
    public const string UsageLimitExceeded = "USAGE_LIMIT_EXCEEDED";

    /// <summary>The quota ran out in the middle of a 200 stream (the in-band marker).</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED";

    /// <summary>A request body failed validation (our emulator's code for 400/422 validation errors).</summary>
    public const string ValidationError = "VALIDATION_ERROR";

    /// <summary>The literal bytes the service writes into a 200 stream when the quota runs out mid-stream.</summary>
    public const string QuotaExceededMarker = "--ERROR:QUOTA_EXCEEDED--";
}
