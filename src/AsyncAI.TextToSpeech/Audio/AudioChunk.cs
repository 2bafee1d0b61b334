namespace AsyncAI.TextToSpeech;

/// <summary>A piece of synthesized audio, handed out as soon as it arrives.</summary>
/// <remarks>PCM chunks always hold whole samples. The caller owns <see cref="Audio"/>; the library never reuses it.</remarks>
public sealed class AudioChunk
{
    /// <summary>Initializes a new chunk.</summary>
    /// <param name="audio">The audio bytes (whole samples).</param>
    /// <param name="sampleRate">The sample rate in Hz.</param>
    /// <param name="channels">The channel count (Async audio is mono).</param>
    /// <param name="encoding">The encoding, e.g. <c>pcm_s16le</c>.</param>
    /// <param name="contextId">The WebSocket context the audio belongs to, or null for HTTP.</param>
    /// <param name="arrivalTimestamp">When the bytes arrived, from <see cref="TimeProvider.GetTimestamp"/>.</param>
    public AudioChunk(ReadOnlyMemory<byte> audio, int sampleRate, int channels, string encoding, string? contextId, long arrivalTimestamp)
    {
        Audio = audio;
        SampleRate = sampleRate;
        Channels = channels;
        Encoding = encoding;
        ContextId = contextId;
        ArrivalTimestamp = arrivalTimestamp;
    }

    /// <summary>Gets the audio bytes.</summary>
    public ReadOnlyMemory<byte> Audio { get; }

    /// <summary>Gets the sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the number of channels.</summary>
    public int Channels { get; }

    /// <summary>Gets the encoding.</summary>
    public string Encoding { get; }

    /// <summary>Gets the WebSocket context id, or null.</summary>
    public string? ContextId { get; }

    /// <summary>Gets the arrival time as a <see cref="TimeProvider"/> timestamp.</summary>
    public long ArrivalTimestamp { get; }

    /// <summary>
    /// Gets the audio duration this chunk holds, or null when the bytes alone cannot tell it: mp3, whose chunks are cut on
    /// bytes rather than frames (as <see cref="Http.AsyncAISpeechAudio.Duration"/> is null for mp3).
    /// </summary>
    public TimeSpan? Duration
    {
        get
        {
            var bytesPerSample = Protocol.AudioEncodings.BytesPerSample(Encoding);
            return bytesPerSample == 0 || SampleRate <= 0 || Channels <= 0
                ? null
                : TimeSpan.FromSeconds((double)Audio.Length / (bytesPerSample * Channels * SampleRate));
        }
    }
}
