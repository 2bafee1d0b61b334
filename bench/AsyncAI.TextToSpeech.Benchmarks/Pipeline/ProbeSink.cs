using System.Diagnostics;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;
using AsyncAI.TextToSpeech.Pipeline.Sinks;

namespace AsyncAI.TextToSpeech.Benchmarks.Pipeline;

/// <summary>
/// The measuring end of a benchmark pipeline: a real <see cref="AudioOutputSink"/> (its own data loop, bot-speaking
/// frames, silence timer) that discards the audio and timestamps it instead.
/// </summary>
/// <remarks>
/// Per turn (one <see cref="TtsSpeakFrame"/> → one TTS context) it records when the first audio frame reached the sink
/// and the <i>lateness</i> of every chunk: its arrival minus the time it would be due if playback started with the first
/// chunk and ran in real time (first arrival + the audio duration of the chunks before it). The last chunk's lateness and
/// the worst chunk's lateness are kept. No allocation per chunk.
/// </remarks>
internal sealed class ProbeSink : AudioOutputSink
{
    private readonly int _bytesPerSecond;
    private TaskCompletionSource<TurnResult> _turn = NewTurn();
    private long _firstAudio;
    private long _jitAtFirstAudio;
    private int _gcAtFirstAudio;
    private long _bytes;
    private long _chunks;
    private double _maxLatenessMs;
    private double _lastLatenessMs;

    public ProbeSink(int sampleRate)
        : base(name: "ProbeSink")
    {
        _bytesPerSecond = sampleRate * 2;
    }

    /// <summary>Completes when the current turn's <see cref="TtsStoppedFrame"/> reaches the sink.</summary>
    public Task<TurnResult> Turn => Volatile.Read(ref _turn).Task;

    /// <summary>Gets the audio bytes written over the sink's life.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Starts a new turn; call before queueing its <see cref="TtsSpeakFrame"/>.</summary>
    public Task<TurnResult> BeginTurn()
    {
        var turn = NewTurn();
        Volatile.Write(ref _turn, turn);
        return turn.Task;
    }

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        TurnResult? finished = null;
        if (direction == FrameDirection.Downstream)
        {
            switch (frame)
            {
                case TtsAudioRawFrame audio:
                    OnAudio(audio.Audio.Length);
                    break;
                case TtsStoppedFrame:
                    finished = new TurnResult(_firstAudio, _bytes, _chunks, _lastLatenessMs, _maxLatenessMs, _jitAtFirstAudio, _gcAtFirstAudio);
                    _firstAudio = 0;
                    _bytes = 0;
                    _chunks = 0;
                    _maxLatenessMs = 0;
                    _lastLatenessMs = 0;
                    break;
            }
        }

        await base.ProcessFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);

        // After the base has pushed BotStoppedSpeaking upstream, which lifts the WebSocket service's pause.
        if (finished is not null)
        {
            Volatile.Read(ref _turn).TrySetResult(finished);
        }
    }

    protected override ValueTask WriteAudioAsync(TtsAudioRawFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private void OnAudio(int length)
    {
        var now = Stopwatch.GetTimestamp();
        if (_chunks == 0)
        {
            _firstAudio = now;

            // So the harness can tell a first-audio window that a JIT compile or a gen-0 GC finished inside (two cheap
            // runtime counters, read once per turn).
            _jitAtFirstAudio = System.Runtime.JitInfo.GetCompiledMethodCount();
            _gcAtFirstAudio = GC.CollectionCount(0);
            _lastLatenessMs = 0;
        }
        else
        {
            var dueMs = _bytes * 1000.0 / _bytesPerSecond;
            _lastLatenessMs = Stopwatch.GetElapsedTime(_firstAudio, now).TotalMilliseconds - dueMs;
            _maxLatenessMs = Math.Max(_maxLatenessMs, _lastLatenessMs);
        }

        _chunks++;
        _bytes += length;
        TotalBytes += length;
    }

    private static TaskCompletionSource<TurnResult> NewTurn() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What the sink saw of one turn.</summary>
/// <param name="FirstAudioTimestamp">Stopwatch timestamp of the first audio frame (0 when none came).</param>
/// <param name="Bytes">Audio bytes.</param>
/// <param name="Chunks">Audio frames.</param>
/// <param name="LastChunkLatenessMs">The last chunk's lateness against real-time playback from the first chunk.</param>
/// <param name="MaxChunkLatenessMs">The worst chunk's lateness (the jitter buffer playback would have needed).</param>
internal sealed record TurnResult(long FirstAudioTimestamp, long Bytes, long Chunks, double LastChunkLatenessMs, double MaxChunkLatenessMs, long CompiledMethodsAtFirstAudio = 0, int Gen0CollectionsAtFirstAudio = 0);
