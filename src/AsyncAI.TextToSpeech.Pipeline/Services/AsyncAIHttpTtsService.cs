using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Pipeline.Services;

/// <summary>Options of <see cref="AsyncAIHttpTtsService"/>.</summary>
public sealed class AsyncAIHttpTtsServiceOptions : AsyncAITtsOptionsBase
{
    /// <summary>Gets or sets the service's base URL. A URL with user info or an <c>api_key</c> query parameter is refused: the key goes in <c>ApiKey</c>.</summary>
    /// <value>The default value is <c>https://api.async.com</c>.</value>
    public Uri Url { get; set; } = new("https://api.async.com");

    /// <summary>
    /// Gets or sets how long a sentence's response body may send nothing before its request fails with a
    /// <see cref="AsyncAIErrorCategory.Timeout"/> error (an upstream <see cref="Frames.ErrorFrame"/>), or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to wait for ever; passed to <see cref="AsyncAIHttpOptions.StreamIdleTimeout"/>.
    /// </summary>
    /// <value>The default value is 30 s. Allowed: up to one hour, or infinite.</value>
    public TimeSpan StreamIdleTimeout { get; set; } = new AsyncAIHttpOptions().StreamIdleTimeout;

    internal void ValidateForPipeline()
    {
        // Checked here under this option's name; the HTTP client would report its own name for it (BaseUrl).
        OptionValidation.BaseUrl(Url, nameof(Url));
        ValidateSharedOptions();
        _ = new AsyncAIHttpOptions { StreamIdleTimeout = StreamIdleTimeout };
    }
}

/// <summary>Async text-to-speech over HTTP streaming (<c>POST /text_to_speech/streaming</c>), one request per sentence.</summary>
/// <remarks>
/// <para>
/// Each turn is one context; each sentence of it is one streaming request, sent when the sentence is complete, and its
/// audio is pushed chunk by chunk as it arrives (Pipecat buffers the whole body). The sentence's
/// <see cref="Frames.TtsTextFrame"/> follows its audio. Failures reach the pipeline as one upstream
/// <see cref="Frames.ErrorFrame"/> with the failure's category; an authentication or invalid-request failure makes the
/// service unusable (no more requests) until its settings change.
/// </para>
/// <para>The caller owns the <see cref="HttpClient"/>; the service never disposes it.</para>
/// </remarks>
public sealed class AsyncAIHttpTtsService : TtsService
{
    private readonly AsyncAIHttpClient _client;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClient">A caller-owned HTTP client (for example from <c>IHttpClientFactory</c>).</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="loggerFactory">The logger factory for the underlying HTTP client.</param>
    /// <param name="timeProvider">The clock for the HTTP client's retries.</param>
    /// <exception cref="ArgumentException">An option is invalid; the parameter name is the option's name.</exception>
    public AsyncAIHttpTtsService(HttpClient httpClient, AsyncAIHttpTtsServiceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : base(ToServiceOptions(options), ToSettings(options))
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var clientOptions = new AsyncAIHttpOptions
        {
            ApiKey = options.ApiKey,
            VoiceId = options.VoiceId,
            Model = options.Model,
            Version = options.Version,
            BaseUrl = options.Url,
            Encoding = options.Encoding,
            Container = options.Container,
            StreamIdleTimeout = options.StreamIdleTimeout,
        };
        _client = new AsyncAIHttpClient(httpClient, clientOptions, loggerFactory, timeProvider);
    }

    /// <inheritdoc />
    /// <remarks>Nothing to connect, so nothing to start; a rate Async does not accept is one error at the start, and the service stays unusable instead of failing every request.</remarks>
    protected override AsyncAIException? CheckSampleRate(int sampleRate) => AsyncAITtsOptionsBase.UnsupportedRate(sampleRate);

    /// <inheritdoc />
    protected override ValueTask<TtsSynthesisContext> CreateContextAsync(string contextId, TtsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var request = new AsyncAIHttpRequestOptions
        {
            VoiceId = settings.Voice,
            Model = settings.Model,
            Language = settings.Language is { } language ? AsyncAILanguages.Normalize(language) : null,
            SampleRate = SampleRate,
        };
        return ValueTask.FromResult<TtsSynthesisContext>(new HttpSynthesisContext(_client, request, contextId));
    }

    private static TtsServiceOptions ToServiceOptions(AsyncAIHttpTtsServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForPipeline();
        return new TtsServiceOptions
        {
            AggregationMode = options.AggregateSentences ? TextAggregationMode.Sentence : TextAggregationMode.Token,
            SampleRate = options.SampleRate,
            PushTextFrames = true,
            PauseFrameProcessing = false,
        };
    }

    private static TtsSettings ToSettings(AsyncAIHttpTtsServiceOptions options) =>
        new(options.Model, options.VoiceId, options.Params?.Language is { } language ? AsyncAILanguages.ToAsyncCode(language) : null);

    /// <summary>One turn: sentences are streamed one request at a time, their audio forwarded as it arrives.</summary>
    private sealed class HttpSynthesisContext(AsyncAIHttpClient client, AsyncAIHttpRequestOptions request, string contextId) : TtsSynthesisContext(contextId)
    {
        private readonly Channel<object> _items = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

        // Cancelled by an interruption or disposal: a sentence may be streamed inside an uninterruptible frame (the
        // EndFrame's flush), whose own token an interruption does not cancel, and its request must stop all the same.
        private readonly CancellationTokenSource _stopped = new();
        private TaskCompletionSource? _consumed;
        private bool _audioWritten;
        private bool _failed;

        public override bool AcceptsText => !_failed;

        public override async ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(text) || _failed)
            {
                // A whitespace token (token mode) only separates words, and each request is synthesized on its own;
                // after a failure the context's stream is ending with it (the service sends the rest of the turn to a
                // new context, see AcceptsText).
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
            try
            {
                await foreach (var chunk in client.StreamAsync(text, request, linked.Token).ConfigureAwait(false))
                {
                    _audioWritten |= _items.Writer.TryWrite(chunk);
                }

                // Return once the reader has taken this sentence's audio, so its TtsTextFrame lands after it.
                var consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _consumed, consumed);
                if (!_items.Writer.TryWrite(consumed))
                {
                    return; // interrupted or completed meanwhile
                }

                await consumed.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Interrupted or disposed: the context's audio is dropped anyway, and an interruption is no error.
            }
            catch (Exception ex) when (ex is not OperationCanceledException && _audioWritten)
            {
                // Failed after some of the context's audio arrived (a quota running out, a dropped connection): that
                // audio still plays, then the error ends the context's stream in order (ErrorFrame, TtsStoppedFrame).
                // Thrown from here instead, the context would fail at once and drop the audio still on its way out.
                _failed = true;
                _items.Writer.TryComplete(ex);
            }
        }

        public override ValueTask CompleteInputAsync(CancellationToken cancellationToken = default)
        {
            _items.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public override ValueTask InterruptAsync(CancellationToken cancellationToken = default) => new(StopAsync());

        public override async IAsyncEnumerable<AudioChunk> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var item in _items.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (item)
                {
                    case AudioChunk chunk:
                        yield return chunk;
                        break;
                    case TaskCompletionSource consumed:
                        consumed.TrySetResult();
                        break;
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>Ends the audio stream, releases a sentence waiting for its audio to be read, and cancels its request.</summary>
        private Task StopAsync()
        {
            _items.Writer.TryComplete();
            Volatile.Read(ref _consumed)?.TrySetResult();
            return _stopped.CancelAsync();
        }
    }
}
