using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// The emulator's deterministic audio, so tests can predict what it sends: a quiet 440 Hz tone whose starting
/// phase depends on the text, <c>round(SecondsPerCharacter × sampleRate)</c> samples per non-whitespace character.
/// </summary>
/// <remarks>
/// The count is additive: splitting a transcript across several messages yields the same total as sending it whole.
/// </remarks>
public static class EmulatorAudio
{
    /// <summary>Gets the number of raw audio bytes (no container header) the emulator produces for a transcript.</summary>
    /// <param name="transcript">The text.</param>
    /// <param name="sampleRate">The sample rate, 8000–48000.</param>
    /// <param name="encoding"><c>pcm_s16le</c>, <c>pcm_f32le</c> or <c>pcm_mulaw</c>.</param>
    /// <param name="secondsPerCharacter">The emulator's <see cref="EmulatorOptions.SecondsPerCharacter"/>.</param>
    /// <returns>The byte count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside what the emulator accepts.</exception>
    public static int ExpectedByteCount(string transcript, int sampleRate, string encoding, double secondsPerCharacter)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        var bytesPerSample = AudioEncodings.BytesPerSample(encoding);
        if (bytesPerSample == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "encoding must be pcm_s16le, pcm_f32le or pcm_mulaw.");
        }

        return checked((int)(SampleCount(transcript, sampleRate, secondsPerCharacter) * bytesPerSample));
    }

    /// <summary>Gets the number of samples the emulator produces for a transcript.</summary>
    /// <param name="transcript">The text.</param>
    /// <param name="sampleRate">The sample rate, 8000–48000.</param>
    /// <param name="secondsPerCharacter">Seconds of audio per non-whitespace character.</param>
    /// <returns>The sample count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside what the emulator accepts.</exception>
    public static long SampleCount(string transcript, int sampleRate, double secondsPerCharacter)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return CountAudibleCharacters(transcript) * SamplesPerCharacter(sampleRate, secondsPerCharacter);
    }

    internal static int SamplesPerCharacter(int sampleRate, double secondsPerCharacter)
    {
        if (sampleRate is < 8000 or > 48000)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sampleRate must be 8000–48000.");
        }

        if (!(secondsPerCharacter > 0) || !double.IsFinite(secondsPerCharacter))
        {
            throw new ArgumentOutOfRangeException(nameof(secondsPerCharacter), secondsPerCharacter, "secondsPerCharacter must be positive.");
        }

        return Math.Max(1, (int)Math.Round(secondsPerCharacter * sampleRate, MidpointRounding.AwayFromZero));
    }

    internal static int CountAudibleCharacters(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c) && !char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }
}
