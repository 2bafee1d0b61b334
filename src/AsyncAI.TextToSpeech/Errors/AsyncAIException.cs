namespace AsyncAI.TextToSpeech;

/// <summary>
/// The one exception type the library throws for failures of the Async service or of the connection to it.
/// </summary>
/// <remarks>
/// <see cref="Category"/> says what can be done (retry, fix the key, fix the request); <see cref="ErrorCode"/>
/// carries the service's own code when it sent one. The message never contains the API key.
/// </remarks>
public class AsyncAIException : Exception
{
    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public AsyncAIException(string message)
        : this(message, AsyncAIErrorCategory.Unknown)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The underlying failure.</param>
    public AsyncAIException(string message, Exception? innerException)
        : this(message, AsyncAIErrorCategory.Unknown, innerException: innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    public AsyncAIException()
        : this("The Async text-to-speech service call failed.")
    {
    }

    /// <summary>Initializes a new instance with all details.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="category">The kind of failure.</param>
    /// <param name="errorCode">The service's error code, if any.</param>
    /// <param name="statusCode">The HTTP status, if any.</param>
    /// <param name="retryAfter">The delay the service asked for before a retry, if any.</param>
    /// <param name="innerException">The underlying failure.</param>
    public AsyncAIException(
        string message,
        AsyncAIErrorCategory category,
        string? errorCode = null,
        int? statusCode = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Category = category;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the kind of failure.</summary>
    public AsyncAIErrorCategory Category { get; }

    /// <summary>Gets the service's error code (for example <c>TIMEOUT</c>, <c>INVALID_API_KEY</c>), or null.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets the HTTP status code (or the refused handshake's status), or null.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the delay the service asked for before retrying, or null.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets whether retrying the same call may succeed.</summary>
    public bool IsTransient => Category is AsyncAIErrorCategory.RateLimited or AsyncAIErrorCategory.Server or AsyncAIErrorCategory.Connectivity;

    /// <summary>Maps an HTTP status and optional service error code to a category.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="errorCode">The service's error code, if any.</param>
    /// <returns>The category.</returns>
    public static AsyncAIErrorCategory CategoryFor(int statusCode, string? errorCode = null)
    {
        if (errorCode is Protocol.AsyncAIErrorCodes.UsageLimitExceeded or Protocol.AsyncAIErrorCodes.QuotaExceeded)
        {
            return AsyncAIErrorCategory.Quota;
        }

        return statusCode switch
        {
            401 or 403 => AsyncAIErrorCategory.Authentication,
            400 or 404 or 413 or 422 => AsyncAIErrorCategory.InvalidRequest,
            402 => AsyncAIErrorCategory.Quota,
            408 => AsyncAIErrorCategory.Timeout,
            429 => AsyncAIErrorCategory.RateLimited,
            >= 500 and <= 599 => AsyncAIErrorCategory.Server,
            _ => AsyncAIErrorCategory.Unknown,
        };
    }
}
