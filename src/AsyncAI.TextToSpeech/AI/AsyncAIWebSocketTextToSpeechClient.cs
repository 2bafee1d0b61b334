#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.AI;

/// <summary>The Async engine behind <see cref="ITextToSpeechClient"/>, over one shared <see cref="AsyncAIWebSocketClient"/>.</summary>
/// <remarks>
/// <para>
/// Each call is one Async context on the client's socket: its text is sent, its input ended, and its audio handed out
/// as it arrives, until the server's <c>final</c>. Concurrent calls are concurrent contexts on the same socket, so
/// they share the connection's voice, model, language and output format: those are fixed when the socket opens (the
/// init message), and per-call options may only repeat them. A call that asks for something else fails with an
/// <see cref="ArgumentException"/> that names the option; the HTTP adapter takes them per call.
/// </para>
/// <para>
/// The socket is opened by the first call if the caller has not connected it. A consumer that stops early, or whose
/// token is cancelled, interrupts the call's context: no more of its audio is read, and <c>close_context</c> frees it on
/// the server. <see cref="Dispose"/> does nothing: the <see cref="AsyncAIWebSocketClient"/> belongs to whoever created it.
/// </para>
/// </remarks>
internal sealed class AsyncAIWebSocketTextToSpeechClient : ITextToSpeechClient
{
    private const string OptionsParameter = "options";

    private readonly AsyncAIWebSocketClient _client;
    private readonly AsyncAIWebSocketOptions _settings;
    private readonly string _mediaType;
    private readonly TextToSpeechClientMetadata _metadata;

    public AsyncAIWebSocketTextToSpeechClient(AsyncAIWebSocketClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _settings = client.Options;
        _mediaType = AudioMediaTypes.For(_settings.Container, _settings.Encoding, _settings.SampleRate);

        // The configured URL: the key travels in the connection's query string only, never in metadata.
        _metadata = new TextToSpeechClientMetadata(AsyncAITextToSpeechClientExtensions.ProviderName, _settings.Url, _settings.Model);
    }

    /// <inheritdoc />
    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        CheckOptions(options);

        var joined = new ArrayBufferWriter<byte>();
        string? responseId = null;
        await foreach (var update in StreamAsync(text, cancellationToken).ConfigureAwait(false))
        {
            responseId ??= update.ResponseId;
            if (update.Kind == TextToSpeechResponseUpdateKind.AudioUpdating && update.RawRepresentation is AudioChunk chunk)
            {
                joined.Write(chunk.Audio.Span);
            }
        }

        var bytes = joined.WrittenMemory;
        return new TextToSpeechResponse([new DataContent(bytes, _mediaType)])
        {
            ResponseId = responseId,
            ModelId = _settings.Model,
            Usage = TextToSpeechAdapter.Usage(text),
            RawRepresentation = new AsyncAISpeechAudio(bytes, _settings.Container, _settings.Encoding, _settings.SampleRate, contentType: null),
        };
    }

    /// <inheritdoc />
    public IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Checked here, not at the first MoveNextAsync, so a bad argument fails where the call is made.
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        CheckOptions(options);
        return StreamAsync(text, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        TextToSpeechAdapter.GetService(this, serviceType, serviceKey, _metadata, () => _client);

    /// <summary>Does nothing: the adapter owns no connection (see the type's remarks).</summary>
    public void Dispose()
    {
    }

    private async IAsyncEnumerable<TextToSpeechResponseUpdate> StreamAsync(string text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_client.State != AsyncAIWebSocketState.Connected)
        {
            // Idempotent: returns at once while a session exists (connecting or reconnecting), throws the permanent error of a failed client.
            await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        var context = _client.CreateContext();
        Task? completion = null;
        try
        {
            yield return Update(TextToSpeechResponseUpdateKind.SessionOpen, context.Id, contents: []);

            await context.SendTextAsync(text, TextInputMode.Sentence, cancellationToken).ConfigureAwait(false);

            // Ends the input now; the task completes at the server's final (the audio stream below ends there too).
            completion = context.CompleteAsync(CancellationToken.None);
            await foreach (var chunk in context.ReadAudioAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return Update(TextToSpeechResponseUpdateKind.AudioUpdating, context.Id, [new DataContent(chunk.Audio, _mediaType)], chunk);
            }

            await completion.ConfigureAwait(false);
            yield return Update(TextToSpeechResponseUpdateKind.AudioUpdated, context.Id, contents: []);
            yield return Update(TextToSpeechResponseUpdateKind.SessionClose, context.Id, [new UsageContent(TextToSpeechAdapter.Usage(text))]);
        }
        finally
        {
            // Interrupts a context that has not ended (the consumer stopped early, was cancelled, or a send failed).
            await context.DisposeAsync().ConfigureAwait(false);
            if (completion is not null)
            {
                await ObserveAsync(completion).ConfigureAwait(false);
            }
        }
    }

    // The context's failure has already reached the caller through the audio stream; this only observes the task.
    private static async Task ObserveAsync(Task completion)
    {
        try
        {
            await completion.ConfigureAwait(false);
        }
        catch (AsyncAIException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Accepts per-call options that repeat what the socket was opened with; anything else names the option it cannot honour.</summary>
    private void CheckOptions(TextToSpeechOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.RawRepresentationFactory?.Invoke(this) is { } raw)
        {
            throw new ArgumentException(
                $"TextToSpeechOptions.RawRepresentationFactory returned a {raw.GetType().Name}; the WebSocket adapter takes no per-call request object. Configure the AsyncAIWebSocketClient instead.",
                OptionsParameter);
        }

        Require(options.VoiceId, _settings.VoiceId, "VoiceId");
        Require(options.ModelId, _settings.Model, "ModelId");
        if (!string.IsNullOrWhiteSpace(options.Language))
        {
            var asked = AsyncAILanguages.Normalize(options.Language);
            var open = _settings.Language is null ? null : AsyncAILanguages.Normalize(_settings.Language);
            if (!string.Equals(asked, open, StringComparison.Ordinal))
            {
                throw Mismatch("Language", options.Language, open ?? "(auto-detect)");
            }
        }

        if (options.Speed is { } speed)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"TextToSpeechOptions.Speed ({speed}) cannot be set per call over the WebSocket: Async's WebSocket init has no speed. Use the HTTP adapter (AsyncAIHttpClient.AsITextToSpeechClient) for speed_control."),
                OptionsParameter);
        }

        if (!string.IsNullOrWhiteSpace(options.AudioFormat))
        {
            var format = AudioMediaTypes.ParseOption(options.AudioFormat, OptionsParameter);
            if (format.Container != _settings.Container
                || (format.Encoding is { } encoding && encoding != _settings.Encoding)
                || (format.SampleRate is { } rate && rate != _settings.SampleRate))
            {
                throw Mismatch("AudioFormat", options.AudioFormat, _mediaType);
            }
        }

        if (options.AdditionalProperties is { Count: > 0 } properties)
        {
            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.Stability, out var stability) && stability is not null)
            {
                throw new ArgumentException(
                    $"TextToSpeechOptions.AdditionalProperties[\"{AsyncAITextToSpeechPropertyNames.Stability}\"] cannot be set per call over the WebSocket. Use the HTTP adapter for stability.",
                    OptionsParameter);
            }

            // Read as over HTTP (24000, 24000.0m and "24000" are the same rate; "abc" is not a number), then compared.
            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.SampleRate, out var sampleRate) && sampleRate is not null
                && SpeechRequestPlan.CheckedSampleRate(sampleRate) != _settings.SampleRate)
            {
                throw Mismatch($"AdditionalProperties[\"{AsyncAITextToSpeechPropertyNames.SampleRate}\"]", Convert.ToString(sampleRate, CultureInfo.InvariantCulture), _settings.SampleRate.ToString(CultureInfo.InvariantCulture));
            }

            // The socket is raw only, and the HTTP adapter ignores bit_rate for raw too: checked as there, then ignored,
            // so the same options fail or pass alike on both adapters. An mp3 AudioFormat is refused above.
            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.BitRate, out var bitRate) && bitRate is not null)
            {
                _ = SpeechRequestPlan.CheckedBitRate(bitRate);
            }
        }
    }

    private static void Require(string? asked, string open, string option)
    {
        if (!string.IsNullOrWhiteSpace(asked) && !string.Equals(asked, open, StringComparison.Ordinal))
        {
            throw Mismatch(option, asked, open);
        }
    }

    // paramName is always the public method's "options" parameter, the argument that holds the value.
    private static ArgumentException Mismatch(string option, string? asked, string open, string paramName = OptionsParameter) => new(
        $"TextToSpeechOptions.{option} '{asked}' differs from the WebSocket connection's '{open}'. A WebSocket's voice, model, language and format are fixed when it opens: use an AsyncAIWebSocketClient configured for it, or the HTTP adapter (AsyncAIHttpClient.AsITextToSpeechClient), which takes them per call.",
        paramName);

    private TextToSpeechResponseUpdate Update(TextToSpeechResponseUpdateKind kind, string responseId, List<AIContent> contents, object? raw = null) =>
        TextToSpeechAdapter.Update(kind, responseId, _settings.Model, contents, raw);
}
