#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.AI;

/// <summary>What the HTTP and WebSocket <see cref="ITextToSpeechClient"/> adapters answer alike: updates, usage and <c>GetService</c>.</summary>
internal static class TextToSpeechAdapter
{
    /// <summary>One streaming update of a call.</summary>
    public static TextToSpeechResponseUpdate Update(TextToSpeechResponseUpdateKind kind, string responseId, string modelId, List<AIContent> contents, object? raw = null) =>
        new(contents)
        {
            Kind = kind,
            ResponseId = responseId,
            ModelId = modelId,
            RawRepresentation = raw,
        };

    /// <summary>A call's usage: the characters sent, the unit Async bills by.</summary>
    public static UsageDetails Usage(string text) => new()
    {
        AdditionalCounts = new() { [AsyncAITextToSpeechPropertyNames.InputCharacterCount] = text.Length },
    };

    /// <summary>
    /// <c>GetService</c> of an adapter: its metadata, the Async client it wraps (of type <typeparamref name="TInner"/>),
    /// or the adapter itself; nothing for a keyed request.
    /// </summary>
    public static object? GetService<TInner>(ITextToSpeechClient adapter, Type serviceType, object? serviceKey, TextToSpeechClientMetadata metadata, Func<TInner> inner)
        where TInner : class
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(TextToSpeechClientMetadata))
        {
            return metadata;
        }

        if (serviceType == typeof(TInner))
        {
            return inner();
        }

        return serviceType.IsInstanceOfType(adapter) ? adapter : null;
    }
}
