using System.Net;
using System.Net.Http.Headers;
using System.Threading.Tasks.Sources;
using AsyncAI.TextToSpeech.Http;
using BenchmarkDotNet.Attributes;

namespace AsyncAI.TextToSpeech.Benchmarks.Http;

/// <summary>
/// <see cref="AsyncAIHttpClient.StreamAsync"/> reading one response body of <see cref="Chunks"/> reads of 960 bytes
/// (20 ms of pcm_s16le at 24 kHz) from memory: no network and no server, so what is left is the client's own cost per
/// stream and per chunk. With a cancellable token (as a pipeline's always is) the reader's handling of the caller's
/// token shows; with <see cref="CancellationToken.None"/> it costs nothing, which is the comparison.
/// </summary>
[MemoryDiagnoser]
public class HttpStreamReadBenchmarks : IDisposable
{
    private const int ChunkBytes = 960;

    private readonly CancellationTokenSource _cancellation = new();
    private HttpClient _http = null!;
    private AsyncAIHttpClient _client = null!;

    /// <summary>Body reads per stream.</summary>
    [Params(100)]
    public int Chunks { get; set; }

    /// <summary>Whether the caller's token can be cancelled (it then has registrations to make).</summary>
    [Params(false, true)]
    public bool CancellableToken { get; set; }

    /// <summary>
    /// Whether each body read completes later (as a network read that waits for bytes does) instead of at once: an
    /// async method that awaits a pending read keeps its state on the heap.
    /// </summary>
    [Params(false, true)]
    public bool AsyncReads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new InMemoryBodyHandler(ChunkBytes, Chunks, AsyncReads));
        _client = new AsyncAIHttpClient(_http, new AsyncAIHttpOptions("sk_bench_not_a_key")
        {
            BaseUrl = new Uri("http://bench.invalid"),
            MaxRetries = 0,
        });
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _http?.Dispose();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Description = "StreamAsync, whole body")]
    public async Task<long> StreamWholeBody()
    {
        var token = CancellableToken ? _cancellation.Token : CancellationToken.None;
        long bytes = 0;
        await foreach (var chunk in _client.StreamAsync("A sentence to speak.", cancellationToken: token).ConfigureAwait(false))
        {
            bytes += chunk.Audio.Length;
        }

        return bytes == (long)ChunkBytes * Chunks ? bytes : throw new InvalidOperationException($"read {bytes} bytes");
    }

    /// <summary>Answers every request with a 200 whose body is <c>count</c> reads of <c>chunkBytes</c>.</summary>
    private sealed class InMemoryBodyHandler(int chunkBytes, int count, bool asyncReads) : HttpMessageHandler
    {
        private static readonly MediaTypeHeaderValue Pcm = new("application/octet-stream");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(asyncReads ? new YieldingBody(chunkBytes, count) : new ChunkedBody(chunkBytes, count));
            content.Headers.ContentType = Pcm;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>
    /// A <see cref="ChunkedBody"/> whose reads complete on the thread pool, after the caller has found them pending. Each
    /// read's ValueTask is backed by one reusable source and the body queues itself, so it allocates nothing per read.
    /// </summary>
    private sealed class YieldingBody(int chunkBytes, int count) : ChunkedBody(chunkBytes, count), IValueTaskSource<int>, IThreadPoolWorkItem
    {
        private ManualResetValueTaskSourceCore<int> _read;
        private Memory<byte> _buffer;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _read.Reset();
            _buffer = buffer;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
            return new ValueTask<int>(this, _read.Version);
        }

        void IThreadPoolWorkItem.Execute() => _read.SetResult(Read(_buffer.Span));

        public int GetResult(short token) => _read.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _read.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _read.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>A body that hands out one piece of <c>chunkBytes</c> per read, <c>count</c> times, then its end.</summary>
    private class ChunkedBody(int chunkBytes, int count) : Stream
    {
        private int _left = count;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0)
            {
                return 0;
            }

            _left--;
            var length = Math.Min(chunkBytes, buffer.Length);
            buffer[..length].Fill(0x11);
            return length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
