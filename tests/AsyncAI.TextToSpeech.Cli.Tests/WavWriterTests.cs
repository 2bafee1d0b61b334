using AsyncAI.TextToSpeech.Cli.Audio;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class WavWriterTests
{
    [Fact]
    public async Task CompleteAsync_AfterSeveralWrites_HeaderCountsEveryByte()
    {
        var stream = new MemoryStream();
        var writer = await WavWriter.CreateAsync(stream, 24000, "pcm_s16le", CancellationToken.None);
        await writer.WriteAsync(new byte[100], CancellationToken.None);
        await writer.WriteAsync(new byte[38], CancellationToken.None);
        await writer.CompleteAsync(CancellationToken.None);

        var wav = WavFile.Parse(stream.ToArray());
        Assert.Equal(138, wav.Data.Length);
        Assert.Equal(44 + 138, stream.Length);
    }

    [Fact]
    public async Task CompleteAsync_OddMulawLength_AddsPadByteOutsideTheDataChunk()
    {
        var stream = new MemoryStream();
        await using (var writer = await WavWriter.CreateAsync(stream, 8000, "pcm_mulaw", CancellationToken.None))
        {
            await writer.WriteAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
            var wav = WavFile.Parse(stream.ToArray());
            Assert.Equal(new byte[] { 1, 2, 3 }, wav.Data);
            Assert.Equal(7, wav.FormatTag);
            Assert.Equal(3u, wav.FactSampleCount);
        }
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_StillLeavesAValidFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wavwriter-{Guid.NewGuid():N}.wav");
        try
        {
            await using (var writer = await WavWriter.CreateAsync(File.Create(path), 16000, "pcm_f32le", CancellationToken.None))
            {
                await writer.WriteAsync(new byte[16], CancellationToken.None);
            }

            var wav = WavFile.Parse(await File.ReadAllBytesAsync(path));
            Assert.Equal(16, wav.Data.Length);
            Assert.Equal(3, wav.FormatTag);
            Assert.Equal(4u, wav.FactSampleCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task DisposeAsync_AfterCompleteAsyncWasCancelled_StillLeavesAValidFile()
    {
        // SpeechRun completes the output with the Ctrl+C token; a Ctrl+C right after the last audio cancels that call,
        // and the disposal that follows must still write the header.
        var path = Path.Combine(Path.GetTempPath(), $"wavwriter-{Guid.NewGuid():N}.wav");
        try
        {
            var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 16 * 1024, useAsync: true);
            await using (var writer = await WavWriter.CreateAsync(file, 24000, "pcm_s16le", CancellationToken.None))
            {
                await writer.WriteAsync(new byte[100], CancellationToken.None);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CompleteAsync(new CancellationToken(canceled: true)));
            }

            var wav = WavFile.Parse(await File.ReadAllBytesAsync(path));
            Assert.Equal(100, wav.Data.Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task WriteAsync_CancelledPartWayThroughTheStreamsWrite_HeaderStillCountsEveryByteInTheFile()
    {
        // A buffered FileStream copies what fits into its buffer, then awaits the flush with the caller's token: a Ctrl+C
        // then leaves part of the chunk in the file. The header used to leave those bytes out (seen under load as a RIFF
        // size 84 bytes short of the file).
        var stream = new CancelsPartWayStream();
        await using (var writer = await WavWriter.CreateAsync(stream, 24000, "pcm_s16le", CancellationToken.None))
        {
            await writer.WriteAsync(new byte[100], CancellationToken.None);
            try
            {
                await writer.WriteAsync(new byte[200], new CancellationToken(canceled: true));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: what matters is the file it leaves.
            }
        }

        var file = stream.ToArray();
        var wav = WavFile.Parse(file);
        Assert.Equal(file.Length - 44, wav.Data.Length);
        Assert.Equal(0, wav.Data.Length % 2);
    }

    /// <summary>Like a buffered FileStream: copies half the data, then observes the token.</summary>
    private sealed class CancelsPartWayStream : MemoryStream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var half = buffer.Length / 2;
            Write(buffer.Span[..half]);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            Write(buffer.Span[half..]);
        }
    }

    [Fact]
    public async Task CreateAsync_UnknownEncoding_ThrowsNamingTheEncodings()
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WavWriter.CreateAsync(new MemoryStream(), 24000, "mp3", CancellationToken.None));
        Assert.Contains("pcm_mulaw", ex.Message, StringComparison.Ordinal);
    }
}
