#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.AI;

/// <summary>The Async engine behind <see cref="ITextToSpeechClient"/>, over <see cref="AsyncAIHttpClient"/>.</summary>
/// <remarks>
/// <para>
/// Internal like Microsoft.Extensions.AI's own providers (<c>OpenAITextToSpeechClient</c>): callers program against
/// <see cref="ITextToSpeechClient"/>, get one from <c>AsITextToSpeechClient()</c> or
/// <c>AddAsyncAITextToSpeechClient()</c>, and reach the native client through <see cref="GetService"/>. Keeping the
/// type hidden lets it change while the abstraction is experimental.
/// </para>
/// <para>
/// The instance holds no per-call state, so concurrent calls are independent requests, as the interface requires.
/// The caller's <see cref="TextToSpeechOptions"/> are read, never mutated. <see cref="Dispose"/> does nothing: the
/// <see cref="AsyncAIHttpClient"/> (and its <see cref="HttpClient"/>) belongs to whoever created it.
/// </para>
/// </remarks>
internal sealed class AsyncAITextToSpeechClient : ITextToSpeechClient
{
    private readonly Func<AsyncAIHttpClient> _httpClient;
    private readonly AsyncAIHttpOptions _defaults;
    private readonly TextToSpeechClientMetadata _metadata;

    /// <summary>Wraps one client for the adapter's lifetime.</summary>
    public AsyncAITextToSpeechClient(AsyncAIHttpClient httpClient)
        : this(CaptureClient(httpClient), httpClient.Options)
    {
    }

    /// <summary>
    /// Wraps a source of clients. Dependency injection passes one that resolves the IHttpClientFactory typed client per
    /// call, so a long-lived adapter still picks up rotated handlers (a captured typed client would pin its handler and
    /// its DNS answers forever).
    /// </summary>
    /// <param name="httpClient">Returns the client to send with; called once per request.</param>
    /// <param name="defaults">The options every client from <paramref name="httpClient"/> was built with.</param>
    public AsyncAITextToSpeechClient(Func<AsyncAIHttpClient> httpClient, AsyncAIHttpOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(defaults);
        _httpClient = httpClient;
        _defaults = defaults.Clone();
        _metadata = new TextToSpeechClientMetadata(AsyncAITextToSpeechClientExtensions.ProviderName, _defaults.BaseUrl, _defaults.Model);
    }

    /// <inheritdoc />
    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var plan = SpeechRequestPlan.Create(this, options, _defaults);
        var client = _httpClient();

        AIContent audio;
        object raw;
        if (plan.Container == AudioContainers.Wav)
        {
            // Only POST /text_to_speech makes WAV files; the streaming endpoint has no wav container.
            var speech = await client.SynthesizeAsync(text, plan.RequestOptions, cancellationToken).ConfigureAwait(false);
            audio = new DataContent(speech.Audio, plan.MediaType);
            raw = speech;
        }
        else
        {
            // The streaming endpoint serves every model and encoding (POST /text_to_speech only async_flash_v1.0 and
            // no μ-law), so raw and mp3 audio is streamed and joined.
            var joined = new ArrayBufferWriter<byte>();
            await foreach (var chunk in client.StreamAsync(text, plan.RequestOptions, cancellationToken).ConfigureAwait(false))
            {
                joined.Write(chunk.Audio.Span);
            }

            var bytes = joined.WrittenMemory;
            audio = new DataContent(bytes, plan.MediaType);
            raw = new AsyncAISpeechAudio(bytes, plan.Container, plan.Encoding, plan.SampleRate, contentType: null);
        }

        return new TextToSpeechResponse([audio])
        {
            ResponseId = NewResponseId(),
            ModelId = plan.Model,
            Usage = TextToSpeechAdapter.Usage(text),
            RawRepresentation = raw,
        };
    }

    /// <inheritdoc />
    public IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked here, not at the first MoveNextAsync, so a bad argument fails where the call is made.
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var plan = SpeechRequestPlan.Create(this, options, _defaults);
        return StreamAsync(text, plan, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        TextToSpeechAdapter.GetService(this, serviceType, serviceKey, _metadata, _httpClient);

    /// <summary>Does nothing: the adapter owns no connection (see the type's remarks).</summary>
    public void Dispose()
    {
    }

    private async IAsyncEnumerable<TextToSpeechResponseUpdate> StreamAsync(string text, SpeechRequestPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var responseId = NewResponseId();
        var client = _httpClient();
        yield return Update(TextToSpeechResponseUpdateKind.SessionOpen, responseId, plan, contents: []);

        if (plan.Container == AudioContainers.Wav)
        {
            // The streaming endpoint has no WAV; the file is made whole and handed out as one update.
            var speech = await client.SynthesizeAsync(text, plan.RequestOptions, cancellationToken).ConfigureAwait(false);
            yield return Update(TextToSpeechResponseUpdateKind.AudioUpdating, responseId, plan, [new DataContent(speech.Audio, plan.MediaType)], speech);
        }
        else
        {
            // Disposing this enumerator (a consumer that stops early) disposes the HTTP response, ending the request.
            await foreach (var chunk in client.StreamAsync(text, plan.RequestOptions, cancellationToken).ConfigureAwait(false))
            {
                yield return Update(TextToSpeechResponseUpdateKind.AudioUpdating, responseId, plan, [new DataContent(chunk.Audio, plan.MediaType)], chunk);
            }
        }

        yield return Update(TextToSpeechResponseUpdateKind.AudioUpdated, responseId, plan, contents: []);
        yield return Update(TextToSpeechResponseUpdateKind.SessionClose, responseId, plan, [new UsageContent(TextToSpeechAdapter.Usage(text))]);
    }

    private static TextToSpeechResponseUpdate Update(TextToSpeechResponseUpdateKind kind, string responseId, SpeechRequestPlan plan, List<AIContent> contents, object? raw = null) =>
        TextToSpeechAdapter.Update(kind, responseId, plan.Model, contents, raw);

    // Async's HTTP API returns no request id, so the adapter makes one per call.
    private static string NewResponseId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    private static Func<AsyncAIHttpClient> CaptureClient(AsyncAIHttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }
}
