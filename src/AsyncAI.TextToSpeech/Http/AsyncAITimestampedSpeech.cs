namespace AsyncAI.TextToSpeech.Http;

/// <summary>A spoken word and when it is heard in the audio.</summary>
/// <param name="Word">The word as the service aligned it.</param>
/// <param name="Start">When the word starts, from the beginning of the audio.</param>
/// <param name="End">When the word ends, from the beginning of the audio.</param>
public readonly record struct AsyncAIWordTimestamp(string Word, TimeSpan Start, TimeSpan End);

/// <summary>Audio with word timings, returned by <see cref="AsyncAIHttpClient.SynthesizeWithTimestampsAsync"/>.</summary>
public sealed class AsyncAITimestampedSpeech
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="audio">The audio, in the requested output format.</param>
    /// <param name="words">The words with their start and end times, in spoken order.</param>
    public AsyncAITimestampedSpeech(AsyncAISpeechAudio audio, IReadOnlyList<AsyncAIWordTimestamp> words)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(words);
        Audio = audio;
        Words = words;
    }

    /// <summary>Gets the audio.</summary>
    public AsyncAISpeechAudio Audio { get; }

    /// <summary>Gets the words with their timings.</summary>
    public IReadOnlyList<AsyncAIWordTimestamp> Words { get; }
}
