#pragma warning disable MEAI001 // ITextToSpeechClient is experimental in Microsoft.Extensions.AI 10.11.0; this surface is marked the same way.

using System.Diagnostics.CodeAnalysis;
using AsyncAI.TextToSpeech.AI;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.WebSockets;

namespace Microsoft.Extensions.AI;

/// <summary>Exposes the Async clients as Microsoft.Extensions.AI <see cref="ITextToSpeechClient"/>s.</summary>
/// <remarks>
/// In the <c>Microsoft.Extensions.AI</c> namespace, like <c>OpenAIClientExtensions.AsITextToSpeechClient</c>, so it is
/// found where the abstraction is. Marked experimental with Microsoft.Extensions.AI's own id (<c>MEAI001</c>): callers
/// suppress the one diagnostic they already need for <see cref="ITextToSpeechClient"/>.
/// </remarks>
[Experimental("MEAI001", UrlFormat = "https://aka.ms/dotnet-extensions-warnings/{0}")]
public static class AsyncAITextToSpeechClientExtensions
{
    /// <summary>
    /// The provider name in <see cref="TextToSpeechClientMetadata.ProviderName"/> and so in the OpenTelemetry
    /// <c>gen_ai.provider.name</c> attribute: <c>asyncai</c> (the semantic conventions define no name for Async).
    /// </summary>
    public const string ProviderName = "asyncai";

    /// <summary>Gets an <see cref="ITextToSpeechClient"/> that speaks through <paramref name="client"/>.</summary>
    /// <param name="client">The HTTP client. It stays the caller's: disposing the returned client does not affect it.</param>
    /// <returns>
    /// A thread-safe client. <c>GetService</c> returns <paramref name="client"/>, a <see cref="TextToSpeechClientMetadata"/>
    /// (<see cref="ProviderName"/>, the base URL, the default model) and the adapter itself.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <remarks>
    /// <c>GetAudioAsync</c> returns the whole audio as one <see cref="DataContent"/>; <c>GetStreamingAudioAsync</c>
    /// yields <c>SessionOpen</c>, one <c>AudioUpdating</c> update per chunk as it arrives, <c>AudioUpdated</c>, and
    /// <c>SessionClose</c> with the usage. See docs/meai.md for how <see cref="TextToSpeechOptions"/> map to Async.
    /// </remarks>
    public static ITextToSpeechClient AsITextToSpeechClient(this AsyncAIHttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new AsyncAITextToSpeechClient(client);
    }

    /// <summary>Gets an <see cref="ITextToSpeechClient"/> that streams over <paramref name="client"/>'s WebSocket, one Async context per call.</summary>
    /// <param name="client">
    /// The WebSocket client. It stays the caller's: disposing the returned client does not affect it. The first call
    /// connects it if the caller has not.
    /// </param>
    /// <returns>
    /// A thread-safe client: concurrent calls are concurrent contexts on the one socket. <c>GetService</c> returns
    /// <paramref name="client"/>, a <see cref="TextToSpeechClientMetadata"/> (<see cref="ProviderName"/>, the configured
    /// URL, the model) and the adapter itself.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    /// <remarks>
    /// The socket's voice, model, language and output format are fixed when it opens, so per-call
    /// <see cref="TextToSpeechOptions"/> may only repeat them; a different value (or a speed, which the WebSocket cannot
    /// take) throws an <see cref="ArgumentException"/> naming the option. Use the HTTP overload for per-call settings.
    /// <c>GetStreamingAudioAsync</c> yields <c>SessionOpen</c>, one <c>AudioUpdating</c> per chunk as it arrives,
    /// <c>AudioUpdated</c> at the server's <c>final</c>, and <c>SessionClose</c> with the usage; the response id is the
    /// context id. A consumer that stops early or is cancelled interrupts the context. See docs/meai.md.
    /// </remarks>
    public static ITextToSpeechClient AsITextToSpeechClient(this AsyncAIWebSocketClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new AsyncAIWebSocketTextToSpeechClient(client);
    }
}
