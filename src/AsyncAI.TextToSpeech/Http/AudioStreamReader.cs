using System.Buffers;
using System.Runtime.CompilerServices;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.Timing;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>
/// Reads a streaming response body and cuts it into chunks of whole samples as soon as bytes arrive, watching for the
/// in-band quota marker across read boundaries.
/// </summary>
/// <remarks>
/// <para>
/// One pooled read buffer; each chunk handed out is a fresh array the caller owns. A partial sample, and a tail that
/// could be the start of <c>--ERROR:QUOTA_EXCEEDED--</c>, stay at the front of the buffer for the next read.
/// Not thread-safe: one reader loop owns it; only <see cref="Abort"/> may be called from another thread.
/// </para>
/// <para>
/// A body left before its end is aborted, never drained. Disposing a response without a pending read makes
/// SocketsHttpHandler drain the rest of an HTTP/1.1 body to reuse the connection (up to its <c>ResponseDrainTimeout</c>,
/// 2 s, and <c>MaxResponseDrainSize</c>, 1 MiB, by default): the server keeps synthesizing and the request keeps its
/// place in the account's concurrent-request limit. A pending read that is cancelled, on the other hand, makes it
/// close the connection at once (HTTP/2 and HTTP/3 reset only the stream). So every read passes a token the reader
/// can cancel (the idle timeout cancels it instead of disposing the response, which drained too), and
/// <see cref="Abort"/> and <see cref="Dispose"/> end a body not read to its end with a read they cancel as soon as it
/// waits for bytes. The cost: that connection is not reused.
/// </para>
/// <para>
/// The caller's token is registered once, for the reader's lifetime, and calls <see cref="Abort"/>: a read in progress is
/// cancelled, and between reads (the caller holding a chunk) the body is aborted at once. A registration per read would
/// cost a second async method per read around the one that awaits the body, whose state goes to the heap each time a
/// read waits for bytes; the one async method left takes its state boxes from a pool.
/// </para>
/// </remarks>
internal sealed class AudioStreamReader : IDisposable, IAsyncDisposable
{
    internal const int BufferSize = 16 * 1024;

    /// <summary>
    /// How many bytes already received an abort reads past, at most, looking for a read that waits (one that completes at
    /// once cannot be cancelled); beyond it the response is only disposed and the handler's drain rules apply.
    /// </summary>
    internal const int MaxAbortBytes = 1024 * 1024;

    /// <summary>How long <see cref="DisposeAsync"/> waits for the read an abort cancelled.</summary>
    internal static readonly TimeSpan AbortedReadPatience = TimeSpan.FromSeconds(1);

    /// <summary>Where an abort's reads go: nobody looks at them, so every stream may share it.</summary>
    private static readonly byte[] AbortScratch = new byte[BufferSize];

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly TimeProvider _timeProvider;
    private readonly string _operation;
    private readonly string? _apiKey;
    private readonly int _sampleRate;
    private readonly string _encoding;
    private readonly int _unit;
    private readonly TimeSpan _idleTimeout;
    private readonly Lock _idleLock = new();

    // Cancels the pending read of the body: by the caller's token, the idle timer, or an abort. Never disposed: a
    // timer callback or a caller's token may still cancel it after Dispose.
    private readonly CancellationTokenSource _readCancel = new();

    // The caller's token, reported when it ends a read; registered once (see the remarks on the class).
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _cancellation;

    // Guards _reading and _aborted against an Abort from the caller's cancellation callback.
    private readonly Lock _abortLock = new();
    private bool _reading;
    private bool _aborted;
    private bool _bodyEnded;

    // The cancelled read an abort left behind (a ValueTask must be consumed once); DisposeAsync awaits it.
    private Task? _abortedRead;
    private InactivityTimer? _idle;
    private volatile bool _waitingForBytes;
    private volatile bool _idleExpired;
    private byte[]? _buffer;
    private int _held;
    private bool _ended;
    private bool _quotaPending;

    // cancellationToken: the caller's; it cancels a read in progress and aborts the body between reads.
    public AudioStreamReader(HttpResponseMessage response, Stream body, TimeProvider timeProvider, string operation, string? apiKey, int sampleRate, string encoding, int bytesPerUnit, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        _idleTimeout = idleTimeout;
        _response = response;
        _body = body;
        _timeProvider = timeProvider;
        _operation = operation;
        _apiKey = apiKey;
        _sampleRate = sampleRate;
        _encoding = encoding;
        _unit = bytesPerUnit;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        _cancellationToken = cancellationToken;

        // Last: a token cancelled already runs Abort here and now, which needs everything above.
        _cancellation = cancellationToken.UnsafeRegister(static state => ((AudioStreamReader)state!).Abort(), this);
    }

    private static ReadOnlySpan<byte> QuotaMarker => "--ERROR:QUOTA_EXCEEDED--"u8;

    /// <summary>Gets how many trailing bytes were dropped because the body ended inside a sample.</summary>
    public int DroppedTrailingBytes { get; private set; }

    /// <summary>Reads until at least one whole sample can be handed out; null at the end of the body.</summary>
    /// <remarks>Each returned ValueTask must be awaited once, and only once: its state box goes back to a pool.</remarks>
    /// <exception cref="AsyncAIException">The quota marker arrived (Quota) or the connection failed (Connectivity).</exception>
    /// <exception cref="OperationCanceledException">The caller's token was cancelled.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AudioChunk?> ReadNextAsync()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(AudioStreamReader));
        lock (_abortLock)
        {
            if (_aborted)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                throw new ObjectDisposedException(nameof(AudioStreamReader));
            }

            _reading = true;
        }

        try
        {
            while (true)
            {
                if (_quotaPending)
                {
                    _quotaPending = false;
                    throw HttpErrors.QuotaMarker(_operation);
                }

                if (_ended)
                {
                    return null;
                }

                int read;
                try
                {
                    BeginWaitForBytes();
                    read = await _body.ReadAsync(buffer.AsMemory(_held), _readCancel.Token).ConfigureAwait(false);
                }
                catch (Exception) when (_idleExpired && !_cancellationToken.IsCancellationRequested)
                {
                    // The idle timer cancelled the read (and disposed the response, for a stream that ignores cancellation).
                    throw HttpErrors.StreamIdle(_operation, _idleTimeout);
                }
                catch (Exception e) when (_cancellationToken.IsCancellationRequested)
                {
                    // The read ran on the reader's own token: report the caller's, whatever the transport threw.
                    throw new OperationCanceledException("The stream was cancelled.", e, _cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
                {
                    throw HttpErrors.Connectivity(_operation, e, _apiKey);
                }
                finally
                {
                    // Only the wait for bytes counts: the caller may take its time with the chunks.
                    _waitingForBytes = false;
                }

                var arrival = _timeProvider.GetTimestamp();
                var available = _held + read;
                var data = buffer.AsSpan(0, available);
                int deliver;

                var markerAt = data.IndexOf(QuotaMarker);
                if (markerAt >= 0)
                {
                    _ended = true;
                    _quotaPending = true;
                    deliver = markerAt - (markerAt % _unit);
                }
                else if (read == 0)
                {
                    _ended = true;
                    _bodyEnded = true;
                    deliver = available - (available % _unit);
                    DroppedTrailingBytes = available - deliver;
                }
                else
                {
                    deliver = available - PossibleMarkerPrefixLength(data);
                    deliver -= deliver % _unit;
                }

                if (deliver == 0)
                {
                    _held = _ended ? 0 : available;
                    continue;
                }

                var audio = data[..deliver].ToArray();
                data[deliver..].CopyTo(buffer);
                _held = _ended ? 0 : available - deliver;
                return new AudioChunk(audio, _sampleRate, 1, _encoding, null, arrival);
            }
        }
        finally
        {
            lock (_abortLock)
            {
                _reading = false;
            }
        }
    }

    /// <summary>The length of the longest tail of <paramref name="data"/> that is a proper prefix of the marker.</summary>
    internal static int PossibleMarkerPrefixLength(ReadOnlySpan<byte> data)
    {
        var longest = Math.Min(data.Length, QuotaMarker.Length - 1);
        var tail = data[^longest..];
        var dash = tail.IndexOf((byte)'-');
        if (dash < 0)
        {
            return 0;
        }

        for (var length = longest - dash; length > 0; length--)
        {
            if (data[^length..].SequenceEqual(QuotaMarker[..length]))
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>The unit chunks are cut on: one sample for PCM, one byte for mp3.</summary>
    internal static int UnitFor(string container, string encoding) =>
        container == AudioContainers.Mp3 ? 1 : Math.Max(1, AudioEncodings.BytesPerSample(encoding));

    /// <summary>
    /// Starts the wait for bytes: after <see cref="_idleTimeout"/> of waiting without any, the response is disposed, which
    /// ends the pending read, and the read reports <see cref="HttpErrors.StreamIdle"/>. One <see cref="InactivityTimer"/>
    /// per stream: a read only records its start (no timer-queue update per read), and the timer re-arms itself when it
    /// fires early.
    /// </summary>
    private void BeginWaitForBytes()
    {
        if (_idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_idleLock)
        {
            _waitingForBytes = true;
            if (_idle is null)
            {
                _idle = new InactivityTimer(_timeProvider, _idleTimeout, static state => ((AudioStreamReader)state!).OnIdleTimer(), this);
            }
            else
            {
                _idle.Touch(_timeProvider.GetTimestamp());
            }
        }
    }

    private void OnIdleTimer()
    {
        lock (_idleLock)
        {
            // Expired disarms the timer (the next read's Touch re-arms it) or re-arms it for the rest of the timeout.
            if (_idle?.Expired() != true || !_waitingForBytes)
            {
                return;
            }

            _idleExpired = true;
        }

        // Cancelling the pending read aborts the connection; disposing the response alone would drain it, the read
        // still waiting. The dispose stays for a response stream that ignores cancellation.
        _readCancel.Cancel();
        _response.Dispose();
    }

    /// <summary>
    /// Ends the request on the wire at once unless its body was read to the end: a read in progress is cancelled, else
    /// a read is issued and cancelled (see the remarks on the class). Safe to call from another thread than the reader
    /// loop's (the caller's cancellation callback); the next <see cref="ReadNextAsync"/> then throws.
    /// </summary>
    public void Abort()
    {
        lock (_abortLock)
        {
            if (_aborted || _bodyEnded)
            {
                return;
            }

            if (!_reading)
            {
                _aborted = true;
                AbortBody();
                return;
            }
        }

        // The read in progress runs on the reader's token: cancelled, it aborts the connection if it waits.
        _readCancel.Cancel();
    }

    /// <summary>
    /// Reads past what was already received (at most <see cref="MaxAbortBytes"/>) until a read waits for bytes, then
    /// cancels it, which makes SocketsHttpHandler close the connection. A read that finds the end of the body leaves the
    /// connection to the pool instead. Called under <see cref="_abortLock"/>, with no read of the reader's in progress.
    /// </summary>
    private void AbortBody()
    {
        var abort = new CancellationTokenSource();
        var observing = false;
        try
        {
            var consumed = 0L;
            while (true)
            {
                var read = _body.ReadAsync(AbortScratch, abort.Token);
                if (!read.IsCompleted)
                {
                    abort.Cancel();
                    observing = true;
                    _abortedRead = ObserveAbortedReadAsync(read, abort);
                    return;
                }

                var count = read.GetAwaiter().GetResult();
                if (count == 0)
                {
                    _bodyEnded = true;
                    return;
                }

                consumed += count;
                if (consumed >= MaxAbortBytes)
                {
                    return;
                }
            }
        }
#pragma warning disable CA1031 // the body is being abandoned: a stream that already failed or was disposed has nothing left to end
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            if (!observing)
            {
                abort.Dispose();
            }
        }
    }

    /// <summary>Awaits the cancelled read (a ValueTask must be consumed once) and drops its exception.</summary>
    private static async Task ObserveAbortedReadAsync(ValueTask<int> read, CancellationTokenSource abort)
    {
        try
        {
            await read.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the expected outcome is an OperationCanceledException or the transport's error
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            abort.Dispose();
        }
    }

    /// <summary>
    /// Disposes the reader, then waits for the read an abort cancelled to finish (briefly: the response is disposed by
    /// then, which ends a read that ignored its cancellation), so that no work of this reader outlives it.
    /// </summary>
    /// <returns>A task that completes when the reader is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        // Asynchronously: a cancellation callback running on another thread is waited for without blocking this one.
        await _cancellation.DisposeAsync().ConfigureAwait(false);
        Dispose();
        Task? abortedRead;
        lock (_abortLock)
        {
            abortedRead = _abortedRead;
        }

        if (abortedRead is not null)
        {
            try
            {
                await abortedRead.WaitAsync(AbortedReadPatience, _timeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A transport that ignores both the cancellation and the disposal: its read swallows its own outcome.
            }
        }
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        lock (_idleLock)
        {
            _idle?.Dispose();
            _idle = null;
        }

        Abort();
        _response.Dispose();
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
