using System.Diagnostics;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Diagnostics;

/// <summary>
/// Span names, attribute names and helpers for the library's spans on <see cref="AsyncAITelemetry.ActivitySource"/>.
/// </summary>
/// <remarks>
/// Attribute names follow OpenTelemetry's GenAI conventions where one fits (<c>gen_ai.*</c>, <c>server.*</c>,
/// <c>error.type</c>); the rest are <c>asyncai.*</c>. Callers check <see cref="ActivitySource.HasListeners"/> before
/// building a name or a tag, so without a listener tracing costs one volatile read and allocates nothing.
/// </remarks>
internal static class AsyncAITracing
{
    /// <summary>The <c>gen_ai.operation.name</c> of a synthesis. GenAI defines no TTS operation; MEAI's middleware says <c>generate_content</c>, so ours is told apart when nested under it.</summary>
    public const string TextToSpeechOperation = "text_to_speech";

    public const string ConnectSpanName = "asyncai.websocket.connect";

    public const string OperationNameTag = "gen_ai.operation.name";
    public const string ProviderNameTag = "gen_ai.provider.name";
    public const string RequestModelTag = "gen_ai.request.model";
    public const string OutputTypeTag = "gen_ai.output.type";
    public const string ServerAddressTag = "server.address";
    public const string ServerPortTag = "server.port";
    public const string UrlFullTag = "url.full";
    public const string ErrorTypeTag = "error.type";
    public const string HttpStatusCodeTag = "http.response.status_code";

    public const string OperationTag = "asyncai.operation";
    public const string VoiceIdTag = "asyncai.voice.id";
    public const string ContextIdTag = "asyncai.context.id";
    public const string ContextEndReasonTag = "asyncai.context.end_reason";
    public const string CharactersTag = "asyncai.tts.characters";
    public const string AudioDurationTag = "asyncai.tts.audio.duration";
    public const string TimeToFirstAudioTag = "asyncai.tts.time_to_first_audio";
    public const string StreamCompletedTag = "asyncai.tts.stream.completed";
    public const string ConnectionNumberTag = "asyncai.websocket.connection.number";
    public const string ReconnectAttemptTag = "asyncai.websocket.reconnect.attempt";
    public const string ErrorCodeTag = "asyncai.error.code";

    public const string FirstAudioEvent = "asyncai.tts.first_audio";

    public const string ProviderName = "asyncai";
    public const string AudioOutput = "audio";

    /// <summary>Gets whether anyone listens to the library's spans (one volatile read).</summary>
    public static bool Enabled => AsyncAITelemetry.ActivitySource.HasListeners();

    /// <summary>Starts a span, which becomes <see cref="Activity.Current"/> as usual.</summary>
    /// <remarks>
    /// An <see cref="ActivityListener"/> that throws from its sampling or start callback is logged and costs the span
    /// (null), not the operation: spans start inside connects, context creation and requests, which a user's listener
    /// must not break.
    /// </remarks>
    public static Activity? Start(string name, ActivityKind kind, ILogger logger)
    {
        var previous = Activity.Current;
        try
        {
            return AsyncAITelemetry.ActivitySource.StartActivity(name, kind);
        }
        catch (Exception ex)
        {
            TracingLog.ListenerFailed(logger, "start", name, ex);
            Restore(previous);
            return null;
        }
    }

    /// <summary>
    /// Starts a span that outlives the calling method without becoming <see cref="Activity.Current"/>: its parent is the
    /// caller's current span, and the caller's current span is left as it was, so unrelated work that follows is not
    /// attributed to it. A throwing listener is handled as in <see cref="Start"/>.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ILogger logger)
    {
        var previous = Activity.Current;
        var activity = Start(name, kind, logger);
        Restore(previous);
        return activity;
    }

    /// <summary>Stops a span; <see cref="Activity.Current"/> goes back to what it was when the span started, as usual.</summary>
    /// <remarks>
    /// An <see cref="ActivityListener"/> that throws from its stop callback is logged: a span stops inside a context's
    /// state change (often on the receive loop), a connect or a request, which must finish whatever a user's listener does.
    /// </remarks>
    public static void Stop(Activity activity, ILogger logger)
    {
        try
        {
            activity.Stop();
        }
        catch (Exception ex)
        {
            TracingLog.ListenerFailed(logger, "stop", activity.DisplayName, ex);
            if (ReferenceEquals(Activity.Current, activity))
            {
                Restore(activity.Parent);
            }
        }
    }

    /// <summary>
    /// Stops a span without touching the caller's <see cref="Activity.Current"/> (<see cref="Activity.Stop"/> would
    /// set it to the span's parent whatever it was): a context may end on a caller's thread, a timer or the receive loop.
    /// </summary>
    public static void StopDetached(Activity activity, ILogger logger)
    {
        var current = Activity.Current;
        Stop(activity, logger);
        if (!ReferenceEquals(current, activity))
        {
            Restore(current);
        }
    }

    /// <summary>Stops <paramref name="activity"/> (if any) with <see cref="Stop"/> when disposed: <c>using var</c> for a scoped span.</summary>
    public static SpanScope StopOnDispose(Activity? activity, ILogger logger) => new(activity, logger);

    /// <summary>Marks a span failed: status Error and <c>error.type</c>; for an <see cref="AsyncAIException"/> also its (redacted) message, code and HTTP status.</summary>
    /// <remarks>Deliberately not <c>AddException</c>: an inner network exception's text may hold the URL with the API key.</remarks>
    public static void RecordError(Activity activity, Exception error)
    {
        if (error is AsyncAIException failure)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(ErrorTypeTag, AsyncAIHttpMetrics.CategoryName(failure.Category));
                if (failure.ErrorCode is { } code)
                {
                    activity.SetTag(ErrorCodeTag, code);
                }

                if (failure.StatusCode is { } status)
                {
                    activity.SetTag(HttpStatusCodeTag, status);
                }
            }

            return;
        }

        var type = error.GetType().FullName;
        activity.SetStatus(ActivityStatusCode.Error, type);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ErrorTypeTag, type);
        }
    }

    /// <summary>Tags what every span of the library carries: the provider, and the service's host and port.</summary>
    public static void SetService(Activity activity, Uri url)
    {
        activity.SetTag(ProviderNameTag, ProviderName);
        activity.SetTag(ServerAddressTag, url.Host);
        activity.SetTag(ServerPortTag, url.Port);
    }

    /// <summary>Tags a synthesis span (an HTTP call or a WebSocket context): the GenAI operation and output, the model and the voice.</summary>
    public static void SetSynthesis(Activity activity, string model, string voiceId)
    {
        activity.SetTag(OperationNameTag, TextToSpeechOperation);
        activity.SetTag(RequestModelTag, model);
        activity.SetTag(OutputTypeTag, AudioOutput);
        activity.SetTag(VoiceIdTag, voiceId);
    }

    private static void Restore(Activity? previous)
    {
        if (!ReferenceEquals(Activity.Current, previous))
        {
            // A stopped activity cannot be made current again (the setter refuses it and keeps ours); none is the nearest.
            Activity.Current = previous is { IsStopped: false } ? previous : null;
        }
    }

    /// <summary>Stops a scoped span on dispose, a throwing listener notwithstanding.</summary>
    public readonly struct SpanScope(Activity? activity, ILogger logger) : IDisposable
    {
        /// <summary>Stops the span, if there is one.</summary>
        public void Dispose()
        {
            if (activity is not null)
            {
                Stop(activity, logger);
            }
        }
    }
}
