using System.Text;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>One synthesis context on a WebSocket: its queued text and how far its audio has got.</summary>
/// <remarks>Queue and flags are guarded by the session's lock; the carry byte and counters belong to the writer loop.</remarks>
internal sealed class SpeechContext
{
    public SpeechContext(string id, string? wireId, EmulatorJournal journal)
    {
        Id = id;
        // Pre-encode the invariant parts of every message for this context once, so each audio message is two copies
        // and a base64 encode.
        if (wireId is null)
        {
            AudioPrefix = "{\"audio\":\""u8.ToArray();
            FinalMessage = "{\"audio\":\"\",\"final\":true}"u8.ToArray();
        }
        else
        {
            var escaped = JsonEncodedText.Encode(wireId).EncodedUtf8Bytes;
            AudioPrefix = [.. "{\"context_id\":\""u8, .. escaped, .. "\",\"audio\":\""u8];
            FinalMessage = [.. "{\"context_id\":\""u8, .. escaped, .. "\",\"audio\":\"\",\"final\":true}"u8];
        }

        Counter = journal.AudioCounter(id);
    }

    public static ReadOnlySpan<byte> AudioSuffix => "\",\"final\":false}"u8;

    public string Id { get; }

    public byte[] AudioPrefix { get; }

    public byte[] FinalMessage { get; }

    public EmulatorJournal.StrongBox Counter { get; }

    public Queue<Segment> Pending { get; } = new();

    public bool InputEnded { get; set; }

    public bool IsActive { get; set; }

    /// <summary>Gets or sets when the next chunk may be sent (Stopwatch ticks).</summary>
    public long DueTimestamp { get; set; }

    public long MessagesSent { get; set; }

    public long BytesSent { get; set; }

    /// <summary>Gets or sets the byte held back by the odd-length-chunk fault (-1 when none).</summary>
    public int CarryByte { get; set; } = -1;

    public override string ToString() => new StringBuilder("context ").Append(Id).ToString();

    /// <summary>The audio for one text message.</summary>
    internal sealed class Segment(uint phase, uint step, long totalSamples, int chunkSamples)
    {
        public uint Phase { get; } = phase;

        public uint Step { get; } = step;

        public long TotalSamples { get; } = totalSamples;

        public int ChunkSamples { get; } = chunkSamples;

        public long Produced { get; set; }
    }
}
