using System.Diagnostics;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>
/// The retry policy, in its two forms: a Polly pipeline the client runs itself around each attempt (caller-owned
/// <see cref="HttpClient"/>), and a retry strategy for the resilience handler of the IHttpClientFactory registration.
/// </summary>
/// <remarks>
/// Both retry only <see cref="AsyncAIException.IsTransient"/> failures (RateLimited, Server, Connectivity), wait the
/// delay the service asked for when it gave one (capped at <see cref="AsyncAIHttpOptions.MaxRetryDelay"/>), and back off
/// exponentially otherwise.
/// </remarks>
internal static class AsyncAIHttpRetry
{
    /// <summary>Set by each attempt once a 2xx response arrived; a failure after that is a body failure.</summary>
    public static readonly ResiliencePropertyKey<bool> ResponseReceived = new("AsyncAI.Http.ResponseReceived");

    /// <summary>
    /// The call's <c>asyncai.operation</c> (<c>stream</c>, <c>synthesize</c>, …) on the client's own retry context, so its
    /// retries are tagged as its error is. The context's operation key stays the request line, for the logs.
    /// </summary>
    public static readonly ResiliencePropertyKey<string> MetricOperation = new("AsyncAI.Http.Operation");

    /// <summary>
    /// The same name on each request message: the resilience handler builds a context of its own for every request
    /// and knows the call only through the message it sends.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> RequestMetricOperation = new("AsyncAI.Http.Operation");

    /// <summary>The operation of a retry whose request did not come from <see cref="AsyncAIHttpClient"/> (the named HttpClient used directly).</summary>
    public const string UnknownOperation = "http";

    // bodyFailuresOnly: true when a resilience handler below already retries failed responses and connection
    // failures; the client then retries only failures while reading a 2xx body (a stream only before its first audio
    // was handed out), so nothing is retried twice.
    public static ResiliencePipeline CreatePipeline(AsyncAIHttpOptions options, TimeProvider timeProvider, ILogger logger, TagList serverTags, bool bodyFailuresOnly)
    {
        if (options.MaxRetries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var maxDelay = options.MaxRetryDelay;
        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = "AsyncAI.Http.Retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is AsyncAIException { IsTransient: true } &&
                    (!bodyFailuresOnly || args.Context.Properties.GetValue(ResponseReceived, false))),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Exception is AsyncAIException { RetryAfter: { } requested } ? Cap(requested, maxDelay) : null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is AsyncAIException failure)
                    {
                        var operation = args.Context.Properties.GetValue(MetricOperation, UnknownOperation);
                        OnRetrying(logger, serverTags, operation, args.Context.OperationKey, failure, args.AttemptNumber + 1, args.RetryDelay);
                    }

                    return default;
                },
            })
            .Build();
    }

    public static void AddTo(ResiliencePipelineBuilder<HttpResponseMessage> builder, AsyncAIHttpOptions options, TimeProvider timeProvider, ILogger logger, TagList serverTags)
    {
        if (options.MaxRetries == 0)
        {
            return;
        }

        var maxDelay = options.MaxRetryDelay;
        var apiKey = options.ApiKey;
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "AsyncAI.Http.Retry",
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.UseJitter,
            Delay = options.RetryBaseDelay,
            MaxDelay = maxDelay,
            ShouldRetryAfterHeader = false,
            ShouldHandle = async args =>
            {
                var failure = await ClassifyAsync(args.Outcome, apiKey, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                return failure is { IsTransient: true };
            },
            DelayGenerator = async args =>
            {
                var failure = await ClassifyAsync(args.Outcome, apiKey, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                return failure?.RetryAfter is { } requested ? Cap(requested, maxDelay) : null;
            },
            OnRetry = async args =>
            {
                var failure = await ClassifyAsync(args.Outcome, apiKey, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    var operation = args.Context.GetRequestMessage()?.Options.TryGetValue(RequestMetricOperation, out var name) == true ? name : UnknownOperation;
                    OnRetrying(logger, serverTags, operation, args.Context.OperationKey, failure, args.AttemptNumber + 1, args.RetryDelay);
                }
            },
        });
    }

    /// <summary>What a response or exception seen by the resilience handler means, or null when it is no failure.</summary>
    private static async ValueTask<AsyncAIException?> ClassifyAsync(Outcome<HttpResponseMessage> outcome, string apiKey, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        switch (outcome.Exception)
        {
            case OperationCanceledException:
                return null;
            case HttpRequestException or IOException:
                return HttpErrors.Connectivity("the request", outcome.Exception, apiKey);
            case not null:
                return null;
        }

        var response = outcome.Result;
        if (response is null || response.IsSuccessStatusCode)
        {
            return null;
        }

        var request = response.RequestMessage;
        var operation = request is null ? "the request" : $"{request.Method} {request.RequestUri?.AbsolutePath}";
        return await HttpErrors.FromResponseAsync(response, operation, apiKey, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private static void OnRetrying(ILogger logger, TagList serverTags, string metricOperation, string? operation, AsyncAIException failure, int attempt, TimeSpan delay)
    {
        if (AsyncAIHttpMetrics.Retries.Enabled)
        {
            var tags = serverTags;
            tags.Add(AsyncAIHttpMetrics.OperationTag, metricOperation);
            tags.Add(AsyncAIHttpMetrics.CategoryTag, AsyncAIHttpMetrics.CategoryName(failure.Category));
            AsyncAIHttpMetrics.Retries.Add(1, tags);
        }

        AsyncAIHttpLog.Retrying(logger, operation ?? "request", failure.Category, failure.StatusCode, failure.ErrorCode, attempt, delay.TotalMilliseconds);
    }

    private static TimeSpan Cap(TimeSpan requested, TimeSpan max) => requested > max ? max : requested;
}
