using System.Buffers.Binary;
using System.Collections.Concurrent;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

/// <summary>Shared helpers for the WebSocket client tests: options against an emulator, bounded waits, audio checks.</summary>
internal static class WebSocketTestSupport
{
    /// <summary>The emulator's built-in default voice (its catalogue accepts only known voice ids).</summary>
    public const string VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

    public const string ApiKey = "sk_test_7f3a9c1e5b2d4f6a8c0e";

    /// <summary>Generous: a loaded 2-core machine must not flake; a hang still fails in bounded time.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static AsyncAIWebSocketOptions Options(Uri url, Action<AsyncAIWebSocketOptions>? configure = null)
    {
        var options = new AsyncAIWebSocketOptions { ApiKey = ApiKey, VoiceId = VoiceId, Url = url };
        configure?.Invoke(options);
        return options;
    }

    public static Uri WithFaults(Uri url, string faults) => new(url + "?emulator_fault=" + faults);

    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? limit = null)
    {
        try
        {
            return await task.WaitAsync(limit ?? Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }
    }

    public static async Task Within(Task task, string what, TimeSpan? limit = null)
    {
        try
        {
            await task.WaitAsync(limit ?? Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }
    }

    /// <summary>Reads a context's whole audio stream (bounded in time), returning the concatenated bytes and chunk sizes.</summary>
    public static Task<(byte[] Audio, List<int> ChunkSizes)> ReadAllAsync(AsyncAIWebSocketContext context) =>
        Within(ReadAllCoreAsync(context), $"the audio of context {context.Id} to end");

    private static async Task<(byte[] Audio, List<int> ChunkSizes)> ReadAllCoreAsync(AsyncAIWebSocketContext context)
    {
        var audio = new MemoryStream();
        var sizes = new List<int>();
        await foreach (var chunk in context.ReadAudioAsync())
        {
            Assert.Equal(context.Id, chunk.ContextId);
            audio.Write(chunk.Audio.Span);
            sizes.Add(chunk.Audio.Length);
        }

        return (audio.ToArray(), sizes);
    }

    public static int ExpectedBytes(string text, AsyncAIEmulator emulator, int sampleRate = 24000) =>
        EmulatorAudio.ExpectedByteCount(text, sampleRate, "pcm_s16le", emulator.Options.SecondsPerCharacter);

    /// <summary>
    /// Asserts that s16 audio is one unbroken 440 Hz tone, which is what the emulator sends for one transcript: a sine
    /// obeys x[n+1] = 2·cos(ω)·x[n] − x[n−1], so a reordered, duplicated, missing or foreign chunk breaks the recurrence
    /// by roughly the tone's amplitude (~3300) while table and rounding error stay far below the tolerance.
    /// </summary>
    public static void AssertContinuousTone(byte[] audio, int sampleRate = 24000)
    {
        Assert.True(audio.Length % 2 == 0, "s16 audio must hold whole samples");
        var samples = new short[audio.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(audio.AsSpan(i * 2));
        }

        var k = 2 * Math.Cos(2 * Math.PI * 440 / sampleRate);
        for (var n = 1; n + 1 < samples.Length; n++)
        {
            var residual = samples[n + 1] - (k * samples[n]) + samples[n - 1];
            Assert.True(Math.Abs(residual) < 60, $"audio discontinuity at sample {n} (residual {residual:F0}): chunks out of order or mixed");
        }
    }
}

/// <summary>Captures every log entry (message, state values, exception text) for assertions.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = $"{logLevel} {eventId.Id} {formatter(state, exception)}";
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
            }

            if (exception is not null)
            {
                text += " | " + exception;
            }

            owner.Entries.Enqueue(text);
        }
    }
}

/// <summary>
/// A fake clock that also says when a timer with a given due time is created: the completion timer is armed once the end
/// of input has been written, which the emulator may journal before the client gets there.
/// </summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _created = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Completion)> _waiters = [];

    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_lock)
        {
            if (_created.Contains(dueTime))
            {
                return Task.CompletedTask;
            }

            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, completion));
            return completion.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _created.Add(dueTime);
            foreach (var waiter in _waiters.Where(w => w.DueTime == dueTime))
            {
                waiter.Completion.TrySetResult();
            }
        }

        return timer;
    }
}
