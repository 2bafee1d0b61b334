using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// Writes the deterministic tone: a phase accumulator over a sine table, so any sample range of a segment can be
/// produced directly and cheaply (no trigonometry per sample; this sits on the audio hot path).
/// </summary>
internal static class ToneSynthesizer
{
    private const int TableBits = 12;
    private const double Frequency = 440;
    private const double Amplitude = 0.1; // about -20 dBFS: quiet if anyone listens
    private static readonly short[] SineTable = BuildSine();
    private static readonly byte[] MulawTable = BuildMulaw();

    /// <summary>Gets the starting phase for a text: FNV-1a of its characters.</summary>
    public static uint PhaseOf(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    /// <summary>Gets the per-sample phase step for a sample rate.</summary>
    public static uint StepOf(int sampleRate) => (uint)(Frequency / sampleRate * 4294967296.0);

    /// <summary>Writes samples <paramref name="firstSample"/>… of a segment into <paramref name="destination"/>.</summary>
    /// <returns>The bytes written: <c>sampleCount × bytesPerSample</c>.</returns>
    public static int Write(Span<byte> destination, SampleEncoding encoding, uint phase, uint step, long firstSample, int sampleCount)
    {
        var p = unchecked(phase + (uint)(firstSample * step));
        var table = SineTable;
        const int Shift = 32 - TableBits;
        switch (encoding)
        {
            case SampleEncoding.S16:
                if (BitConverter.IsLittleEndian)
                {
                    var samples = MemoryMarshal.Cast<byte, short>(destination[..(sampleCount * 2)]);
                    for (var i = 0; i < samples.Length; i++)
                    {
                        samples[i] = table[p >> Shift];
                        p = unchecked(p + step);
                    }
                }
                else
                {
                    for (var i = 0; i < sampleCount; i++)
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(destination[(i * 2)..], table[p >> Shift]);
                        p = unchecked(p + step);
                    }
                }

                return sampleCount * 2;
            case SampleEncoding.F32:
                for (var i = 0; i < sampleCount; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], table[p >> Shift] / 32768f);
                    p = unchecked(p + step);
                }

                return sampleCount * 4;
            default:
                var mulaw = MulawTable;
                var bytes = destination[..sampleCount];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = mulaw[(ushort)table[p >> Shift]];
                    p = unchecked(p + step);
                }

                return sampleCount;
        }
    }

    private static short[] BuildSine()
    {
        var table = new short[1 << TableBits];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (short)Math.Round(Math.Sin(2 * Math.PI * i / table.Length) * Amplitude * short.MaxValue);
        }

        return table;
    }

    private static byte[] BuildMulaw()
    {
        var table = new byte[65536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = LinearToMulaw((short)(ushort)i);
        }

        return table;
    }

    // G.711 μ-law: bias, find the segment, keep 4 mantissa bits, invert.
    private static byte LinearToMulaw(short sample)
    {
        const int Bias = 0x84;
        const int Clip = 32635;
        var sign = (sample >> 8) & 0x80;
        int magnitude = sample < 0 ? -sample : sample;
        magnitude = Math.Min(magnitude, Clip) + Bias;
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }
}

/// <summary>The PCM encodings the emulator produces.</summary>
internal enum SampleEncoding
{
    S16,
    F32,
    Mulaw,
}

/// <summary>A validated output format. <paramref name="BitRate"/> is the mp3 bit rate the frames use (0 for PCM).</summary>
internal readonly record struct AudioFormat(string Container, string Encoding, SampleEncoding SampleEncoding, int SampleRate, int BitRate = 0)
{
    /// <summary>Gets the PCM bytes per sample (not meaningful for mp3, whose <see cref="Encoding"/> is ignored).</summary>
    public int BytesPerSample => AudioEncodings.BytesPerSample(Encoding);

    /// <summary>Gets whether the container is mp3.</summary>
    public bool IsMp3 => Container == AudioContainers.Mp3;

    /// <summary>Gets the mp3 frame layout; only for <see cref="IsMp3"/>.</summary>
    public Mp3Frames Mp3 => new(SampleRate, BitRate);

    public static SampleEncoding? ParseEncoding(string? encoding) => encoding switch
    {
        AudioEncodings.PcmS16Le => SampleEncoding.S16,
        AudioEncodings.PcmF32Le => SampleEncoding.F32,
        AudioEncodings.PcmMulaw => SampleEncoding.Mulaw,
        _ => null,
    };
}
