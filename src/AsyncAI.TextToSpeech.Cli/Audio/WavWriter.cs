using System.Buffers.Binary;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Cli.Audio;

/// <summary>
/// Writes mono PCM audio as a RIFF/WAVE file: a header with placeholder sizes first, the samples as they arrive,
/// and the sizes filled in by <see cref="CompleteAsync"/> once the length is known.
/// </summary>
/// <remarks>
/// 16-bit PCM uses format tag 1 and the canonical 44-byte header. 32-bit float (tag 3) and μ-law (tag 7) are not
/// plain PCM, so, as the WAVE specification asks, their <c>fmt </c> chunk carries <c>cbSize</c> and a <c>fact</c>
/// chunk gives the sample count. An odd-length data chunk (μ-law) gets the pad byte RIFF requires.
/// </remarks>
internal sealed class WavWriter : IAsyncDisposable
{
    private const ushort FormatPcm = 1;
    private const ushort FormatIeeeFloat = 3;
    private const ushort FormatMulaw = 7;

    private readonly Stream _stream;
    private readonly int _sampleRate;
    private readonly ushort _formatTag;
    private readonly ushort _bytesPerSample;
    private readonly int _headerSize;
    private long _dataBytes;
    private bool _completed;

    private WavWriter(Stream stream, int sampleRate, string encoding)
    {
        _stream = stream;
        _sampleRate = sampleRate;
        (_formatTag, _bytesPerSample) = encoding switch
        {
            AudioEncodings.PcmS16Le => (FormatPcm, (ushort)2),
            AudioEncodings.PcmF32Le => (FormatIeeeFloat, (ushort)4),
            AudioEncodings.PcmMulaw => (FormatMulaw, (ushort)1),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "WAV output supports pcm_s16le, pcm_f32le and pcm_mulaw."),
        };
        _headerSize = _formatTag == FormatPcm ? 44 : 58;
    }

    /// <summary>Gets the number of audio bytes written so far.</summary>
    public long DataBytes => _dataBytes;

    /// <summary>Starts a WAV file on a seekable stream (which the writer then owns) and writes a placeholder header.</summary>
    public static async Task<WavWriter> CreateAsync(Stream stream, int sampleRate, string encoding, CancellationToken cancellationToken)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("A WAV file needs a seekable stream: its header is completed at the end.", nameof(stream));
        }

        var writer = new WavWriter(stream, sampleRate, encoding);
        await writer.WriteHeaderAsync(cancellationToken);
        return writer;
    }

    /// <summary>Appends audio bytes (whole samples).</summary>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is checked only before the write: a buffered file stream cancelled part-way
    /// leaves part of the chunk in the file, which the header would then not count (and the data could end mid-sample).
    /// A local file write is short, so it is always finished.
    /// </remarks>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        cancellationToken.ThrowIfCancellationRequested();
        await _stream.WriteAsync(audio, CancellationToken.None);
        _dataBytes += audio.Length;
    }

    /// <summary>Pads the data chunk if needed and rewrites the header with the final sizes.</summary>
    /// <remarks>
    /// <paramref name="cancellationToken"/> is checked only before anything is done: a cancelled call leaves the
    /// writer as it was, so <see cref="DisposeAsync"/> still completes the file; once started, the few header bytes
    /// are always written (a half-done completion would leave sizes of 0 that no later call could fix).
    /// </remarks>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _completed = true;
        if ((_dataBytes & 1) == 1)
        {
            _stream.WriteByte(0);
        }

        await _stream.FlushAsync(CancellationToken.None);
        _stream.Position = 0;
        await WriteHeaderAsync(CancellationToken.None);
        await _stream.FlushAsync(CancellationToken.None);
    }

    /// <summary>Completes the file (so even an interrupted run leaves a valid WAV) and closes the stream.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CompleteAsync(CancellationToken.None);
        }
        finally
        {
            await _stream.DisposeAsync();
        }
    }

    /// <summary>
    /// Closes the stream without completing the header, for audio that is not kept: the file is about to be deleted,
    /// or emptied back to what it was. Later calls, <see cref="DisposeAsync"/> included, write nothing.
    /// </summary>
    public ValueTask AbandonAsync()
    {
        _completed = true;
        return _stream.DisposeAsync();
    }

    private async Task WriteHeaderAsync(CancellationToken cancellationToken)
    {
        var header = new byte[_headerSize];
        FillHeader(header);
        await _stream.WriteAsync(header, cancellationToken);
    }

    private void FillHeader(Span<byte> header)
    {
        var dataBytes = (uint)Math.Min(_dataBytes, uint.MaxValue - _headerSize - 1);
        var padding = dataBytes & 1;
        var isPcm = _formatTag == FormatPcm;

        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(_headerSize - 8) + dataBytes + padding);
        "WAVE"u8.CopyTo(header[8..]);

        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], isPcm ? 16u : 18u);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], _formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1); // mono
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)_sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(_sampleRate * _bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], _bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(_bytesPerSample * 8));

        var offset = 36;
        if (!isPcm)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0); // cbSize: no extension
            "fact"u8.CopyTo(header[38..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[46..], dataBytes / _bytesPerSample);
            offset = 50;
        }

        "data"u8.CopyTo(header[offset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[(offset + 4)..], dataBytes);
    }
}
