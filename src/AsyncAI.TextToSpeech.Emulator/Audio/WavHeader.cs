using System.Buffers.Binary;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>A canonical 44-byte RIFF/WAVE header with the data length filled in.</summary>
internal static class WavHeader
{
    public const int Size = 44;

    public static void Write(Span<byte> destination, AudioFormat format, int dataBytes)
    {
        var bytesPerSample = format.BytesPerSample;
        var formatTag = format.SampleEncoding switch
        {
            SampleEncoding.F32 => (ushort)3, // IEEE float
            SampleEncoding.Mulaw => (ushort)7,
            _ => (ushort)1, // PCM
        };
        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(destination[8..]);
        "fmt "u8.CopyTo(destination[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], format.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], format.SampleRate * bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[32..], (ushort)bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[34..], (ushort)(bytesPerSample * 8));
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[40..], dataBytes);
    }
}
