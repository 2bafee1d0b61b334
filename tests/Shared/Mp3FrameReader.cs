using System.Globalization;

namespace AsyncAI.TextToSpeech.Testing;

/// <summary>One MPEG audio frame found in a byte stream.</summary>
/// <param name="Offset">Where the frame starts.</param>
/// <param name="Length">The frame's length in bytes, padding included.</param>
/// <param name="Version">1, 2 or 2.5 (MPEG-1, MPEG-2, MPEG-2.5).</param>
/// <param name="SampleRate">The sample rate in Hz.</param>
/// <param name="BitRate">The bit rate in bit/s.</param>
/// <param name="Padding">Whether the padding bit is set.</param>
internal sealed record Mp3Frame(int Offset, int Length, double Version, int SampleRate, int BitRate, bool Padding)
{
    /// <summary>Gets the samples the frame holds: Layer III has 1152 (MPEG-1) or 576 (MPEG-2 and 2.5).</summary>
    public int Samples => Version == 1 ? 1152 : 576;

    /// <summary>Gets the audio the frame holds.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples / SampleRate);
}

/// <summary>
/// Reads a byte stream as back-to-back MPEG audio Layer III frames, written from the ISO 11172-3 / 13818-3 tables
/// independently of the emulator's writer. Anything that is not a well-formed mono Layer III frame with the length
/// its header implies throws <see cref="InvalidDataException"/>.
/// </summary>
internal static class Mp3FrameReader
{
    private static readonly int[] Mpeg1Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1];
    private static readonly int[] Mpeg2Kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1];
    private static readonly int[] Mpeg1Rates = [44100, 48000, 32000];

    /// <summary>Parses every frame in <paramref name="data"/>; the data must be whole frames, from the first byte to the last.</summary>
    public static List<Mp3Frame> ReadAll(ReadOnlySpan<byte> data)
    {
        var frames = new List<Mp3Frame>();
        var offset = 0;
        while (offset < data.Length)
        {
            var frame = ReadHeader(data, offset);
            if (offset + frame.Length > data.Length)
            {
                throw Fail(offset, $"the frame needs {frame.Length} bytes but only {data.Length - offset} are left");
            }

            frames.Add(frame);
            offset += frame.Length;
        }

        return frames;
    }

    /// <summary>Whether every byte after each frame's 4-byte header is zero (all-zero side info and main data: silence).</summary>
    public static bool IsSilent(ReadOnlySpan<byte> data, IEnumerable<Mp3Frame> frames)
    {
        foreach (var frame in frames)
        {
            if (data.Slice(frame.Offset + 4, frame.Length - 4).ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets the total audio the frames hold.</summary>
    public static TimeSpan Duration(IEnumerable<Mp3Frame> frames) => TimeSpan.FromSeconds(frames.Sum(f => (double)f.Samples / f.SampleRate));

    private static Mp3Frame ReadHeader(ReadOnlySpan<byte> data, int offset)
    {
        if (data.Length - offset < 4)
        {
            throw Fail(offset, "fewer than 4 bytes left for a header");
        }

        var header = (uint)((data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]);
        if ((header >> 21) != 0x7FF)
        {
            throw Fail(offset, string.Create(CultureInfo.InvariantCulture, $"no frame sync (header {header:X8})"));
        }

        var version = ((header >> 19) & 3) switch
        {
            3 => 1.0,
            2 => 2.0,
            0 => 2.5,
            _ => throw Fail(offset, "reserved MPEG version"),
        };
        if (((header >> 17) & 3) != 1)
        {
            throw Fail(offset, "not Layer III");
        }

        var kbps = (version == 1 ? Mpeg1Kbps : Mpeg2Kbps)[(header >> 12) & 0xF];
        if (kbps <= 0)
        {
            throw Fail(offset, "free-format or invalid bit-rate index");
        }

        var rateIndex = (int)((header >> 10) & 3);
        if (rateIndex == 3)
        {
            throw Fail(offset, "reserved sample-rate index");
        }

        var sampleRate = Mpeg1Rates[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4);
        var padding = ((header >> 9) & 1) == 1;
        if (((header >> 6) & 3) != 3)
        {
            throw Fail(offset, "not mono");
        }

        var slots = version == 1 ? 144 : 72;
        var length = (slots * kbps * 1000 / sampleRate) + (padding ? 1 : 0);
        return new Mp3Frame(offset, length, version, sampleRate, kbps * 1000, padding);
    }

    private static InvalidDataException Fail(int offset, string why) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Not an mp3 frame at byte {offset}: {why}."));
}
