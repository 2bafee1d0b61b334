using System.Text;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;
using BenchmarkDotNet.Attributes;

namespace AsyncAI.TextToSpeech.Benchmarks.Protocol;

/// <summary>
/// One server audio message (pcm_s16le, 24 kHz, mono) from UTF-8 bytes to decoded PCM: the allocation-free
/// <see cref="ServerMessageReader"/> against the naive path (source-generated deserialization + Convert.FromBase64String).
/// </summary>
[MemoryDiagnoser]
public class AudioMessageReaderBenchmarks
{
    private const int SampleRate = 24_000;
    private const int BytesPerSample = 2;

    private byte[] _message = [];
    private byte[] _destination = [];

    /// <summary>Audio per message, in milliseconds: 20 ms (the emulator's default chunk) and 100 ms.</summary>
    [Params(20, 100)]
    public int ChunkMilliseconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var audio = new byte[SampleRate * BytesPerSample * ChunkMilliseconds / 1000];
        new Random(1234).NextBytes(audio);
        _message = Encoding.UTF8.GetBytes(
            $$"""{"context_id":"0b7e5f5a-2d7c-4a57-9e52-1f0c9a3b8e11","audio":"{{Convert.ToBase64String(audio)}}","final":false}""");
        _destination = new byte[ServerMessageReader.GetMaxAudioByteCount(_message.Length)];

        // Both paths must produce the same audio, or the comparison means nothing.
        if (Naive() != Reader() || !ServerMessageReader.Read(_message, _destination).Audio.SequenceEqual(audio))
        {
            throw new InvalidOperationException("The reader and the naive path disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonSerializer + Convert.FromBase64String")]
    public int Naive()
    {
        var message = JsonSerializer.Deserialize(_message, AsyncAIJsonContext.Default.AudioOutputMessage)!;
        var audio = Convert.FromBase64String(message.Audio!);
        return audio.Length + message.ContextId!.Length + (message.Final ? 1 : 0);
    }

    [Benchmark(Description = "ServerMessageReader.Read")]
    public int Reader()
    {
        var message = ServerMessageReader.Read(_message, _destination);
        return message.AudioByteCount + message.ContextIdUtf8.Length + (message.IsFinal ? 1 : 0);
    }
}
