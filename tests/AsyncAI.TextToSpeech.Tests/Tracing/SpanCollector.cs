using System.Collections.Concurrent;
using System.Diagnostics;
using AsyncAI.TextToSpeech.Diagnostics;

namespace AsyncAI.TextToSpeech.Tests.Tracing;

/// <summary>
/// Records the spans started and stopped on chosen sources. Tests run in parallel and every listener sees every test's
/// spans, so callers filter by something only their test has (the emulator's port, a context id, a trace id).
/// </summary>
internal sealed class SpanCollector : IDisposable
{
    /// <summary>A source of the tests' own: an ambient span the caller is "in" when it calls the library.</summary>
    public const string AmbientSourceName = "AsyncAI.Tests.Ambient";

    /// <summary>HttpClient's spans (one per attempt).</summary>
    public const string HttpClientSourceName = "System.Net.Http";

    public static readonly ActivitySource Ambient = new(AmbientSourceName);

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanCollector(params string[] sources)
    {
        var names = sources.Length == 0 ? [AsyncAITelemetry.Name, AmbientSourceName, HttpClientSourceName] : sources;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => names.Contains(source.Name),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public static bool HasPort(Activity activity, int port) => activity.GetTagItem("server.port") is int p && p == port;

    public static bool IsOurs(Activity activity) => activity.Source.Name == AsyncAITelemetry.Name;

    public List<Activity> Started(Func<Activity, bool> filter) => _started.Where(filter).ToList();

    public List<Activity> Stopped(Func<Activity, bool> filter) => _stopped.Where(filter).ToList();

    /// <summary>Our spans for a service on <paramref name="port"/> (what one test's emulator makes).</summary>
    public List<Activity> StoppedOn(int port) => Stopped(a => IsOurs(a) && HasPort(a, port));

    /// <summary>HttpClient's spans whose parent is <paramref name="parent"/>.</summary>
    public List<Activity> HttpChildrenOf(Activity parent) =>
        Stopped(a => a.Source.Name == HttpClientSourceName && a.TraceId == parent.TraceId && a.ParentSpanId == parent.SpanId);

    /// <summary>Waits (bounded) until a stopped span matches; spans stopped on background loops land a little later.</summary>
    public async Task<Activity> WaitForStoppedAsync(Func<Activity, bool> filter, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(10 * Stopwatch.Frequency);
        while (true)
        {
            var found = _stopped.FirstOrDefault(filter);
            if (found is not null)
            {
                return found;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Asserts what every successful synthesis span carries (HTTP call or WebSocket context): its name, the gen_ai tags, voice, server and time to first audio.</summary>
    public static void AssertSynthesisSpan(Activity span, string voiceId, string serverHost)
    {
        Assert.Equal("text_to_speech async_flash_v1.0", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("text_to_speech", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("asyncai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("async_flash_v1.0", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("audio", span.GetTagItem("gen_ai.output.type"));
        Assert.Equal(voiceId, span.GetTagItem("asyncai.voice.id"));
        Assert.Equal(serverHost, span.GetTagItem("server.address"));
        Assert.InRange(Assert.IsType<double>(span.GetTagItem("asyncai.tts.time_to_first_audio")), 0, span.Duration.TotalSeconds);
        Assert.Single(span.Events, e => e.Name == "asyncai.tts.first_audio");
    }

    /// <summary>Every string a span exposes: name, status description, tags, events and their tags.</summary>
    public static IEnumerable<string> Texts(Activity activity)
    {
        yield return activity.DisplayName;
        yield return activity.OperationName;
        if (activity.StatusDescription is { } description)
        {
            yield return description;
        }

        foreach (var tag in activity.TagObjects)
        {
            yield return tag.Key + "=" + Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var e in activity.Events)
        {
            yield return e.Name;
            foreach (var tag in e.Tags)
            {
                yield return tag.Key + "=" + Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        foreach (var baggage in activity.Baggage)
        {
            yield return baggage.Key + "=" + baggage.Value;
        }
    }

    public void Dispose() => _listener.Dispose();
}
