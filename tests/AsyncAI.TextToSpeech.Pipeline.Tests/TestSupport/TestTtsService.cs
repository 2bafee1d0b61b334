using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Services;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>How the test double's contexts behave.</summary>
public enum TestTtsBehaviour
{
    /// <summary>Sends return at once; audio for each text follows; the stream ends at the end of input (like Async's WebSocket).</summary>
    WebSocketLike,

    /// <summary>A send returns once its audio has been consumed (like Async's HTTP streaming).</summary>
    HttpLike,

    /// <summary>No audio; the stream ends at the end of input.</summary>
    Silent,

    /// <summary>Audio only when the test calls <see cref="TestTtsContext.EmitAudio"/>; the stream ends when the test calls <see cref="TestTtsContext.End"/>.</summary>
    Manual,
}

/// <summary>The abstract TtsService's own test double: deterministic audio, 2 bytes (one sample) per non-space character.</summary>
internal sealed class TestTtsService : TtsService
{
    public TestTtsService(TestTtsBehaviour behaviour = TestTtsBehaviour.WebSocketLike, TtsServiceOptions? options = null, TtsSettings? settings = null)
        : base(options ?? new TtsServiceOptions(), settings ?? new TtsSettings("model-1", "voice-1", "en"))
    {
        Behaviour = behaviour;
    }

    private readonly ConcurrentDictionary<int, TaskCompletionSource<TestTtsContext>> _opened = new();

    public TestTtsBehaviour Behaviour { get; set; }

    public bool ProcessingMetricsSupported { get; set; } = true;

    public Func<string, Exception?>? FailOpen { get; set; }

    /// <summary>
    /// Gets or sets a task each open waits for first; given the open's token, which it may honour (a connect) or ignore
    /// (a provider whose open cannot be stopped).
    /// </summary>
    public Func<string, CancellationToken, Task>? HoldOpen { get; set; }

    /// <summary>Gets or sets a task each context's <c>InterruptAsync</c> waits for (a close_context on a busy socket).</summary>
    public Func<Task>? HoldInterrupt { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, TestTtsContext> Contexts { get; } = new();

    public List<TestTtsContext> ContextsInOrder { get; } = [];

    public TaskCompletionSource<TestTtsContext> FirstContextOpened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override bool SupportsProcessingMetrics => ProcessingMetricsSupported;

    public static int ExpectedBytes(string text) => text.Count(c => !char.IsWhiteSpace(c)) * 2;

    public Task<TestTtsContext> WaitForContextAsync(int index) => Opened(index).Task.WaitAsync(PipelineHarness.Timeout);

    protected override ValueTask StartServiceAsync(StartFrame frame, CancellationToken cancellationToken)
    {
        Calls.Enqueue("start");
        OnConnected();
        return ValueTask.CompletedTask;
    }

    protected override ValueTask StopServiceAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("stop");
        OnDisconnected();
        return ValueTask.CompletedTask;
    }

    protected override ValueTask<TtsSynthesisContext> CreateContextAsync(string contextId, TtsSettings settings, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"open:{contextId}");
        return HoldOpen is { } hold ? OpenAfterAsync(hold(contextId, cancellationToken), contextId, settings) : ValueTask.FromResult<TtsSynthesisContext>(Open(contextId, settings));
    }

    private async ValueTask<TtsSynthesisContext> OpenAfterAsync(Task held, string contextId, TtsSettings settings)
    {
        await held;
        return Open(contextId, settings);
    }

    private TestTtsContext Open(string contextId, TtsSettings settings)
    {
        if (FailOpen?.Invoke(contextId) is { } failure)
        {
            throw failure;
        }

        var context = new TestTtsContext(this, contextId, settings);
        Contexts[contextId] = context;
        int index;
        lock (ContextsInOrder)
        {
            index = ContextsInOrder.Count;
            ContextsInOrder.Add(context);
        }

        Opened(index).TrySetResult(context);

        FirstContextOpened.TrySetResult(context);
        return context;
    }

    private TaskCompletionSource<TestTtsContext> Opened(int index) =>
        _opened.GetOrAdd(index, _ => new TaskCompletionSource<TestTtsContext>(TaskCreationOptions.RunContinuationsAsynchronously));
}

internal sealed class TestTtsContext : TtsSynthesisContext
{
    private readonly TestTtsService _service;
    private readonly Channel<object> _items = Channel.CreateUnbounded<object>();

    public TestTtsContext(TestTtsService service, string contextId, TtsSettings settings)
        : base(contextId)
    {
        _service = service;
        Settings = settings;
    }

    public TtsSettings Settings { get; }

    public ConcurrentQueue<string> Texts { get; } = new();

    public TaskCompletionSource InputCompleted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Interrupted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? FailStreamWith { get; set; }

    public void EmitAudio(int bytes) => _items.Writer.TryWrite(Chunk(new byte[bytes]));

    public void End() => _items.Writer.TryComplete();

    public void Fail(Exception exception) => _items.Writer.TryComplete(exception);

    public override async ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        _service.Calls.Enqueue($"send:{ContextId}:{text}");
        Texts.Enqueue(text);
        switch (_service.Behaviour)
        {
            case TestTtsBehaviour.WebSocketLike:
                WriteAudioFor(text);
                break;
            case TestTtsBehaviour.HttpLike:
                WriteAudioFor(text);
                var consumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _items.Writer.TryWrite(consumed);
                await consumed.Task.WaitAsync(cancellationToken);
                break;
        }
    }

    public override ValueTask CompleteInputAsync(CancellationToken cancellationToken = default)
    {
        _service.Calls.Enqueue($"complete:{ContextId}");
        InputCompleted.TrySetResult();
        if (_service.Behaviour != TestTtsBehaviour.Manual)
        {
            _items.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask InterruptAsync(CancellationToken cancellationToken = default)
    {
        _service.Calls.Enqueue($"interrupt:{ContextId}");
        Interrupted.TrySetResult();
        if (_service.HoldInterrupt is { } hold)
        {
            await hold();
        }
    }

    public override async IAsyncEnumerable<AudioChunk> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in _items.Reader.ReadAllAsync(cancellationToken))
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

    public override ValueTask DisposeAsync()
    {
        _service.Calls.Enqueue($"dispose:{ContextId}");
        Disposed.TrySetResult();
        return base.DisposeAsync();
    }

    private void WriteAudioFor(string text)
    {
        var bytes = TestTtsService.ExpectedBytes(text);
        if (bytes == 0)
        {
            return;
        }

        // Two chunks per text, so "several audio frames" is exercised.
        var first = bytes / 4 * 2;
        if (first > 0)
        {
            _items.Writer.TryWrite(Chunk(new byte[first]));
        }

        _items.Writer.TryWrite(Chunk(new byte[bytes - first]));
    }

    private AudioChunk Chunk(byte[] audio) => new(audio, _service.SampleRate, 1, "pcm_s16le", ContextId, 0);
}
