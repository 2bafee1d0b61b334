using System.Buffers;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.Timing;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>
/// Reads a streaming response body and cuts it into chunks of whole samples as soon as bytes arrive, watching for the
/// in-band quota marker across read boundaries.
/// </summary>
/// <remarks>
/// One pooled read buffer; each chunk handed out is a fresh array the caller owns. A partial sample, and a tail that
/// could be the start of <c>--ERROR:QUOTA_EXCEEDED--</c>, stay at the front of the buffer for the next read.
/// Not thread-safe: one reader loop owns it.
/// </remarks>
internal sealed class AudioStreamReader : IDisposable
{
    internal const int BufferSize = 16 * 1024;

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
    private InactivityTimer? _idle;
    private volatile bool _waitingForBytes;
    private volatile bool _idleExpired;
    private byte[]? _buffer;
    private int _held;
    private bool _ended;
    private bool _quotaPending;

    public AudioStreamReader(HttpResponseMessage response, Stream body, TimeProvider timeProvider, string operation, string? apiKey, int sampleRate, string encoding, int bytesPerUnit, TimeSpan idleTimeout)
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
    }

    private static ReadOnlySpan<byte> QuotaMarker => "--ERROR:QUOTA_EXCEEDED--"u8;

    /// <summary>Gets the response being read (disposed on cancellation to abort the connection at once).</summary>
    public HttpResponseMessage Response => _response;

    /// <summary>Gets how many trailing bytes were dropped because the body ended inside a sample.</summary>
    public int DroppedTrailingBytes { get; private set; }

    /// <summary>Reads until at least one whole sample can be handed out; null at the end of the body.</summary>
    /// <exception cref="AsyncAIException">The quota marker arrived (Quota) or the connection failed (Connectivity).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async ValueTask<AudioChunk?> ReadNextAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(AudioStreamReader));
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
                read = await _body.ReadAsync(buffer.AsMemory(_held), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (_idleExpired && !cancellationToken.IsCancellationRequested)
            {
                // The idle timer disposed the response to end the read.
                throw HttpErrors.StreamIdle(_operation, _idleTimeout);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                // Disposing the response on cancellation makes a pending read fail with whatever the transport throws.
                throw new OperationCanceledException("The stream was cancelled.", e, cancellationToken);
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

        _response.Dispose();
    }

    public void Dispose()
    {
        lock (_idleLock)
        {
            _idle?.Dispose();
            _idle = null;
        }

        _response.Dispose();
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
