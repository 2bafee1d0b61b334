namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// The emulator's mp3: silent MPEG audio Layer III frames written by hand, with no encoder. Each frame is a 4-byte
/// header (mono, no CRC) followed by zeros; all-zero side information (main_data_begin 0, part2_3_length 0,
/// global_gain 0) decodes as silence.
/// </summary>
/// <remarks>
/// The MPEG version follows the sample rate: MPEG-1 for 32000/44100/48000 Hz (1152 samples a frame), MPEG-2 for
/// 16000/22050/24000 Hz and MPEG-2.5 for 8000/11025/12000 Hz (576 samples a frame). No other rate fits in a frame
/// header. Frame lengths follow the bit rate exactly: frame <c>i</c> starts at byte
/// <c>floor(i × slots × bitRate / sampleRate)</c> (<c>slots</c> 144 for MPEG-1, 72 otherwise), so a frame is either
/// the base length or one byte longer with the padding bit set, and the average is the bit rate.
/// </remarks>
internal readonly struct Mp3Frames
{
    /// <summary>The default bit rate when a request names none (spec D-OAS: default 192000).</summary>
    public const int DefaultBitRate = 192000;

    private const int HeaderLength = 4;

    // Layer III bit rates in kbit/s by header index (index 0 is "free format", which the emulator never writes).
    private static readonly int[] Mpeg1BitRates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    private static readonly int[] Mpeg2BitRates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

    private readonly byte _header1;
    private readonly byte _header2;
    private readonly int _slots;
    private readonly int _baseLength;

    /// <summary>Initializes the frame layout for a rate from <see cref="SampleRates"/> and a bit rate from <see cref="NearestBitRate"/>.</summary>
    public Mp3Frames(int sampleRate, int bitRate)
    {
        var (version, rateIndex) = sampleRate switch
        {
            44100 => (3, 0),
            48000 => (3, 1),
            32000 => (3, 2),
            22050 => (2, 0),
            24000 => (2, 1),
            16000 => (2, 2),
            11025 => (0, 0),
            12000 => (0, 1),
            8000 => (0, 2),
            _ => throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "mp3 frames carry only the nine MPEG sample rates."),
        };
        var table = version == 3 ? Mpeg1BitRates : Mpeg2BitRates;
        var bitRateIndex = Array.IndexOf(table, bitRate / 1000);
        if (bitRateIndex <= 0 || bitRate % 1000 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bitRate), bitRate, "The bit rate is not a Layer III rate of this MPEG version.");
        }

        SampleRate = sampleRate;
        BitRate = bitRate;
        SamplesPerFrame = version == 3 ? 1152 : 576;
        _slots = version == 3 ? 144 : 72;
        _baseLength = (int)((long)_slots * bitRate / sampleRate);

        // 11 sync bits, version (11 MPEG-1, 10 MPEG-2, 00 MPEG-2.5), layer 01 (III), protection 1 (no CRC);
        // then bit-rate index, sample-rate index, padding (per frame), private 0.
        _header1 = (byte)(0xE0 | (version << 3) | 0b010 | 1);
        _header2 = (byte)((bitRateIndex << 4) | (rateIndex << 2));
    }

    /// <summary>Gets the sample rates an MPEG-1, -2 or -2.5 Layer III frame header can state.</summary>
    public static ReadOnlySpan<int> SampleRates => [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

    /// <summary>Gets the sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Gets the bit rate in bit/s.</summary>
    public int BitRate { get; }

    /// <summary>Gets the samples one frame holds: 1152 (MPEG-1) or 576 (MPEG-2 and 2.5).</summary>
    public int SamplesPerFrame { get; }

    /// <summary>Gets the longest frame, in bytes (the base length plus the padding byte).</summary>
    public int MaxFrameLength => _baseLength + 1;

    /// <summary>Whether an mp3 frame header can state <paramref name="sampleRate"/>.</summary>
    public static bool IsSampleRate(int sampleRate) => SampleRates.Contains(sampleRate);

    /// <summary>
    /// Gets the Layer III bit rate of the rate's MPEG version nearest to <paramref name="requested"/> (a tie goes to
    /// the lower), as LAME picks a constant bit rate: MPEG-1 has 32–320 kbit/s, MPEG-2 and 2.5 only up to 160.
    /// </summary>
    public static int NearestBitRate(int sampleRate, int requested)
    {
        var table = sampleRate >= 32000 ? Mpeg1BitRates : Mpeg2BitRates;
        var best = table[1] * 1000;
        for (var i = 2; i < table.Length; i++)
        {
            var candidate = table[i] * 1000;
            if (Math.Abs((long)candidate - requested) < Math.Abs((long)best - requested))
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Gets the number of frames that hold <paramref name="samples"/> samples: whole frames, rounded up.</summary>
    public long FrameCount(long samples) => (samples + SamplesPerFrame - 1) / SamplesPerFrame;

    /// <summary>Gets the byte offset at which frame <paramref name="frame"/> starts (the total length for the frame count).</summary>
    public long ByteOffset(long frame) => frame * _slots * BitRate / SampleRate;

    /// <summary>Writes frames <paramref name="firstFrame"/>… into <paramref name="destination"/>.</summary>
    /// <returns>The bytes written.</returns>
    public int Write(Span<byte> destination, long firstFrame, int count)
    {
        var written = 0;
        var start = ByteOffset(firstFrame);
        for (var frame = firstFrame; frame < firstFrame + count; frame++)
        {
            var end = ByteOffset(frame + 1);
            var length = (int)(end - start);
            var span = destination.Slice(written, length);
            span[0] = 0xFF;
            span[1] = _header1;
            span[2] = (byte)(_header2 | ((length - _baseLength) << 1));
            span[3] = 0xC0; // mono, no mode extension, not copyrighted, copy, no emphasis
            span[HeaderLength..].Clear();
            written += length;
            start = end;
        }

        return written;
    }
}
