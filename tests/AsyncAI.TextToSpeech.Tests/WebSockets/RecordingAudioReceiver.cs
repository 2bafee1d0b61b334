using AsyncAI.TextToSpeech.WebSockets.Internal;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>
/// An <see cref="IContextAudioReceiver"/> that records what a context pushes, under its own lock, and lets a test await
/// chunk counts, byte counts and the end. It also flags audio that arrives after the test said no more may come.
/// </summary>
internal sealed class RecordingAudioReceiver : IContextAudioReceiver
{
    private readonly Lock _lock = new();
    private readonly List<AudioChunk> _chunks = [];
    private readonly List<(Func<bool> Condition, TaskCompletionSource Completion)> _waiters = [];
    private readonly TaskCompletionSource<AsyncAIException?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private int _endedCount;
    private int _audioAfterEnd;
    private bool _closed;
    private long _bytesAfterClosed;
    private long _bytesAtEnd = -1;

    /// <summary>Gets a task with the error passed to the first <see cref="OnEnded"/> (null for a normal end).</summary>
    public Task<AsyncAIException?> Ended => _ended.Task;

    public int EndedCount
    {
        get
        {
            lock (_lock)
            {
                return _endedCount;
            }
        }
    }

    public int AudioAfterEnd
    {
        get
        {
            lock (_lock)
            {
                return _audioAfterEnd;
            }
        }
    }

    public long BytesAfterClosed
    {
        get
        {
            lock (_lock)
            {
                return _bytesAfterClosed;
            }
        }
    }

    /// <summary>Gets how many bytes had been received when the first <see cref="OnEnded"/> came (-1 before).</summary>
    public long BytesAtEnd
    {
        get
        {
            lock (_lock)
            {
                return _bytesAtEnd;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public IReadOnlyList<AudioChunk> Chunks
    {
        get
        {
            lock (_lock)
            {
                return [.. _chunks];
            }
        }
    }

    public byte[] Audio()
    {
        var audio = new MemoryStream();
        foreach (var chunk in Chunks)
        {
            audio.Write(chunk.Audio.Span);
        }

        return audio.ToArray();
    }

    /// <summary>From now on every chunk counts as a violation (call it right after InterruptAsync returned).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    public Task WaitForChunksAsync(int count) => WaitAsync(() => _chunks.Count >= count);

    public Task WaitForBytesAsync(long bytes) => WaitAsync(() => _bytes >= bytes);

    /// <summary>Waits for a chunk stamped at or after <paramref name="timestamp"/> (a TimeProvider timestamp).</summary>
    public Task WaitForChunkStampedAtOrAfterAsync(long timestamp) => WaitAsync(() => _chunks.Count > 0 && _chunks[^1].ArrivalTimestamp >= timestamp);

    void IContextAudioReceiver.OnAudio(AudioChunk chunk)
    {
        lock (_lock)
        {
            if (_endedCount > 0)
            {
                _audioAfterEnd++;
            }

            if (_closed)
            {
                _bytesAfterClosed += chunk.Audio.Length;
            }

            _chunks.Add(chunk);
            _bytes += chunk.Audio.Length;
            ReleaseWaitersLocked();
        }
    }

    void IContextAudioReceiver.OnEnded(AsyncAIException? error)
    {
        lock (_lock)
        {
            if (_endedCount++ == 0)
            {
                _bytesAtEnd = _bytes;
            }
        }

        _ended.TrySetResult(error);
    }

    private Task WaitAsync(Func<bool> condition)
    {
        lock (_lock)
        {
            if (condition())
            {
                return Task.CompletedTask;
            }

            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, completion));
            return completion.Task;
        }
    }

    private void ReleaseWaitersLocked()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Condition())
            {
                _waiters[i].Completion.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
