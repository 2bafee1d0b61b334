#pragma warning disable MEAI001 // ITextToSpeechClient is experimental in Microsoft.Extensions.AI 10.11.0; this surface is marked the same way.

using System.Diagnostics.CodeAnalysis;
using AsyncAI.TextToSpeech.AI;
using AsyncAI.TextToSpeech.Http;

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
}
