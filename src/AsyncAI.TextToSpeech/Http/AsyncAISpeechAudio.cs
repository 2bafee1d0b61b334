using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>A whole synthesized audio file returned by <see cref="AsyncAIHttpClient.SynthesizeAsync"/>.</summary>
public sealed class AsyncAISpeechAudio
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="audio">The audio bytes in the requested container (a WAV file includes its header).</param>
    /// <param name="container">The container: <c>raw</c>, <c>wav</c> or <c>mp3</c>.</param>
    /// <param name="encoding">The PCM encoding (ignored for mp3).</param>
    /// <param name="sampleRate">The sample rate in Hz.</param>
    /// <param name="contentType">The response's content type, if the service sent one.</param>
    public AsyncAISpeechAudio(ReadOnlyMemory<byte> audio, string container, string encoding, int sampleRate, string? contentType)
    {
        Audio = audio;
        Container = container;
        Encoding = encoding;
        SampleRate = sampleRate;
        ContentType = contentType;
    }

    /// <summary>Gets the audio bytes; the caller owns them.</summary>
    public ReadOnlyMemory<byte> Audio { get; }

    /// <summary>Gets the container.</summary>
    public string Container { get; }

    /// <summary>Gets the PCM encoding.</summary>
    public string Encoding { get; }

    /// <summary>Gets the sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the response's content type, or null.</summary>
    public string? ContentType { get; }

    /// <summary>Gets the audio duration for raw PCM and WAV, or null for mp3 or an unreadable WAV header.</summary>
    public TimeSpan? Duration
    {
        get
        {
            var bytesPerSample = AudioEncodings.BytesPerSample(Encoding);
            if (bytesPerSample == 0 || SampleRate <= 0)
            {
                return null;
            }

            long pcmBytes = Container switch
            {
                AudioContainers.Raw => Audio.Length,
                AudioContainers.Wav => WavPcmByteCount(Audio.Span),
                _ => -1,
            };
            return pcmBytes < 0 ? null : TimeSpan.FromSeconds((double)pcmBytes / (bytesPerSample * SampleRate));
        }
    }

    /// <summary>Finds the <c>data</c> chunk and returns the bytes that follow it (the header's length field may be a placeholder).</summary>
    private static long WavPcmByteCount(ReadOnlySpan<byte> wav)
    {
        const int RiffHeaderLength = 12;
        if (wav.Length < RiffHeaderLength || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8))
        {
            return -1;
        }

        var offset = RiffHeaderLength;
        while (offset + 8 <= wav.Length)
        {
            var chunkSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(offset + 4, 4));
            if (wav.Slice(offset, 4).SequenceEqual("data"u8))
            {
                return wav.Length - (offset + 8);
            }

            offset += 8 + (int)Math.Min(chunkSize + (chunkSize & 1), int.MaxValue - offset - 8);
        }

        return -1;
    }
}
