using System.Diagnostics;
using System.Diagnostics.Metrics;
using AsyncAI.TextToSpeech.Diagnostics;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>The HTTP client's instruments on <see cref="AsyncAITelemetry.Meter"/>.</summary>
internal static class AsyncAIHttpMetrics
{
    public const string OperationTag = "asyncai.operation";
    public const string ModelTag = "asyncai.model";
    public const string CategoryTag = "error.type";
    public const string ServerAddressTag = "server.address";
    public const string ServerPortTag = "server.port";

    public static readonly Histogram<double> TimeToFirstByte = AsyncAITelemetry.Meter.CreateHistogram<double>(
        "asyncai.tts.http.time_to_first_byte",
        unit: "s",
        description: "Time from starting a streaming request to the arrival of its first audio, retries included.");

    public static readonly Counter<long> Characters = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.http.characters",
        unit: "{character}",
        description: "Characters of text the service accepted for synthesis over HTTP: counted per attempt answered with a 2xx status.");

    public static readonly Counter<double> AudioDuration = AsyncAITelemetry.Meter.CreateCounter<double>(
        "asyncai.tts.http.audio_duration",
        unit: "s",
        description: "Seconds of PCM audio received over HTTP.");

    public static readonly Counter<long> Errors = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.http.errors",
        unit: "{error}",
        description: "Failed HTTP calls, by error category (error.type); one per call, after retries.");

    public static readonly Counter<long> Retries = AsyncAITelemetry.Meter.CreateCounter<long>(
        "asyncai.tts.http.retries",
        unit: "{retry}",
        description: "Retries of HTTP calls, by the category of the failure retried (error.type).");

    /// <summary>The tags every measurement of one client carries: the service's host and port.</summary>
    public static TagList ServerTags(Uri baseUrl) => new()
    {
        { ServerAddressTag, baseUrl.Host },
        { ServerPortTag, baseUrl.Port },
    };

    public static void RecordError(TagList serverTags, string operation, AsyncAIErrorCategory category)
    {
        if (Errors.Enabled)
        {
            var tags = serverTags;
            tags.Add(OperationTag, operation);
            tags.Add(CategoryTag, CategoryName(category));
            Errors.Add(1, tags);
        }
    }

    public static string CategoryName(AsyncAIErrorCategory category) => category switch
    {
        AsyncAIErrorCategory.Authentication => "authentication",
        AsyncAIErrorCategory.InvalidRequest => "invalid_request",
        AsyncAIErrorCategory.Quota => "quota",
        AsyncAIErrorCategory.RateLimited => "rate_limited",
        AsyncAIErrorCategory.Server => "server",
        AsyncAIErrorCategory.Connectivity => "connectivity",
        AsyncAIErrorCategory.Protocol => "protocol",
        AsyncAIErrorCategory.Timeout => "timeout",
        _ => "unknown",
    };
}
