using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AsyncAI.TextToSpeech.Diagnostics;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>
/// Client for the Async text-to-speech HTTP API: streamed synthesis, whole-file synthesis, synthesis with word
/// timestamps, and the voice library.
/// </summary>
/// <remarks>
/// <para>
/// The client runs on an <see cref="HttpClient"/> the caller owns and never disposes it (create the client per call or
/// keep it; it holds no connection of its own). Requests take the HttpClient's <see cref="HttpClient.DefaultRequestVersion"/>,
/// <see cref="HttpClient.DefaultVersionPolicy"/> and <see cref="HttpClient.DefaultRequestHeaders"/>; they go to
/// <see cref="AsyncAIHttpOptions.BaseUrl"/> whatever its <see cref="HttpClient.BaseAddress"/>, and their
/// <c>x-api-key</c> and <c>version</c> headers come from the options. Through dependency injection use
/// <c>services.AddAsyncAIHttpClient(...)</c>, which registers it as a typed client of IHttpClientFactory whose retries
/// run in the resilience handler.
/// </para>
/// <para>
/// Every failure surfaces as one <see cref="AsyncAIException"/>. Rate-limited, server and connectivity failures are
/// retried with backoff (waiting as long as the service asks), but a stream only until its first audio was handed out.
/// Members are thread-safe; concurrent calls are independent requests.
/// </para>
/// <para>
/// The <see cref="HttpClient"/>'s <see cref="HttpClient.Timeout"/> bounds each attempt of a call that reads its answer
/// whole (synthesis, timestamps, voices) up to the end of the body, and a stream's attempt up to its headers (or to the
/// end of an error's body); after a stream's headers <see cref="AsyncAIHttpOptions.StreamIdleTimeout"/> applies instead.
/// An expiry is a <see cref="AsyncAIErrorCategory.Timeout"/> error.
/// </para>
/// </remarks>
public sealed class AsyncAIHttpClient
{
    internal const string StreamOperation = "POST /text_to_speech/streaming";
    internal const string SynthesizeOperation = "POST /text_to_speech";
    internal const string TimestampsOperation = "POST /text_to_speech/with_timestamps";
    internal const string ListVoicesOperation = "POST /voices";
    internal const string GetVoiceOperation = "GET /voices/{id}";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly AsyncAIHttpOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline _retry;
    private readonly Uri _baseUrl;
    private readonly TagList _serverTags;
    private readonly Uri _streamingUrl;
    private readonly Uri _synthesizeUrl;
    private readonly Uri _timestampsUrl;
    private readonly Uri _voicesUrl;

    /// <summary>Initializes a client on a caller-owned <see cref="HttpClient"/>; retries run inside the client.</summary>
    /// <param name="httpClient">The HTTP client to send with. The caller owns it; this client never disposes it.</param>
    /// <param name="options">The options; copied, so later changes do not affect this client.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <param name="timeProvider">The clock for timestamps, retry delays and timeouts, or null for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="AsyncAIHttpOptions.ApiKey"/> is not set.</exception>
    public AsyncAIHttpClient(HttpClient httpClient, AsyncAIHttpOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(httpClient, options, loggerFactory, timeProvider, resilienceHandlerRetries: false)
    {
    }

    // resilienceHandlerRetries: true when the HttpClient's resilience handler retries failed responses (the
    // IHttpClientFactory registration); the client then retries only failures while reading a 2xx body.
    internal AsyncAIHttpClient(HttpClient httpClient, AsyncAIHttpOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, bool resilienceHandlerRetries)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureComplete();

        _httpClient = httpClient;
        _options = options.Clone();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AsyncAIHttpClient>();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _serverTags = AsyncAIHttpMetrics.ServerTags(_options.BaseUrl);
        _retry = AsyncAIHttpRetry.CreatePipeline(_options, _timeProvider, _logger, _serverTags, bodyFailuresOnly: resilienceHandlerRetries);

        var baseText = _options.BaseUrl.AbsoluteUri;
        _baseUrl = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        _streamingUrl = new Uri(_baseUrl, "text_to_speech/streaming");
        _synthesizeUrl = new Uri(_baseUrl, "text_to_speech");
        _timestampsUrl = new Uri(_baseUrl, "text_to_speech/with_timestamps");
        _voicesUrl = new Uri(_baseUrl, "voices");
    }

    /// <summary>Gets a copy of the options this client uses.</summary>
    public AsyncAIHttpOptions Options => _options.Clone();

    /// <summary>
    /// Synthesizes <paramref name="text"/> with <c>POST /text_to_speech/streaming</c> and hands out each piece of audio
    /// as soon as it arrives, cut on whole samples.
    /// </summary>
    /// <param name="text">The text to speak.</param>
    /// <param name="options">Per-call overrides of the client's voice and format, or null. The container must be raw or mp3.</param>
    /// <param name="cancellationToken">Cancels the stream; the request ends at once, even while the caller holds a chunk.</param>
    /// <returns>The audio chunks, in order. Each chunk's array belongs to the caller.</returns>
    /// <remarks>
    /// A stream left before the end of its body (cancelled, a <c>break</c> out of <c>await foreach</c>, the enumerator
    /// disposed, the idle timeout) ends its request on the wire at once: the client cancels a read of the body, which
    /// makes <see cref="SocketsHttpHandler"/> close an HTTP/1.1 connection (HTTP/2 resets only the stream). Merely
    /// disposing the response would let the handler drain the rest of the body to reuse the connection, up to its
    /// <see cref="SocketsHttpHandler.ResponseDrainTimeout"/> (2 s by default), while the service kept synthesizing and
    /// the request kept its place in the account's concurrent-request limit. The trade-off: the connection of an
    /// abandoned stream is not reused, so the next request opens a new one. The caller's handler settings are not
    /// touched; a stream read to its end leaves its connection to the pool.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="text"/> is blank, or the container is wav (streaming has no wav).</exception>
    /// <exception cref="AsyncAIException">The service refused the request, the connection failed, or the quota ran out mid-stream (Quota).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<AudioChunk> StreamAsync(string text, AsyncAIHttpRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var request = Resolve(options);
        if (request.Container == AudioContainers.Wav)
        {
            throw new ArgumentException("Container wav is not available on the streaming endpoint: use raw (PCM) or mp3, or SynthesizeAsync for a WAV file.", nameof(options));
        }

        return StreamCoreAsync(text, request, cancellationToken);
    }

    /// <summary>Synthesizes <paramref name="text"/> with <c>POST /text_to_speech</c> and returns the whole audio file.</summary>
    /// <param name="text">The text to speak.</param>
    /// <param name="options">Per-call overrides of the client's voice and format (raw, wav or mp3), or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The audio.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is blank, or the encoding is pcm_mulaw with a raw or wav container (only the streaming endpoint has μ-law).</exception>
    /// <exception cref="AsyncAIException">The service refused the request or the connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AsyncAISpeechAudio> SynthesizeAsync(string text, AsyncAIHttpRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var request = Resolve(options);
        ThrowIfStreamingOnlyEncoding(request, options, nameof(SynthesizeAsync));
        var body = Serialize(text, request);
        LogStart(SynthesizeOperation, text, request);
        return SendAsync(
            "synthesize",
            SynthesizeOperation,
            new SpanRequest<AsyncAISpeechAudio>(request, text.Length, static speech => speech),
            () => CreateRequest(HttpMethod.Post, _synthesizeUrl, body),
            static async (response, state, ct) =>
            {
                var audio = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                var speech = new AsyncAISpeechAudio(audio, state.Request.Container, state.Request.Encoding, state.Request.SampleRate, response.Content.Headers.ContentType?.MediaType);
                state.Client.RecordAudio("synthesize", state.Request.Model, speech.Duration);
                return speech;
            },
            (Client: this, Request: request),
            cancellationToken);
    }

    /// <summary>Synthesizes <paramref name="text"/> with <c>POST /text_to_speech/with_timestamps</c>: the audio and each word's start and end.</summary>
    /// <param name="text">The text to speak.</param>
    /// <param name="options">Per-call overrides of the client's voice and format, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The audio and the word timings.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> is blank, or the encoding is pcm_mulaw with a raw or wav container (only the streaming endpoint has μ-law).</exception>
    /// <exception cref="AsyncAIException">The service refused the request, the connection failed, or the answer did not follow the documented shape (Protocol).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AsyncAITimestampedSpeech> SynthesizeWithTimestampsAsync(string text, AsyncAIHttpRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var request = Resolve(options);
        ThrowIfStreamingOnlyEncoding(request, options, nameof(SynthesizeWithTimestampsAsync));
        var body = Serialize(text, request);
        LogStart(TimestampsOperation, text, request);
        return SendAsync(
            "timestamps",
            TimestampsOperation,
            new SpanRequest<AsyncAITimestampedSpeech>(request, text.Length, static speech => speech.Audio),
            () => CreateRequest(HttpMethod.Post, _timestampsUrl, body),
            static async (response, state, ct) =>
            {
                var parsed = await ReadJsonAsync(response, AsyncAIJsonContext.Default.TimestampsResponse, TimestampsOperation, ct).ConfigureAwait(false);

                // Required means present, not non-null, to the deserializer.
                if (parsed.AudioBase64 is null ||
                    parsed.Alignment is not { Words: not null, WordStartTimesMilliseconds: not null, WordEndTimesMilliseconds: not null })
                {
                    throw HttpErrors.Protocol(TimestampsOperation, "null for audio_base64, alignment or one of its lists");
                }

                byte[] audio;
                try
                {
                    audio = Convert.FromBase64String(parsed.AudioBase64);
                }
                catch (FormatException e)
                {
                    throw HttpErrors.Protocol(TimestampsOperation, "audio_base64 that is not valid base64", e);
                }

                var alignment = parsed.Alignment;
                var count = alignment.Words.Count;
                if (alignment.WordStartTimesMilliseconds.Count != count || alignment.WordEndTimesMilliseconds.Count != count)
                {
                    throw HttpErrors.Protocol(TimestampsOperation, "word, start and end lists of different lengths");
                }

                var words = new AsyncAIWordTimestamp[count];
                for (var i = 0; i < count; i++)
                {
                    var word = alignment.Words[i] ?? throw HttpErrors.Protocol(TimestampsOperation, "a null word");
                    try
                    {
                        words[i] = new AsyncAIWordTimestamp(
                            word,
                            TimeSpan.FromMilliseconds(alignment.WordStartTimesMilliseconds[i]),
                            TimeSpan.FromMilliseconds(alignment.WordEndTimesMilliseconds[i]));
                    }
                    catch (OverflowException e)
                    {
                        throw HttpErrors.Protocol(TimestampsOperation, "a word time beyond what a TimeSpan holds", e);
                    }
                }

                var speech = new AsyncAISpeechAudio(audio, state.Request.Container, state.Request.Encoding, state.Request.SampleRate, contentType: null);
                state.Client.RecordAudio("timestamps", state.Request.Model, speech.Duration);
                return new AsyncAITimestampedSpeech(speech, words);
            },
            (Client: this, Request: request),
            cancellationToken);
    }

    /// <summary>Lists voices with <c>POST /voices</c>, following <c>next_cursor</c> page by page as the caller enumerates.</summary>
    /// <param name="filter">Filters and page size, or null for all voices.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The voices; the next page is requested only when the previous one is used up.</returns>
    /// <exception cref="AsyncAIException">The service refused a page request, the connection failed, or a page was not the documented JSON or repeated a cursor (Protocol).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async IAsyncEnumerable<Voice> ListVoicesAsync(AsyncAIVoiceFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        for (var page = 1; ; page++)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(
                new ListVoicesRequest
                {
                    Limit = filter?.PageSize,
                    ModelId = filter?.Model,
                    Language = filter?.Language,
                    Accent = filter?.Accent,
                    Style = filter?.Style,
                    Gender = filter?.Gender,
                    MyVoice = filter?.MyVoice,
                    After = after,
                },
                AsyncAIJsonContext.Default.ListVoicesRequest);
            var response = await SendAsync(
                "voices.list",
                ListVoicesOperation,
                SpanRequest<ListVoicesResponse>.None,
                () => CreateRequest(HttpMethod.Post, _voicesUrl, body),
                static async (response, _, ct) =>
                {
                    var voices = await ReadJsonAsync(response, AsyncAIJsonContext.Default.ListVoicesResponse, ListVoicesOperation, ct).ConfigureAwait(false);
                    return voices.Voices is null || voices.Voices.Any(static voice => voice is null)
                        ? throw HttpErrors.Protocol(ListVoicesOperation, "null for voices or for one of them")
                        : voices;
                },
                this,
                cancellationToken).ConfigureAwait(false);

            var next = response.NextCursor;
            var hasNext = !string.IsNullOrEmpty(next) && response.Voices.Count > 0;
            AsyncAIHttpLog.VoicePage(_logger, ListVoicesOperation, page, response.Voices.Count, hasNext);
            foreach (var voice in response.Voices)
            {
                yield return voice;
            }

            if (!hasNext)
            {
                yield break;
            }

            if (!seenCursors.Add(next!))
            {
                var failure = HttpErrors.Protocol(ListVoicesOperation, $"the cursor '{next}' a second time, which would page forever");
                OnFailed("voices.list", ListVoicesOperation, failure);
                throw failure;
            }

            after = next;
        }
    }

    /// <summary>Gets one voice with <c>GET /voices/{id}</c>.</summary>
    /// <param name="voiceId">The voice id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The voice.</returns>
    /// <exception cref="ArgumentException"><paramref name="voiceId"/> is blank.</exception>
    /// <exception cref="AsyncAIException">The voice does not exist (InvalidRequest, 404), the service refused the request, or the connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<Voice> GetVoiceAsync(string voiceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(voiceId);
        var url = new Uri(_voicesUrl.AbsoluteUri + "/" + Uri.EscapeDataString(voiceId));
        return SendAsync(
            "voices.get",
            GetVoiceOperation,
            SpanRequest<Voice>.None,
            () => CreateRequest(HttpMethod.Get, url, jsonBody: null),
            static (response, _, ct) => ReadJsonAsync(response, AsyncAIJsonContext.Default.Voice, GetVoiceOperation, ct),
            this,
            cancellationToken);
    }

    private async IAsyncEnumerable<AudioChunk> StreamCoreAsync(string text, ResolvedRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = Serialize(text, request);
        LogStart(StreamOperation, text, request);
        var started = _timeProvider.GetTimestamp();

        // The span lasts until the body is read to its end, fails, or the caller disposes the enumerator. It is
        // Activity.Current while the request is sent (so HttpClient's spans, one per attempt, are its children), but
        // not in the caller's code between chunks: each MoveNextAsync runs in the caller's context.
        var activity = AsyncAITracing.Enabled ? StartActivity("stream", request, text.Length) : null;
        AudioStreamReader reader;
        AudioChunk? chunk;
        try
        {
            (reader, chunk) = await OpenStreamAsync(body, text.Length, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (activity is not null)
        {
            AsyncAITracing.RecordError(activity, e);
            AsyncAITracing.StopDetached(activity, _logger);
            throw;
        }

        long bytes = 0;
        var chunks = 0;
        var completed = false;
        try
        {
            // The reader holds the one registration of the caller's token: cancelling while the caller holds a chunk
            // ends the request at once, not at the next read (and without the drain a disposed response would get).
            if (chunk is not null)
            {
                var timeToFirstByte = _timeProvider.GetElapsedTime(started, chunk.ArrivalTimestamp);
                var tags = _serverTags;
                tags.Add(AsyncAIHttpMetrics.ModelTag, request.Model);
                AsyncAIHttpMetrics.TimeToFirstByte.Record(timeToFirstByte.TotalSeconds, tags);
                AsyncAIHttpLog.FirstAudio(_logger, StreamOperation, timeToFirstByte.TotalMilliseconds);
                if (activity is not null)
                {
                    activity.AddEvent(new ActivityEvent(AsyncAITracing.FirstAudioEvent));
                    activity.SetTag(AsyncAITracing.TimeToFirstAudioTag, timeToFirstByte.TotalSeconds);
                }
            }

            while (chunk is not null)
            {
                bytes += chunk.Audio.Length;
                chunks++;
                yield return chunk;
                chunk = await ReadNextAsync(reader, bytes, activity).ConfigureAwait(false);
            }

            completed = true;

            if (reader.DroppedTrailingBytes > 0)
            {
                AsyncAIHttpLog.TrailingBytesDropped(_logger, StreamOperation, reader.DroppedTrailingBytes);
            }

            AsyncAIHttpLog.StreamCompleted(_logger, StreamOperation, bytes, chunks);
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            var bytesPerSample = AudioEncodings.BytesPerSample(request.Encoding);
            var duration = request.Container == AudioContainers.Raw && bytesPerSample > 0 ? TimeSpan.FromSeconds((double)bytes / (bytesPerSample * request.SampleRate)) : (TimeSpan?)null;
            RecordAudio("stream", request.Model, duration);
            if (activity is not null)
            {
                if (activity.IsAllDataRequested)
                {
                    activity.SetTag(AsyncAITracing.StreamCompletedTag, completed);
                    if (duration is { } audio)
                    {
                        activity.SetTag(AsyncAITracing.AudioDurationTag, audio.TotalSeconds);
                    }
                }

                AsyncAITracing.StopDetached(activity, _logger);
            }
        }
    }

    /// <summary>Sends the streaming request and reads up to the first audio, retrying transient failures on the way.</summary>
    private async ValueTask<(AudioStreamReader Reader, AudioChunk? First)> OpenStreamAsync(byte[] body, int characters, ResolvedRequest request, CancellationToken cancellationToken)
    {
        var context = GetRetryContext(StreamOperation, "stream", cancellationToken);
        try
        {
            return await _retry.ExecuteAsync(
                static async (context, state) =>
                {
                    var (client, body, characters, request, callerToken) = state;
                    var ct = context.CancellationToken;
                    context.Properties.Set(AsyncAIHttpRetry.ResponseReceived, false);
                    using var message = client.CreateRequest(HttpMethod.Post, client._streamingUrl, body);
                    message.Options.Set(AsyncAIHttpRetry.RequestMetricOperation, "stream");
                    HttpResponseMessage response;
                    using (var deadline = client.StartAttemptDeadline(ct))
                    {
                        // The deadline covers the headers and an error's body; a 2xx body is under StreamIdleTimeout.
                        response = await client.SendOnceAsync(message, StreamOperation, ct, deadline?.Token ?? ct).ConfigureAwait(false);
                    }

                    context.Properties.Set(AsyncAIHttpRetry.ResponseReceived, true);
                    client.RecordCharacters(characters, request.Model);
                    AudioStreamReader? reader = null;
                    try
                    {
                        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                        reader = new AudioStreamReader(
                            response,
                            stream,
                            client._timeProvider,
                            StreamOperation,
                            client._options.ApiKey,
                            request.SampleRate,
                            request.Container == AudioContainers.Mp3 ? AudioContainers.Mp3 : request.Encoding,
                            AudioStreamReader.UnitFor(request.Container, request.Encoding),
                            client._options.StreamIdleTimeout,
                            callerToken);
                        var first = await reader.ReadNextAsync().ConfigureAwait(false);
                        return (reader, first);
                    }
                    catch
                    {
                        if (reader is null)
                        {
                            response.Dispose();
                        }
                        else
                        {
                            await reader.DisposeAsync().ConfigureAwait(false);
                        }

                        throw;
                    }
                },
                context,
                (this, body, characters, request, cancellationToken)).ConfigureAwait(false);
        }
        catch (AsyncAIException e)
        {
            OnFailed("stream", StreamOperation, e);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // Pooled like the reader's own method: its state goes to the heap whenever a read waits for bytes.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AudioChunk?> ReadNextAsync(AudioStreamReader reader, long bytesSoFar, Activity? activity)
    {
        try
        {
            return await reader.ReadNextAsync().ConfigureAwait(false);
        }
        catch (AsyncAIException e)
        {
            OnFailed("stream", StreamOperation, e);
            if (activity is not null)
            {
                AsyncAITracing.RecordError(activity, e);
            }

            throw;
        }
        catch (OperationCanceledException e)
        {
            AsyncAIHttpLog.Cancelled(_logger, StreamOperation, bytesSoFar);
            if (activity is not null)
            {
                AsyncAITracing.RecordError(activity, e);
            }

            throw;
        }
    }

    /// <summary>Sends a request and reads its answer inside the retry policy; one exception per failed call.</summary>
    /// <remarks>
    /// The call's span wraps the retries, so HttpClient's span of each attempt is its child. It is current only inside
    /// this async method, whose changes to <see cref="Activity.Current"/> never reach the caller.
    /// </remarks>
    private async Task<TResult> SendAsync<TResult, TState>(
        string metricOperation,
        string operation,
        SpanRequest<TResult> span,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, TState, CancellationToken, ValueTask<TResult>> readBody,
        TState state,
        CancellationToken cancellationToken)
    {
        var activity = AsyncAITracing.Enabled ? StartActivity(metricOperation, span.Request, span.Characters) : null;
        using var activityScope = AsyncAITracing.StopOnDispose(activity, _logger);
        var context = GetRetryContext(operation, metricOperation, cancellationToken);
        try
        {
            var result = await _retry.ExecuteAsync(
                static async (context, state) =>
                {
                    var (client, operation, metricOperation, span, createRequest, readBody, inner) = state;
                    var ct = context.CancellationToken;
                    context.Properties.Set(AsyncAIHttpRetry.ResponseReceived, false);
                    using var message = createRequest();
                    message.Options.Set(AsyncAIHttpRetry.RequestMetricOperation, metricOperation);
                    using var deadline = client.StartAttemptDeadline(ct);
                    var attempt = deadline?.Token ?? ct;
                    using var response = await client.SendOnceAsync(message, operation, ct, attempt).ConfigureAwait(false);
                    context.Properties.Set(AsyncAIHttpRetry.ResponseReceived, true);
                    if (span.Request is { } request)
                    {
                        client.RecordCharacters(span.Characters, request.Model);
                    }

                    try
                    {
                        return await readBody(response, inner, attempt).ConfigureAwait(false);
                    }
                    catch (Exception e) when (HttpErrors.ForFailedAttempt(e, operation, client._options.ApiKey, ct, attempt) is { } failure)
                    {
                        throw failure;
                    }
                },
                context,
                (this, operation, metricOperation, span, createRequest, readBody, state)).ConfigureAwait(false);
            if (activity is { IsAllDataRequested: true } && span.AudioOf?.Invoke(result)?.Duration is { } duration)
            {
                activity.SetTag(AsyncAITracing.AudioDurationTag, duration.TotalSeconds);
            }

            return result;
        }
        catch (AsyncAIException e)
        {
            OnFailed(metricOperation, operation, e);
            if (activity is not null)
            {
                AsyncAITracing.RecordError(activity, e);
            }

            throw;
        }
        catch (Exception e) when (activity is not null)
        {
            AsyncAITracing.RecordError(activity, e);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// A pooled retry context for one call: its operation key is the request line (the retry log's), and it carries the
    /// short name the call's metrics use, so a retry is counted under the same <c>asyncai.operation</c> as its error.
    /// </summary>
    private static ResilienceContext GetRetryContext(string operation, string metricOperation, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(AsyncAIHttpRetry.MetricOperation, metricOperation);
        return context;
    }

    /// <summary>Starts the span of one call (only when someone listens): a synthesis when <paramref name="request"/> is set, a voice call otherwise.</summary>
    private Activity? StartActivity(string operation, ResolvedRequest? request, int characters)
    {
        var name = request is null ? "asyncai." + operation : AsyncAITracing.TextToSpeechOperation + " " + request.Model;
        var activity = AsyncAITracing.Start(name, ActivityKind.Internal, _logger);
        if (activity is { IsAllDataRequested: true })
        {
            AsyncAITracing.SetService(activity, _options.BaseUrl);
            activity.SetTag(AsyncAITracing.OperationTag, operation);
            if (request is not null)
            {
                AsyncAITracing.SetSynthesis(activity, request.Model, request.VoiceId);
                activity.SetTag(AsyncAITracing.CharactersTag, characters);
            }
        }

        return activity;
    }

    /// <summary>
    /// Bounds one attempt by <see cref="HttpClient.Timeout"/> beyond the headers, as HttpClient does for a body it
    /// buffers itself: the client reads every response with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, so
    /// HttpClient's own timeout ends at the headers and a body (or an error's body) that stalls would wait for ever.
    /// Null when the timeout is infinite. Runs on the client's <see cref="TimeProvider"/>.
    /// </summary>
    private AttemptDeadline? StartAttemptDeadline(CancellationToken cancellationToken)
    {
        var timeout = _httpClient.Timeout;
        return timeout == Timeout.InfiniteTimeSpan ? null : new AttemptDeadline(timeout, _timeProvider, cancellationToken);
    }

    /// <summary>
    /// One attempt up to the response headers; a non-2xx status becomes the call's <see cref="AsyncAIException"/>.
    /// <paramref name="attemptToken"/> (the caller's token, or it and the attempt's deadline) cancels the send and the
    /// read of an error body; a cancellation the caller did not ask for is a Timeout.
    /// </summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage message, string operation, CancellationToken cancellationToken, CancellationToken attemptToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, attemptToken).ConfigureAwait(false);
        }
        catch (Exception e) when (HttpErrors.ForFailedAttempt(e, operation, _options.ApiKey, cancellationToken, attemptToken) is { } failure)
        {
            throw failure;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            AsyncAIException failure;
            try
            {
                failure = await HttpErrors.FromResponseAsync(response, operation, _options.ApiKey, _timeProvider, attemptToken).ConfigureAwait(false);
            }
            catch (Exception e) when (HttpErrors.ForFailedAttempt(e, operation, _options.ApiKey, cancellationToken, attemptToken) is { } timeout)
            {
                // FromResponseAsync keeps the status when the network fails, so what reaches here is the deadline.
                throw timeout;
            }

            throw failure;
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri url, byte[]? jsonBody)
    {
        // HttpClient.SendAsync(HttpRequestMessage) takes the version from the message, not from the client's defaults
        // (only GetAsync and its siblings apply them): without this, a caller's HTTP/2 setting would be ignored.
        var message = new HttpRequestMessage(method, url)
        {
            Version = _httpClient.DefaultRequestVersion,
            VersionPolicy = _httpClient.DefaultVersionPolicy,
        };
        message.Headers.TryAddWithoutValidation("x-api-key", _options.ApiKey);
        message.Headers.TryAddWithoutValidation("version", _options.Version);
        if (jsonBody is not null)
        {
            message.Content = new ByteArrayContent(jsonBody);
            message.Content.Headers.ContentType = JsonMediaType;
        }

        return message;
    }

    private static async ValueTask<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, string operation, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                    ?? throw HttpErrors.Protocol(operation, "a null JSON body");
            }
            catch (JsonException e)
            {
                throw HttpErrors.Protocol(operation, $"a body that is not the documented JSON ({e.Message})", e);
            }
        }
    }

    /// <summary>
    /// Refuses pcm_mulaw on <c>POST /text_to_speech</c> and <c>/with_timestamps</c>: the OpenAPI schema's encoding enum
    /// there is pcm_f32le and pcm_s16le, μ-law is listed for the streaming endpoint only, and the request would come back
    /// as a 400. Not for mp3, whose request carries no encoding.
    /// </summary>
    private static void ThrowIfStreamingOnlyEncoding(ResolvedRequest request, AsyncAIHttpRequestOptions? options, string method)
    {
        if (request.Encoding == AudioEncodings.PcmMulaw && request.Container != AudioContainers.Mp3)
        {
            var source = options?.Encoding is null ? "AsyncAIHttpOptions.Encoding" : "AsyncAIHttpRequestOptions.Encoding";
            throw new ArgumentException(
                $"Encoding pcm_mulaw (from {source}) is available only on the streaming endpoint, not to {method}: use StreamAsync for μ-law, or pcm_s16le or pcm_f32le here.",
                nameof(options));
        }
    }

    private ResolvedRequest Resolve(AsyncAIHttpRequestOptions? options) => new(
        options?.VoiceId ?? _options.VoiceId,
        options?.Model ?? _options.Model,
        options?.SampleRate ?? _options.SampleRate,
        options?.Encoding ?? _options.Encoding,
        options?.Container ?? _options.Container,
        options?.Language ?? _options.Language,
        options?.SpeedControl ?? _options.SpeedControl,
        options?.Stability ?? _options.Stability,
        options?.BitRate ?? _options.BitRate);

    private static byte[] Serialize(string text, ResolvedRequest request) => JsonSerializer.SerializeToUtf8Bytes(
        new TextToSpeechRequest
        {
            ModelId = request.Model,
            Transcript = text,
            Voice = new VoiceSpecifier(request.VoiceId),
            OutputFormat = new OutputFormat
            {
                Container = request.Container,
                Encoding = request.Container == AudioContainers.Mp3 ? null : request.Encoding,
                SampleRate = request.SampleRate,

                // The spec: "Use only with mp3". Left out for raw and wav, as the encoding is left out for mp3.
                BitRate = request.Container == AudioContainers.Mp3 ? request.BitRate : null,
            },
            Language = request.Language,
            SpeedControl = request.SpeedControl,
            Stability = request.Stability,
        },
        AsyncAIJsonContext.Default.TextToSpeechRequest);

    private void LogStart(string operation, string text, ResolvedRequest request)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var bitRate = request.Container != AudioContainers.Mp3 ? "(not mp3)" : request.BitRate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(the service's default)";
            AsyncAIHttpLog.RequestStarting(_logger, operation, text.Length, request.VoiceId, request.Model, request.Encoding, request.SampleRate, request.Container, bitRate);
        }
    }

    /// <summary>
    /// Counts the text of one attempt the service accepted (its 2xx headers arrived): not a call cancelled or failed
    /// before its answer, nor one the service refused. A retry the service accepts again is counted again, as the
    /// service synthesizes it again.
    /// </summary>
    private void RecordCharacters(int characters, string model)
    {
        if (AsyncAIHttpMetrics.Characters.Enabled)
        {
            var tags = _serverTags;
            tags.Add(AsyncAIHttpMetrics.ModelTag, model);
            AsyncAIHttpMetrics.Characters.Add(characters, tags);
        }
    }

    private void RecordAudio(string operation, string model, TimeSpan? duration)
    {
        if (duration is { } audio && audio > TimeSpan.Zero)
        {
            var tags = _serverTags;
            tags.Add(AsyncAIHttpMetrics.OperationTag, operation);
            tags.Add(AsyncAIHttpMetrics.ModelTag, model);
            AsyncAIHttpMetrics.AudioDuration.Add(audio.TotalSeconds, tags);
        }
    }

    private void OnFailed(string metricOperation, string operation, AsyncAIException failure)
    {
        AsyncAIHttpMetrics.RecordError(_serverTags, metricOperation, failure.Category);
        AsyncAIHttpLog.Failed(_logger, operation, failure.Category, failure.StatusCode, failure.ErrorCode, failure);
    }

    /// <summary>What a call's span records: the synthesis request (null for a voice call), its length, and where the result's audio is.</summary>
    private readonly record struct SpanRequest<TResult>(ResolvedRequest? Request, int Characters, Func<TResult, AsyncAISpeechAudio>? AudioOf)
    {
        public static SpanRequest<TResult> None => default;
    }

    /// <summary>The caller's token linked with a timer on the client's clock; disposing it stops the timer.</summary>
    private sealed class AttemptDeadline : IDisposable
    {
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public AttemptDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
        {
            _timer = new CancellationTokenSource(timeout, timeProvider);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }

    private sealed record ResolvedRequest(
        string VoiceId,
        string Model,
        int SampleRate,
        string Encoding,
        string Container,
        string? Language,
        double? SpeedControl,
        int? Stability,
        int? BitRate);
}
