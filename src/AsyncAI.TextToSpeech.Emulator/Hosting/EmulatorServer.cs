using System.Globalization;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>The request handler behind an <see cref="AsyncAIEmulator"/>: routes WebSocket upgrades and HTTP calls.</summary>
internal sealed partial class EmulatorServer
{
    public const string WebSocketPath = "/text_to_speech/websocket/ws";
    public const string FaultHeader = "x-emulator-fault";
    public const string FaultQuery = "emulator_fault";

    private readonly EmulatorOptions _options;
    private readonly CancellationTokenSource _stopping;
    private readonly Lock _rateGate = new();
    private readonly Queue<long> _recentRequests = new();
    private int _nextId;
    private int _openConnections;
    private int _httpInFlight;

    public EmulatorServer(EmulatorOptions options, EmulatorJournal journal, CancellationToken hostStopping)
    {
        _options = options;
        Journal = journal;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
    }

    public EmulatorJournal Journal { get; }

    public void Stop() => _stopping.Cancel();

    public Task HandleAsync(HttpContext context) =>
        context.Request.Path.Equals(WebSocketPath, StringComparison.Ordinal) ? HandleWebSocketAsync(context) : HandleHttpAsync(context);

    private int NextId() => Interlocked.Increment(ref _nextId);

    // ---------------------------------------------------------------- WebSocket handshake

    private async Task HandleWebSocketAsync(HttpContext http)
    {
        var id = NextId();
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await RejectHandshakeAsync(http, id, ApiError.Validation("This path accepts WebSocket upgrades only."));
            return;
        }

        var query = http.Request.Query;
        var spec = query.TryGetValue(FaultQuery, out var q) ? q.ToString() : http.Request.Headers[FaultHeader].ToString();
        FaultSet faults;
        try
        {
            faults = _options.Faults.Snapshot().Apply(spec);
        }
        catch (FormatException ex)
        {
            await RejectHandshakeAsync(http, id, ApiError.Validation(ex.Message, FaultQuery));
            return;
        }

        if (faults.RejectHandshakeStatus is { } rejectStatus)
        {
            await RejectHandshakeAsync(http, id, ErrorForStatus(rejectStatus, null, null, http));
            return;
        }

        var key = query.TryGetValue("api_key", out var k) ? k.ToString() : http.Request.Headers["x-api-key"].ToString();
        if (!_options.IsKeyAccepted(key))
        {
            await RejectHandshakeAsync(http, id, ApiError.InvalidApiKey(key));
            return;
        }

        var version = query.TryGetValue("version", out var v) ? v.ToString() : VersionHeader(http);
        if (!string.IsNullOrEmpty(version) && version != "v1")
        {
            await RejectHandshakeAsync(http, id, ApiError.VersionNotFound(version));
            return;
        }

        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            await RejectHandshakeAsync(http, id, ApiError.Validation("Only HTTP/1.1 WebSocket upgrades are supported."));
            return;
        }

        var open = Interlocked.Increment(ref _openConnections);
        if (open > _options.MaxConnections)
        {
            // The slot is given back before the 429 goes out: a client that has its answer may connect again at once.
            Interlocked.Decrement(ref _openConnections);
            await RejectHandshakeAsync(http, id, new ApiError(429, AsyncAIErrorCodes.TooManyConcurrentRequests, "Too many concurrent requests",
                [new("limit", _options.MaxConnections), new("current", open), new("retry_after_ms", (long)_options.ConcurrencyRetryAfter.TotalMilliseconds)]));
            return;
        }

        string? disconnected = null;
        try
        {
            // Accept by hand (what the WebSocket middleware does) so the socket runs over a stream that coalesces
            // bursts of audio frames into one write.
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = "websocket";
            http.Response.Headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());

            // Journaled before the 101 goes out, like every message the emulator sends: a client that has connected
            // always finds its connection counted.
            Journal.CountConnectionAccepted();
            Journal.Add(id, EmulatorEventKind.Connected, null, string.IsNullOrEmpty(spec) ? null : spec);
            disconnected = "aborted during the upgrade"; // replaced by the session's own reason once it runs
            var transport = await upgrade.UpgradeAsync();
            await using var stream = new CoalescingStream(transport);
            using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            using var session = new WebSocketSession(socket, stream, http, _options, Journal, id, spec, _stopping.Token);
            disconnected = await session.RunAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
            if (disconnected is not null)
            {
                // Journaled once the slot is free, so a client that waits for this event can connect again at once.
                Journal.Add(id, EmulatorEventKind.Disconnected, null, disconnected);
            }
        }
    }

    private static string AcceptKey(string key)
    {
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 6455 mandates SHA-1 for Sec-WebSocket-Accept; it is not used for security here
        System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    private async Task RejectHandshakeAsync(HttpContext http, int id, ApiError error)
    {
        Journal.CountHandshakeRejected();
        Journal.Add(id, EmulatorEventKind.HandshakeRejected, null, error.StatusCode.ToString(CultureInfo.InvariantCulture));
        await WriteErrorAsync(http, error);
    }

    // ---------------------------------------------------------------- HTTP

    private async Task HandleHttpAsync(HttpContext http)
    {
        var id = NextId();
        var aborted = false;
        try
        {
            await HandleHttpCoreAsync(http);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away (or the emulator is stopping) before the response was complete.
            aborted = true;
            http.Abort();
        }
        finally
        {
            Journal.Add(id, EmulatorEventKind.HttpRequest, null,
                string.Create(CultureInfo.InvariantCulture, $"{http.Request.Method} {http.Request.Path} {http.Response.StatusCode}{(aborted ? " aborted" : "")}"));
        }
    }

    private async Task HandleHttpCoreAsync(HttpContext http)
    {
        var request = http.Request;
        FaultSet faults;
        try
        {
            faults = _options.Faults.Snapshot().Apply(request.Headers[FaultHeader].ToString());
        }
        catch (FormatException ex)
        {
            await WriteErrorAsync(http, ApiError.Validation(ex.Message, FaultHeader));
            return;
        }

        if (faults.Delay > TimeSpan.Zero)
        {
            await Task.Delay(faults.Delay, _stopping.Token);
        }

        var failure = faults.FailStatus is { } status
            ? new HttpFailure(status, faults.FailErrorCode, faults.FailRetryAfter)
            : _options.Faults.TakeHttpFailure();
        if (failure is not null)
        {
            await WriteErrorAsync(http, ErrorForStatus(failure.StatusCode, failure.ErrorCode, failure.RetryAfter, http));
            return;
        }

        var path = request.Path.Value ?? "/";
        if (path is "/" or "")
        {
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                await WriteMethodNotAllowedAsync(http);
                return;
            }

            await WriteJsonAsync(http, 200, """{"status":"ok","version":"v1"}"""u8.ToArray());
            return;
        }

        var route = Route(request.Method, path, out var voiceId);
        if (route == HttpRoute.NotFound)
        {
            await WriteJsonAsync(http, 404, """{"detail":"Not Found"}"""u8.ToArray());
            return;
        }

        if (route == HttpRoute.MethodNotAllowed)
        {
            await WriteMethodNotAllowedAsync(http);
            return;
        }

        var key = request.Headers["x-api-key"].ToString();
        if (!_options.IsKeyAccepted(key))
        {
            await WriteErrorAsync(http, ApiError.InvalidApiKey(key));
            return;
        }

        var version = VersionHeader(http);
        if (!string.IsNullOrEmpty(version) && version != "v1")
        {
            await WriteErrorAsync(http, ApiError.VersionNotFound(version));
            return;
        }

        if (CheckRateLimit() is { } rateError)
        {
            await WriteErrorAsync(http, rateError);
            return;
        }

        switch (route)
        {
            case HttpRoute.ListVoices:
                await ListVoicesAsync(http);
                return;
            case HttpRoute.BatchVoices:
                await BatchVoicesAsync(http);
                return;
            case HttpRoute.GetVoice:
                await GetVoiceAsync(http, voiceId!);
                return;
        }

        var inFlight = Interlocked.Increment(ref _httpInFlight);
        try
        {
            var limit = _options.MaxConcurrentHttpRequests;
            if (limit > 0 && inFlight > limit)
            {
                await WriteErrorAsync(http, new ApiError(429, AsyncAIErrorCodes.TooManyConcurrentRequests, "Too many concurrent requests",
                    [new("limit", limit), new("current", inFlight), new("retry_after_ms", (long)_options.ConcurrencyRetryAfter.TotalMilliseconds)]));
                return;
            }

            var endpoint = route switch
            {
                HttpRoute.Sync => SpeechEndpoint.Sync,
                HttpRoute.Streaming => SpeechEndpoint.Streaming,
                _ => SpeechEndpoint.Timestamps,
            };
            using var body = await ReadJsonAsync(http);
            if (body is null)
            {
                return;
            }

            var speech = SpeechRequest.Parse(body.RootElement, endpoint, out var error);
            if (speech is null)
            {
                await WriteErrorAsync(http, error!);
                return;
            }

            switch (endpoint)
            {
                case SpeechEndpoint.Sync:
                    await SynthesizeWholeAsync(http, speech);
                    break;
                case SpeechEndpoint.Streaming:
                    await StreamAsync(http, speech, faults);
                    break;
                default:
                    await SynthesizeWithTimestampsAsync(http, speech);
                    break;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _httpInFlight);
        }
    }

    private static HttpRoute Route(string method, string path, out string? voiceId)
    {
        voiceId = null;
        var isPost = HttpMethods.IsPost(method);
        switch (path)
        {
            case "/text_to_speech":
                return isPost ? HttpRoute.Sync : HttpRoute.MethodNotAllowed;
            case "/text_to_speech/streaming":
                return isPost ? HttpRoute.Streaming : HttpRoute.MethodNotAllowed;
            case "/text_to_speech/with_timestamps":
                return isPost ? HttpRoute.Timestamps : HttpRoute.MethodNotAllowed;
            case "/voices":
                return isPost ? HttpRoute.ListVoices : HttpRoute.MethodNotAllowed;
            case "/voices/batch":
                return isPost ? HttpRoute.BatchVoices : HttpRoute.MethodNotAllowed;
        }

        if (path.StartsWith("/voices/", StringComparison.Ordinal) && path.IndexOf('/', 8) < 0 && path.Length > 8)
        {
            voiceId = Uri.UnescapeDataString(path[8..]);
            return HttpMethods.IsGet(method) ? HttpRoute.GetVoice : HttpRoute.MethodNotAllowed;
        }

        return HttpRoute.NotFound;
    }

    private ApiError? CheckRateLimit()
    {
        var limit = _options.HttpRequestsPerMinute;
        if (limit <= 0)
        {
            return null;
        }

        var now = Environment.TickCount64;
        lock (_rateGate)
        {
            while (_recentRequests.Count > 0 && now - _recentRequests.Peek() >= 60_000)
            {
                _recentRequests.Dequeue();
            }

            if (_recentRequests.Count >= limit)
            {
                var retryAfterMs = Math.Max(1, 60_000 - (now - _recentRequests.Peek()));
                return new ApiError(429, AsyncAIErrorCodes.RateLimitExceeded, "Rate limit exceeded. Please try again later.",
                    [new("limit", limit), new("retry_after_ms", retryAfterMs)]);
            }

            _recentRequests.Enqueue(now);
            return null;
        }
    }

    private static string VersionHeader(HttpContext http)
    {
        var headers = http.Request.Headers;
        var version = headers["version"].ToString();
        return string.IsNullOrEmpty(version) ? headers["api-version"].ToString() : version;
    }

    private static ApiError ErrorForStatus(int status, string? errorCode, TimeSpan? retryAfter, HttpContext http)
    {
        List<KeyValuePair<string, object?>>? extra = retryAfter is { } r ? [new("retry_after_ms", (long)r.TotalMilliseconds)] : null;
        var code = errorCode ?? status switch
        {
            400 => AsyncAIErrorCodes.ValidationError,
            401 => AsyncAIErrorCodes.InvalidApiKey,
            404 => AsyncAIErrorCodes.VoiceNotFound,
            429 => AsyncAIErrorCodes.RateLimitExceeded,
            500 => InternalError,
            503 => "SERVICE_UNAVAILABLE",
            >= 500 => "SERVER_ERROR",
            _ => "EMULATED_FAILURE",
        };
        var message = code switch
        {
            AsyncAIErrorCodes.RateLimitExceeded => "Rate limit exceeded. Please try again later.",
            AsyncAIErrorCodes.TooManyConcurrentRequests => "Too many concurrent requests",
            AsyncAIErrorCodes.UsageLimitExceeded => "Quota exceeded. Please upgrade your plan or try later.",
            AsyncAIErrorCodes.InvalidApiKey => "Invalid or expired API key.",
            _ => string.Create(CultureInfo.InvariantCulture, $"Emulated failure ({status}) for {http.Request.Method} {http.Request.Path}."),
        };
        if (code == AsyncAIErrorCodes.RateLimitExceeded && extra is not null)
        {
            extra.Insert(0, new("limit", 120));
        }

        return new ApiError(status, code, message, extra);
    }

    private const string InternalError = "INTERNAL_SERVER_ERROR";

    private enum HttpRoute
    {
        NotFound,
        MethodNotAllowed,
        Sync,
        Streaming,
        Timestamps,
        ListVoices,
        BatchVoices,
        GetVoice,
    }

    // ---------------------------------------------------------------- responses

    private async Task<JsonDocument?> ReadJsonAsync(HttpContext http, bool allowEmpty = false)
    {
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, _stopping.Token);
            if (buffer.Length == 0 && allowEmpty)
            {
                return JsonDocument.Parse("{}");
            }

            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (!JsonStrings.AllReadable(document.RootElement))
            {
                document.Dispose();
                await WriteErrorAsync(http, ApiError.Validation("The body holds a string that is not valid Unicode (a lone surrogate escape)."));
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            await WriteErrorAsync(http, ApiError.Validation("The body is not valid JSON."));
            return null;
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            await WriteErrorAsync(http, new ApiError(ex.StatusCode, AsyncAIErrorCodes.ValidationError, ex.Message));
            return null;
        }
    }

    internal static async Task WriteErrorAsync(HttpContext http, ApiError error)
    {
        if (error.Extra?.FirstOrDefault(e => e.Key == "retry_after_ms").Value is long retryMs)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryMs / 1000.0)).ToString(CultureInfo.InvariantCulture);
        }

        if (error.ErrorCode == InternalError)
        {
            // The documented 500 body has no detail wrapper.
            var body = JsonSerializer.SerializeToUtf8Bytes(
                new ServerErrorBody("Oops! Internal server error occurred.", http.Request.Method, http.Request.Path.Value ?? "/", "Error: Traceback #42"),
                EmulatorJsonContext.Default.ServerErrorBody);
            await WriteJsonAsync(http, error.StatusCode, body);
            return;
        }

        await WriteJsonAsync(http, error.StatusCode, error.ToHttpBody());
    }

    private static async Task WriteMethodNotAllowedAsync(HttpContext http) =>
        await WriteJsonAsync(http, 405, """{"detail":"Method Not Allowed"}"""u8.ToArray());

    internal static async Task WriteJsonAsync(HttpContext http, int status, byte[] body)
    {
        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }
}

/// <summary>The documented 500 body: <c>{"message","method","url","detail"}</c>.</summary>
internal sealed record ServerErrorBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message,
    [property: System.Text.Json.Serialization.JsonPropertyName("method")] string Method,
    [property: System.Text.Json.Serialization.JsonPropertyName("url")] string Url,
    [property: System.Text.Json.Serialization.JsonPropertyName("detail")] string Detail);

/// <summary>Source-generated JSON metadata for the emulator's own bodies.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(ServerErrorBody))]
internal sealed partial class EmulatorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
