using System.Buffers.Binary;
using AsyncAI.TextToSpeech.Pipeline.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;

namespace AsyncAI.TextToSpeech.Pipeline.Sinks;

/// <summary>Writes TTS audio (16-bit PCM) into a WAV file or stream, with a correct RIFF header.</summary>
/// <remarks>
/// The header is written with the format of the first audio frame and its sizes are fixed up when the pipeline ends. On
/// a stream that cannot seek the sizes stay at 0xFFFFFFFF, the usual marker for a WAV of unknown length. A file gets a
/// valid (empty) header even when no audio arrives. See <see cref="AudioOutputSink"/> for the bot-speaking frames it emits.
/// </remarks>
public sealed class WavFileSink : AudioOutputSink
{
    /// <summary>The size of the canonical PCM WAV header in bytes.</summary>
    public const int HeaderSize = 44;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _headerPosition;
    private int _sampleRate;
    private int _channels;
    private long _dataBytes;
    private bool _headerWritten;
    private int _finished;

    /// <summary>Initializes a new instance that creates (or overwrites) a file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="silenceTimeout">See <see cref="AudioOutputSink.SilenceTimeout"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="silenceTimeout"/> is out of range (checked before the file is touched).</exception>
    public WavFileSink(string path, TimeSpan? silenceTimeout = null)
        : this(CreateFile(path, silenceTimeout), leaveOpen: false, silenceTimeout)
    {
    }

    /// <summary>Initializes a new instance that writes into a stream.</summary>
    /// <param name="stream">A writable stream; seekable for correct sizes.</param>
    /// <param name="leaveOpen">Whether the stream stays open when the sink finishes (otherwise the sink disposes it).</param>
    /// <param name="silenceTimeout">See <see cref="AudioOutputSink.SilenceTimeout"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public WavFileSink(Stream stream, bool leaveOpen = false, TimeSpan? silenceTimeout = null)
        : base(silenceTimeout)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _headerPosition = stream.CanSeek ? stream.Position : 0;
    }

    private static FileStream CreateFile(string path, TimeSpan? silenceTimeout)
    {
        // Checked before the file is opened: a bad timeout must not truncate an existing file.
        ValidateSilenceTimeout(silenceTimeout);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
    }

    /// <summary>Writes a canonical 44-byte PCM WAV header.</summary>
    /// <param name="destination">At least <see cref="HeaderSize"/> bytes.</param>
    /// <param name="sampleRate">The sample rate in Hz.</param>
    /// <param name="channels">The channel count.</param>
    /// <param name="dataBytes">The size of the audio data, or null when unknown (sizes written as 0xFFFFFFFF).</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static void WriteHeader(Span<byte> destination, int sampleRate, int channels, long? dataBytes)
    {
        if (destination.Length < HeaderSize)
        {
            throw new ArgumentException($"The destination must hold at least {HeaderSize} bytes.", nameof(destination));
        }

        const int bitsPerSample = 16;
        var blockAlign = channels * bitsPerSample / 8;
        var data = dataBytes is { } d ? (uint)Math.Min(d, uint.MaxValue - 36) : uint.MaxValue;
        var riff = dataBytes is null ? uint.MaxValue : data + 36;
        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], riff);
        "WAVE"u8.CopyTo(destination[8..]);
        "fmt "u8.CopyTo(destination[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[20..], 1); // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(destination[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[34..], bitsPerSample);
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], data);
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is StartFrame start && _sampleRate == 0)
        {
            _sampleRate = start.AudioOutSampleRate;
        }

        await base.ProcessFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask WriteAudioAsync(TtsAudioRawFrame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!_headerWritten)
        {
            _sampleRate = frame.SampleRate;
            _channels = frame.Channels;
            await WriteHeaderAsync(null, cancellationToken).ConfigureAwait(false);
        }
        else if (frame.SampleRate != _sampleRate)
        {
            PipelineLog.SampleRateChanged(Logger, Name, frame.SampleRate, _sampleRate);
        }

        await _stream.WriteAsync(frame.Audio, cancellationToken).ConfigureAwait(false);
        _dataBytes += frame.Audio.Length;
    }

    /// <inheritdoc />
    protected override async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 1)
        {
            return;
        }

        try
        {
            if (!_headerWritten)
            {
                await WriteHeaderAsync(0, cancellationToken).ConfigureAwait(false);
            }
            else if (_stream.CanSeek)
            {
                var end = _stream.Position;
                _stream.Position = _headerPosition;
                await WriteHeaderAsync(_dataBytes, cancellationToken).ConfigureAwait(false);
                _stream.Position = end;
            }

            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask WriteHeaderAsync(long? dataBytes, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        WriteHeader(header, _sampleRate == 0 ? 24000 : _sampleRate, _channels == 0 ? 1 : _channels, _stream.CanSeek ? dataBytes ?? 0 : dataBytes);
        await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        _headerWritten = true;
    }
}
