using System.Text;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>The cutting rules, driven read by read through a scripted body stream.</summary>
public class AudioStreamReaderTests
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("--ERROR:QUOTA_EXCEEDED--");

    [Theory]
    [InlineData("pcm_s16le", 2)]
    [InlineData("pcm_f32le", 4)]
    [InlineData("pcm_mulaw", 1)]
    public async Task ReadNextAsync_OddSizedReads_HandsOutWholeSamplesInOrder(string encoding, int bytesPerSample)
    {
        var audio = Pattern(4 * 3 * 7 * 10);
        var reader = CreateReader(Split(audio, 1, 3, 5, 7, 2, 11), encoding, bytesPerSample);

        var received = await ReadAllAsync(reader);

        Assert.All(received, chunk => Assert.Equal(0, chunk.Length % bytesPerSample));
        Assert.Equal(audio, received.SelectMany(chunk => chunk).ToArray());
    }

    [Fact]
    public async Task ReadNextAsync_PartialSample_WaitsForTheNextRead()
    {
        var reader = CreateReader([[1, 2, 3], [4]], "pcm_s16le", 2);

        var first = await reader.ReadNextAsync();
        var second = await reader.ReadNextAsync();

        Assert.Equal(new byte[] { 1, 2 }, first!.Audio.ToArray());
        Assert.Equal(new byte[] { 3, 4 }, second!.Audio.ToArray());
        Assert.Null(await reader.ReadNextAsync());
    }

    [Fact]
    public async Task ReadNextAsync_MarkerSplitAtEveryPoint_NeverHandsOutMarkerBytesAndThrowsQuota()
    {
        var audio = Pattern(64);
        for (var split = 1; split < Marker.Length; split++)
        {
            var body = audio.Concat(Marker).ToArray();
            var reader = CreateReader([body[..(audio.Length + split)], body[(audio.Length + split)..]], "pcm_s16le", 2);
            var received = new List<byte>();

            var error = await Assert.ThrowsAsync<AsyncAIException>(async () =>
            {
                while (await reader.ReadNextAsync() is { } chunk)
                {
                    received.AddRange(chunk.Audio.ToArray());
                }
            });

            Assert.Equal(AsyncAIErrorCategory.Quota, error.Category);
            Assert.Equal("QUOTA_EXCEEDED", error.ErrorCode);
            Assert.Equal(audio, received.ToArray());
        }
    }

    [Fact]
    public async Task ReadNextAsync_TailLooksLikeMarkerButIsNot_IsHandedOutWithTheNextRead()
    {
        var first = new byte[] { 10, 11, (byte)'-', (byte)'-' };
        var second = new byte[] { (byte)'E', (byte)'X', 12, 13 };
        var reader = CreateReader([first, second], "pcm_s16le", 2);

        var chunk1 = await reader.ReadNextAsync();
        var chunk2 = await reader.ReadNextAsync();

        Assert.Equal(new byte[] { 10, 11 }, chunk1!.Audio.ToArray());
        Assert.Equal(new byte[] { (byte)'-', (byte)'-', (byte)'E', (byte)'X', 12, 13 }, chunk2!.Audio.ToArray());
    }

    [Fact]
    public async Task ReadNextAsync_BodyEndsInsideSample_DropsTheTrailingByte()
    {
        var reader = CreateReader([[1, 2, 3]], "pcm_s16le", 2);

        var received = await ReadAllAsync(reader);

        Assert.Equal(new byte[] { 1, 2 }, received.SelectMany(chunk => chunk).ToArray());
        Assert.Equal(1, reader.DroppedTrailingBytes);
    }

    [Fact]
    public async Task ReadNextAsync_IOException_BecomesConnectivity()
    {
        var reader = new AudioStreamReader(new HttpResponseMessage(), new ScriptedStream([[1, 2]], failAtEnd: true), TimeProvider.System, "POST /x", null, 24000, "pcm_s16le", 2, Timeout.InfiniteTimeSpan, CancellationToken.None);

        Assert.NotNull(await reader.ReadNextAsync());
        var error = await Assert.ThrowsAsync<AsyncAIException>(() => reader.ReadNextAsync().AsTask());

        Assert.Equal(AsyncAIErrorCategory.Connectivity, error.Category);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, 0)]
    [InlineData(new byte[] { 1, (byte)'-' }, 1)]
    [InlineData(new byte[] { (byte)'-', (byte)'-', (byte)'E', (byte)'R' }, 4)]
    [InlineData(new byte[] { (byte)'-', (byte)'-', (byte)'-' }, 2)]
    [InlineData(new byte[] { (byte)'-', 7 }, 0)]
    public void PossibleMarkerPrefixLength_FindsTheLongestMarkerPrefixAtTheEnd(byte[] data, int expected) =>
        Assert.Equal(expected, AudioStreamReader.PossibleMarkerPrefixLength(data));

    private static AudioStreamReader CreateReader(IEnumerable<byte[]> reads, string encoding, int bytesPerSample) =>
        new(new HttpResponseMessage(), new ScriptedStream(reads), TimeProvider.System, "POST /text_to_speech/streaming", null, 24000, encoding, bytesPerSample, Timeout.InfiniteTimeSpan, CancellationToken.None);

    private static async Task<List<byte[]>> ReadAllAsync(AudioStreamReader reader)
    {
        var chunks = new List<byte[]>();
        while (await reader.ReadNextAsync() is { } chunk)
        {
            chunks.Add(chunk.Audio.ToArray());
        }

        return chunks;
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i % 251)).ToArray();

    private static List<byte[]> Split(byte[] data, params int[] sizes)
    {
        var reads = new List<byte[]>();
        for (int offset = 0, i = 0; offset < data.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], data.Length - offset);
            reads.Add(data[offset..(offset + size)]);
            offset += size;
        }

        return reads;
    }

    /// <summary>A body that returns exactly the scripted pieces, one per read.</summary>
    private sealed class ScriptedStream(IEnumerable<byte[]> reads, bool failAtEnd = false) : Stream
    {
        private readonly Queue<byte[]> _reads = new(reads);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_reads.TryDequeue(out var next))
            {
                return failAtEnd ? throw new IOException("connection reset") : ValueTask.FromResult(0);
            }

            Assert.True(next.Length <= buffer.Length, "the reader's buffer must hold a whole scripted read");
            next.CopyTo(buffer);
            return ValueTask.FromResult(next.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
