using System.Buffers.Binary;
using System.Text;

namespace AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

/// <summary>A minimal RIFF/WAVE parser that checks the structure strictly, so the tests catch any header mistake.</summary>
public sealed record WavFile(int FormatTag, int Channels, int SampleRate, int ByteRate, int BlockAlign, int BitsPerSample, int FmtSize, uint? FactSampleCount, byte[] Data)
{
    public static WavFile Parse(byte[] file)
    {
        Assert.True(file.Length >= 44, $"file too short: {file.Length} bytes");
        Assert.Equal("RIFF", Encoding.ASCII.GetString(file, 0, 4));
        Assert.Equal((uint)(file.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(file, 8, 4));

        int? formatTag = null, channels = null, sampleRate = null, byteRate = null, blockAlign = null, bits = null, fmtSize = null;
        uint? fact = null;
        byte[]? data = null;
        var offset = 12;
        while (offset < file.Length)
        {
            var id = Encoding.ASCII.GetString(file, offset, 4);
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4));
            var body = file.AsSpan(offset + 8, size);
            switch (id)
            {
                case "fmt ":
                    fmtSize = size;
                    formatTag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                    channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                    sampleRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
                    byteRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
                    blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(body[12..]);
                    bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                    if (size > 16)
                    {
                        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(body[16..])); // cbSize
                    }

                    break;
                case "fact":
                    fact = BinaryPrimitives.ReadUInt32LittleEndian(body);
                    break;
                case "data":
                    data = body.ToArray();
                    break;
                default:
                    break;
            }

            offset += 8 + size + (size & 1); // chunks are word-aligned: an odd chunk is followed by a pad byte
        }

        Assert.Equal(file.Length, offset);
        Assert.NotNull(formatTag);
        Assert.NotNull(data);
        return new WavFile(formatTag.Value, channels!.Value, sampleRate!.Value, byteRate!.Value, blockAlign!.Value, bits!.Value, fmtSize!.Value, fact, data);
    }
}
