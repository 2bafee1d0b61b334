using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.WebSockets.Internal;

/// <summary>Turns an Async WebSocket error message into an <see cref="AsyncAIException"/>.</summary>
internal static class ServerErrors
{
    /// <param name="error">The server's error message.</param>
    /// <param name="redact">Removes the API key from text the server sent (a server may echo the request URL, which holds the key).</param>
    public static AsyncAIException ToException(ErrorMessage error, Func<string, string> redact)
    {
        // The code is server text too, and lands in the message and in AsyncAIException.ErrorCode.
        var code = error.ErrorCode is null ? "UNKNOWN" : redact(error.ErrorCode);
        var category = CategoryOf(code);
        var advice = category switch
        {
            AsyncAIErrorCategory.Timeout => " The service closes sockets that send nothing for 60 s; the client reconnects.",
            AsyncAIErrorCategory.Authentication => " Check the API key.",
            AsyncAIErrorCategory.InvalidRequest => " Check the voice, model, language and output format options.",
            AsyncAIErrorCategory.RateLimited or AsyncAIErrorCategory.Quota => " Slow down or check the account's limits.",
            _ => string.Empty,
        };
        var context = error.ContextId is null ? string.Empty : " (context '" + error.ContextId + "')";
        var message = error.Message is null ? "no message" : redact(error.Message).Trim();
        var end = message.Length > 0 && message[^1] is '.' or '!' or '?' ? string.Empty : ".";
        return new AsyncAIException($"Async sent error {code}{context}: {message}{end}{advice}", category, code);
    }

    private static AsyncAIErrorCategory CategoryOf(string code) => code switch
    {
        AsyncAIErrorCodes.Timeout => AsyncAIErrorCategory.Timeout,
        AsyncAIErrorCodes.InvalidApiKey => AsyncAIErrorCategory.Authentication,
        AsyncAIErrorCodes.VoiceNotFound or AsyncAIErrorCodes.VersionNotFound or AsyncAIErrorCodes.InvalidLanguage or AsyncAIErrorCodes.ValidationError => AsyncAIErrorCategory.InvalidRequest,
        AsyncAIErrorCodes.TooManyConcurrentRequests or AsyncAIErrorCodes.RateLimitExceeded => AsyncAIErrorCategory.RateLimited,
        AsyncAIErrorCodes.UsageLimitExceeded or AsyncAIErrorCodes.QuotaExceeded => AsyncAIErrorCategory.Quota,
        _ => AsyncAIErrorCategory.Server,
    };
}
