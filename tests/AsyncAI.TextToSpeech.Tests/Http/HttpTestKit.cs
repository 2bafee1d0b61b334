using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>Shared setup for the HTTP client tests: an in-process emulator per test and a caller-owned HttpClient.</summary>
internal static class HttpTestKit
{
    public const string ApiKey = "sk_test_http_client_key";

    /// <summary>Generous, so a loaded machine does not flake.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Services with <c>AddAsyncAIHttpClient</c> pointed at the emulator: fast retries without jitter.</summary>
    public static ServiceCollection FactoryServices(AsyncAIEmulator emulator, int maxRetries = 3)
    {
        var services = new ServiceCollection();
        services.AddAsyncAIHttpClient(o =>
        {
            o.ApiKey = ApiKey;
            o.BaseUrl = emulator.HttpBaseUrl;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.UseJitter = false;
            o.MaxRetries = maxRetries;
        });
        return services;
    }

    public static AsyncAIHttpOptions Options(AsyncAIEmulator emulator, Action<AsyncAIHttpOptions>? configure = null)
    {
        var options = new AsyncAIHttpOptions(ApiKey)
        {
            BaseUrl = emulator.HttpBaseUrl,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(5),
            UseJitter = false,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An HttpClient the test owns; <paramref name="fault"/> goes into <c>x-emulator-fault</c> on every request.</summary>
    public static HttpClient CreateHttpClient(string? fault = null, DelegatingHandler? handler = null)
    {
        HttpMessageHandler primary = new SocketsHttpHandler();
        if (handler is not null)
        {
            handler.InnerHandler = primary;
            primary = handler;
        }

        var http = new HttpClient(primary);
        if (fault is not null)
        {
            http.DefaultRequestHeaders.Add("x-emulator-fault", fault);
        }

        return http;
    }

    public static CancellationTokenSource TimeoutSource() => new(Timeout);

    public static IReadOnlyList<EmulatorEvent> HttpRequests(AsyncAIEmulator emulator) =>
        emulator.Journal.Snapshot().Where(e => e.Kind == EmulatorEventKind.HttpRequest).ToList();

    /// <summary>
    /// Waits until the emulator has journaled at least <paramref name="atLeast"/> HTTP requests (it journals a request
    /// when its response is complete, which may be just after the client has it), then returns them all.
    /// </summary>
    public static async Task<IReadOnlyList<EmulatorEvent>> HttpRequestsAsync(AsyncAIEmulator emulator, int atLeast)
    {
        using var cts = TimeoutSource();
        while (true)
        {
            var requests = HttpRequests(emulator);
            if (requests.Count >= atLeast)
            {
                return requests;
            }

            var last = requests.Count == 0 ? -1 : requests[^1].Sequence;
            await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest && e.Sequence > last, cts.Token);
        }
    }

    public static async Task<List<AudioChunk>> ReadAllAsync(IAsyncEnumerable<AudioChunk> stream, CancellationToken cancellationToken)
    {
        var chunks = new List<AudioChunk>();
        await foreach (var chunk in stream.WithCancellation(cancellationToken))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    public static byte[] Concat(IEnumerable<AudioChunk> chunks) => chunks.SelectMany(c => c.Audio.ToArray()).ToArray();
}

/// <summary>Replaces each response body with a wrapping stream, keeping the content headers.</summary>
internal abstract class ResponseBodyWrappingHandler : DelegatingHandler
{
    protected abstract Stream Wrap(Stream body);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var content = new StreamContent(Wrap(body));
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }
}

/// <summary>Makes every read of a response body return at most <c>maxRead</c> bytes, as a slow network would.</summary>
internal sealed class CappedReadsHandler(int maxRead) : ResponseBodyWrappingHandler
{
    protected override Stream Wrap(Stream body) => new CappedStream(body, maxRead);

    private sealed class CappedStream(Stream inner, int maxRead) : ReadOnlyWrappingStream(inner)
    {
        public int Reads { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Inner.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, Math.Min(count, maxRead));

    }
}

/// <summary>Lets the first <c>bytesBeforeBreak</c> body bytes of the first responses through, then fails the read as a reset would.</summary>
internal sealed class BodyBreakingHandler(int breakResponses, int bytesBeforeBreak) : DelegatingHandler
{
    private int _responses;

    public int Responses => Volatile.Read(ref _responses);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Interlocked.Increment(ref _responses) <= breakResponses)
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var content = new StreamContent(new BreakingStream(body, bytesBeforeBreak));
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
        }

        return response;
    }
}

internal sealed class BreakingStream(Stream inner, int bytesBeforeBreak) : ReadOnlyWrappingStream(inner)
{
    private int _remaining = bytesBeforeBreak;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0)
        {
            throw new IOException("The connection was reset (test).");
        }

        var read = await Inner.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= read;
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

}

/// <summary>
/// Lets the first <c>bytesBeforeStall</c> bytes of each response body through, then makes the next read wait until it
/// is cancelled, as a body whose sender went quiet after the headers would.
/// </summary>
/// With <c>cancelAsIOException</c>, the stalled read reports its cancellation as an <see cref="IOException"/>, as some
/// transports do.
internal sealed class StallingBodyHandler(int bytesBeforeStall, bool cancelAsIOException = false) : ResponseBodyWrappingHandler
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a read has started waiting.</summary>
    public Task Stalled => _stalled.Task;

    protected override Stream Wrap(Stream body) => new StallingStream(body, bytesBeforeStall, cancelAsIOException, _stalled);

    private sealed class StallingStream(Stream inner, int bytesBeforeStall, bool cancelAsIOException, TaskCompletionSource stalled) : ReadOnlyWrappingStream(inner)
    {
        private int _remaining = bytesBeforeStall;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_remaining == 0)
            {
                stalled.TrySetResult();
                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException e) when (cancelAsIOException)
                {
                    throw new IOException("The read was aborted (test).", e);
                }
            }

            var read = await Inner.ReadAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken);
            _remaining -= read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    }
}

/// <summary>A read-only, non-seekable wrapper over a response body that disposes it; subclasses change how reads behave.</summary>
internal abstract class ReadOnlyWrappingStream(Stream inner) : Stream
{
    protected Stream Inner { get; } = inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
