using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>Turns failed HTTP exchanges into the one <see cref="AsyncAIException"/> the caller sees.</summary>
internal static class HttpErrors
{
    private const int MaxMessageLength = 500;

    /// <summary>Reads an error response's body (buffered, so it can be read again) and builds the exception.</summary>
    public static async Task<AsyncAIException> FromResponseAsync(
        HttpResponseMessage response,
        string operation,
        string? apiKey,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        string? body = null;
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The status alone still classifies the failure; a body cut off by the network adds nothing reliable.
        }

        return FromStatus((int)response.StatusCode, response.ReasonPhrase, body, response.Headers.RetryAfter, timeProvider.GetUtcNow(), operation, apiKey);
    }

    /// <summary>Builds the exception for a non-2xx status from its body and headers.</summary>
    public static AsyncAIException FromStatus(
        int statusCode,
        string? reasonPhrase,
        string? body,
        RetryConditionHeaderValue? retryAfterHeader,
        DateTimeOffset now,
        string operation,
        string? apiKey)
    {
        var (errorCode, serviceMessage, retryAfter) = ParseBody(body);

        // Everything the server sent is redacted once, where it enters the message, and before the message is cut,
        // so a key echoed across the cut cannot leave its first characters behind. The code also reaches
        // AsyncAIException.ErrorCode.
        errorCode = errorCode is null ? null : Redact(errorCode, apiKey);
        retryAfter ??= FromHeader(retryAfterHeader, now);
        var category = AsyncAIException.CategoryFor(statusCode, errorCode);

        var message = new StringBuilder(256);
        message.Append(CultureInfo.InvariantCulture, $"The Async service refused {operation} with HTTP {statusCode}");
        if (!string.IsNullOrEmpty(reasonPhrase))
        {
            message.Append(' ').Append(Redact(reasonPhrase, apiKey));
        }

        if (errorCode is not null)
        {
            message.Append(" (").Append(errorCode).Append(')');
        }

        if (!string.IsNullOrWhiteSpace(serviceMessage))
        {
            message.Append(": ").Append(Truncate(Redact(serviceMessage.Trim(), apiKey)));
        }

        // The service's own message usually ends with a period already; don't double it.
        message.Append(message[^1] is '.' or '!' or '?' ? " " : ". ").Append(Advice(category, retryAfter));
        return new AsyncAIException(message.ToString(), category, errorCode, statusCode, retryAfter);
    }

    /// <summary>
    /// The one rule for an exception out of an attempt's send or body read: null (let it propagate) when the caller
    /// cancelled; a Timeout when the attempt was cancelled otherwise (its deadline or HttpClient's own timeout), whether
    /// the transport reports that as a cancellation or as a failed read; a Connectivity error for a network failure.
    /// </summary>
    /// <param name="exception">What the send or read threw.</param>
    /// <param name="operation">The operation, for the message.</param>
    /// <param name="apiKey">Redacted from the message.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="attemptToken">The attempt's token: the caller's, linked with the attempt's deadline if any.</param>
    public static AsyncAIException? ForFailedAttempt(Exception exception, string operation, string? apiKey, CancellationToken cancellationToken, CancellationToken attemptToken) =>
        cancellationToken.IsCancellationRequested ? null
        : exception is OperationCanceledException ? Timeout(operation, exception)
        : exception is not (HttpRequestException or IOException) ? null
        : attemptToken.IsCancellationRequested ? Timeout(operation, exception)
        : Connectivity(operation, exception, apiKey);

    /// <summary>Wraps a network failure.</summary>
    public static AsyncAIException Connectivity(string operation, Exception inner, string? apiKey) =>
        new(
            Redact($"The connection to the Async service failed during {operation}: {EndSentence(inner.Message)} Check the network and BaseUrl; the client retries where that is safe.", apiKey),
            AsyncAIErrorCategory.Connectivity,
            innerException: inner);

    private static string EndSentence(string text) =>
        text.Length > 0 && text[^1] is '.' or '!' or '?' ? text : text + ".";

    /// <summary>Wraps an <see cref="HttpClient.Timeout"/> expiry.</summary>
    public static AsyncAIException Timeout(string operation, Exception inner) =>
        new(
            $"{operation} did not complete within the HttpClient's Timeout. Raise HttpClient.Timeout (streams of long texts take a while) or retry.",
            AsyncAIErrorCategory.Timeout,
            innerException: inner);

    /// <summary>A streaming body that sent nothing for <paramref name="idle"/>.</summary>
    public static AsyncAIException StreamIdle(string operation, TimeSpan idle) =>
        new(
            string.Create(
                CultureInfo.InvariantCulture,
                $"The Async service sent no audio for {idle.TotalSeconds:0.###} s during {operation}, so the stream was given up (AsyncAIHttpOptions.StreamIdleTimeout). Retry; raise StreamIdleTimeout if the service is only slow."),
            AsyncAIErrorCategory.Timeout);

    /// <summary>The in-band quota failure written into a 200 stream.</summary>
    public static AsyncAIException QuotaMarker(string operation) =>
        new(
            $"The Async service ended {operation} with {AsyncAIErrorCodes.QuotaExceededMarker}: the account's quota ran out mid-stream. Upgrade the plan or wait for the quota to reset.",
            AsyncAIErrorCategory.Quota,
            AsyncAIErrorCodes.QuotaExceeded,
            (int)HttpStatusCode.OK);

    /// <summary>A 2xx body that does not follow the documented shape.</summary>
    public static AsyncAIException Protocol(string operation, string what, Exception? inner = null) =>
        new($"The Async service answered {operation} with {what}. The service may have changed; report this with the request's details.", AsyncAIErrorCategory.Protocol, innerException: inner);

    internal static string Redact(string text, string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "***", StringComparison.Ordinal);

    private static (string? ErrorCode, string? Message, TimeSpan? RetryAfter) ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, body, null);
            }

            string? detailText = null;
            var errorObject = root;
            if (root.TryGetProperty("detail", out var detail))
            {
                switch (detail.ValueKind)
                {
                    case JsonValueKind.Object:
                        errorObject = detail;
                        break;
                    case JsonValueKind.String:
                        detailText = detail.GetString();
                        break;
                    case JsonValueKind.Array:
                        detailText = ValidationMessages(detail);
                        break;
                }
            }

            var errorCode = StringProperty(errorObject, "error_code");
            var message = StringProperty(errorObject, "message") ?? StringProperty(root, "message");
            if (detailText is not null)
            {
                message = message is null ? detailText : $"{message} ({detailText})";
            }

            TimeSpan? retryAfter = null;
            if (errorObject.TryGetProperty("extra", out var extra) && extra.ValueKind == JsonValueKind.Object &&
                extra.TryGetProperty("retry_after_ms", out var retryMs))
            {
                double milliseconds = retryMs.ValueKind switch
                {
                    JsonValueKind.Number => retryMs.GetDouble(),
                    JsonValueKind.String when double.TryParse(retryMs.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => -1,
                };
                if (milliseconds >= 0)
                {
                    retryAfter = TimeSpan.FromMilliseconds(milliseconds);
                }
            }

            return (errorCode, message, retryAfter);
        }
        catch (JsonException)
        {
            return (null, body, null);
        }
    }

    private static string? ValidationMessages(JsonElement items)
    {
        var builder = new StringBuilder();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && StringProperty(item, "msg") is { } msg)
            {
                if (builder.Length > 0)
                {
                    builder.Append("; ");
                }

                if (item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array)
                {
                    builder.AppendJoin('.', loc.EnumerateArray().Select(static part => part.ToString())).Append(": ");
                }

                builder.Append(msg);
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? FromHeader(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static string Advice(AsyncAIErrorCategory category, TimeSpan? retryAfter) => category switch
    {
        AsyncAIErrorCategory.Authentication => "Check AsyncAIHttpOptions.ApiKey: the key is missing, invalid or expired.",
        AsyncAIErrorCategory.InvalidRequest => "Fix the request (voice id, model, language, output format, API version); retrying will not help.",
        AsyncAIErrorCategory.Quota => "The account's quota is used up; upgrade the plan or wait for the quota to reset.",
        AsyncAIErrorCategory.RateLimited => retryAfter is { } delay
            ? string.Create(CultureInfo.InvariantCulture, $"Too many requests; retry after {delay.TotalSeconds:0.###} s.")
            : "Too many requests; slow down and retry later.",
        AsyncAIErrorCategory.Server => "The service failed; retry later.",
        AsyncAIErrorCategory.Timeout => "The service timed out; retry.",
        _ => "See the status code and message.",
    };

    private static string Truncate(string text) => text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");
}
