#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Collections.Concurrent;
using System.Text.Json;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Tests.Http;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.Tests.AI;

/// <summary>An emulator, a caller-owned HttpClient that records request bodies, and the adapter over them.</summary>
internal sealed class AdapterFixture : IAsyncDisposable
{
    private AdapterFixture(AsyncAIEmulator emulator, HttpClient http, RequestBodyRecorder recorder, AsyncAIHttpClient httpClient)
    {
        Emulator = emulator;
        Http = http;
        Bodies = recorder;
        HttpClient = httpClient;
        Client = httpClient.AsITextToSpeechClient();
    }

    public AsyncAIEmulator Emulator { get; }

    public HttpClient Http { get; }

    public RequestBodyRecorder Bodies { get; }

    public AsyncAIHttpClient HttpClient { get; }

    public ITextToSpeechClient Client { get; }

    public static async Task<AdapterFixture> StartAsync(string? fault = null, Action<AsyncAIHttpOptions>? configure = null)
    {
        var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RequestBodyRecorder();
        var http = HttpTestKit.CreateHttpClient(fault, recorder);
        return new AdapterFixture(emulator, http, recorder, new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, configure)));
    }

    public int ExpectedBytes(string text, int sampleRate = 24000, string encoding = "pcm_s16le") =>
        EmulatorAudio.ExpectedByteCount(text, sampleRate, encoding, Emulator.Options.SecondsPerCharacter);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}

/// <summary>Keeps the JSON body of every request, so tests can check what the adapter asked the service for.</summary>
internal sealed class RequestBodyRecorder : DelegatingHandler
{
    private readonly ConcurrentQueue<JsonElement> _bodies = new();

    public IReadOnlyList<JsonElement> All => _bodies.ToArray();

    public JsonElement Single => Assert.Single(_bodies);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            var text = await request.Content.ReadAsStringAsync(cancellationToken);
            _bodies.Enqueue(JsonDocument.Parse(text).RootElement.Clone());
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

internal static class Updates
{
    public static async Task<List<TextToSpeechResponseUpdate>> ReadAllAsync(IAsyncEnumerable<TextToSpeechResponseUpdate> updates, CancellationToken cancellationToken)
    {
        var list = new List<TextToSpeechResponseUpdate>();
        await foreach (var update in updates.WithCancellation(cancellationToken))
        {
            list.Add(update);
        }

        return list;
    }

    public static byte[] Audio(IEnumerable<TextToSpeechResponseUpdate> updates) =>
        updates.SelectMany(u => u.Contents.OfType<DataContent>()).SelectMany(d => d.Data.ToArray()).ToArray();
}

/// <summary>Signals when the client disposes a response body, so a test can see that a request was abandoned.</summary>
internal sealed class BodyDisposalHandler : ResponseBodyWrappingHandler
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Disposed => _disposed.Task;

    protected override Stream Wrap(Stream body) => new SignallingStream(body, _disposed);

    private sealed class SignallingStream(Stream inner, TaskCompletionSource disposed) : ReadOnlyWrappingStream(inner)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Inner.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                disposed.TrySetResult();
            }
        }
    }
}
