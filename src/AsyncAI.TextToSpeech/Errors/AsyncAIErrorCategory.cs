namespace AsyncAI.TextToSpeech;

/// <summary>What kind of failure an <see cref="AsyncAIException"/> reports, and so what a caller can do about it.</summary>
public enum AsyncAIErrorCategory
{
    /// <summary>The failure could not be classified.</summary>
    Unknown = 0,

    /// <summary>The API key was missing, invalid or expired (HTTP 401/403, a refused handshake). Retrying will not help.</summary>
    Authentication,

    /// <summary>The request was invalid (HTTP 400/404/422: bad option, unknown voice, unsupported language). Retrying will not help.</summary>
    InvalidRequest,

    /// <summary>The account's quota is used up (HTTP 402, <c>USAGE_LIMIT_EXCEEDED</c>, the in-band <c>--ERROR:QUOTA_EXCEEDED--</c> marker).</summary>
    Quota,

    /// <summary>Too many requests (HTTP 429); retry after <see cref="AsyncAIException.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The service failed (HTTP 5xx); a retry may succeed.</summary>
    Server,

    /// <summary>The network failed: connect, DNS, reset, dead peer, abrupt close. A retry may succeed.</summary>
    Connectivity,

    /// <summary>The service sent something that does not follow the protocol (malformed JSON, invalid base64, odd-length PCM).</summary>
    Protocol,

    /// <summary>An operation did not complete in time (for example the service never sent <c>final</c>).</summary>
    Timeout,
}
