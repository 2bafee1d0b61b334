using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>Shared setup for the HTTP client tests: an in-process emulator per test and a caller-owned HttpClient.</summary>
internal static class HttpTestKit
{
    public const string ApiKey = "sk_test_http_client_key";

    /// <summary>Generous, so a loaded machine does not flake.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

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
