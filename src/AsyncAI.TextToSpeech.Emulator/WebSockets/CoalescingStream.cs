using System.Buffers;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// Wraps the upgraded connection so a burst of WebSocket frames goes out in one socket write. Kestrel flushes every
/// write of an upgraded stream, which costs a syscall per audio message; while <see cref="BeginBurst"/> is in effect,
/// writes collect in a buffer until it fills or <see cref="EndBurstAsync"/> flushes it. Outside a burst (pongs,
/// close frames while idle) writes go straight through.
/// </summary>
/// <remarks>Writers are serialized by a semaphore, so each frame written in one call stays contiguous on the wire.</remarks>
internal sealed class CoalescingStream(Stream inner, int capacity = 64 * 1024) : Stream
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[]? _buffer; // rented only while a burst has bytes in it, so idle connections hold no buffer
    private int _count;
    private volatile bool _inBurst;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Gets or sets a switch that, while it returns true, drops the PONG frames the runtime writes in answer to PINGs
    /// (the black-hole fault: a dead path answers nothing). Every write is one whole frame, so its first byte holds the
    /// opcode.
    /// </summary>
    public Func<bool>? SwallowPongs { get; set; }

    public void BeginBurst() => _inBurst = true;

    public async ValueTask EndBurstAsync(CancellationToken cancellationToken)
    {
        _inBurst = false;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await FlushBufferAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        const int OpcodeMask = 0x0F, PongOpcode = 0x0A;
        if (buffer.Length > 0 && (buffer.Span[0] & OpcodeMask) == PongOpcode && SwallowPongs?.Invoke() == true)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!_inBurst || buffer.Length > capacity)
            {
                await FlushBufferAsync(cancellationToken);
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            if (_buffer is not null && _count + buffer.Length > _buffer.Length)
            {
                await FlushBufferAsync(cancellationToken);
            }

            _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
            buffer.Span.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await FlushBufferAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writeLock.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_buffer is null)
        {
            return;
        }

        var buffer = _buffer;
        var count = _count;
        _buffer = null;
        _count = 0;
        try
        {
            if (count > 0)
            {
                await inner.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
