using System.Buffers.Binary;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>RFC 6455 frame headers for unmasked server-to-client text frames.</summary>
internal static class WebSocketFrame
{
    public const int MaxHeaderSize = 10;

    public static int HeaderSize(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>Writes FIN + text opcode and the payload length into exactly <see cref="HeaderSize"/> bytes.</summary>
    public static void WriteTextHeader(Span<byte> destination, int payloadLength)
    {
        destination[0] = 0x81; // FIN, opcode 1 (text)
        switch (destination.Length)
        {
            case 2:
                destination[1] = (byte)payloadLength;
                break;
            case 4:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                break;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                break;
        }
    }
}
