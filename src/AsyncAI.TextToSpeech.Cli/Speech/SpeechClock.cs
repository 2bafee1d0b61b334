using System.Diagnostics;

namespace AsyncAI.TextToSpeech.Cli.Speech;

/// <summary>Measures the time from the first text sent to the first audio chunk received.</summary>
internal sealed class SpeechClock
{
    private long _startTimestamp;

    /// <summary>Gets the time to first audio, once audio has arrived.</summary>
    public TimeSpan? TimeToFirstAudio { get; private set; }

    /// <summary>Records the moment the first text is sent; later calls are ignored.</summary>
    public void MarkTextSent()
    {
        if (_startTimestamp == 0)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Records a chunk's arrival (a <see cref="TimeProvider.System"/> timestamp, the clients' default clock).</summary>
    public void MarkAudio(AudioChunk chunk)
    {
        if (TimeToFirstAudio is null && _startTimestamp != 0)
        {
            var elapsed = Stopwatch.GetElapsedTime(_startTimestamp, chunk.ArrivalTimestamp);
            TimeToFirstAudio = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        }
    }
}
