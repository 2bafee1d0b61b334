using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.Testing;
using AsyncAI.TextToSpeech.Tests.AI;

namespace AsyncAI.TextToSpeech.Tests.Http;

/// <summary>mp3 end to end against the emulator, which sends silent MPEG Layer III frames.</summary>
public class AsyncAIHttpClientMp3Tests
{
    private const string Text = "An mp3 stream is cut on bytes, not on samples or frames.";

    [Fact]
    public async Task StreamAsync_Mp3CutAtOddOffsets_EveryByteInOrder_SameAsSynthesizeAsync()
    {
        // 44.1 kHz: frames are 626 or 627 bytes (padding), so the byte pattern shows any byte lost, doubled or reordered.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RequestBodyRecorder();
        using var choppyHttp = HttpTestKit.CreateHttpClient(fault: "http-chunk:333", handler: recorder);
        using var plainHttp = HttpTestKit.CreateHttpClient();
        var options = HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.SampleRate = 44100; });
        using var cts = HttpTestKit.TimeoutSource();

        var chunks = await HttpTestKit.ReadAllAsync(new AsyncAIHttpClient(choppyHttp, options).StreamAsync(Text, cancellationToken: cts.Token), cts.Token);
        var whole = await new AsyncAIHttpClient(plainHttp, options).SynthesizeAsync(Text, cancellationToken: cts.Token);

        var streamed = HttpTestKit.Concat(chunks);
        Assert.True(chunks.Count > 1, "odd-sized writes should arrive as several chunks");
        Assert.Contains(chunks, c => c.Audio.Length % 2 == 1); // mp3 is cut on bytes, not on 16-bit samples
        Assert.All(chunks, c =>
        {
            Assert.Equal("mp3", c.Encoding);
            Assert.Equal(44100, c.SampleRate);
        });
        Assert.Equal(whole.Audio.ToArray(), streamed);
        var frames = Mp3FrameReader.ReadAll(streamed);
        Assert.All(frames, f => Assert.Equal(44100, f.SampleRate));
        Assert.Contains(frames, f => f.Padding);
        Assert.Contains(frames, f => !f.Padding);
        AssertPcmLength(emulator, frames, 44100);

        var format = recorder.Single.GetProperty("output_format");
        Assert.Equal("mp3", format.GetProperty("container").GetString());
        Assert.False(format.TryGetProperty("encoding", out _), "the client sends no encoding with mp3 (the spec: ignored if mp3)");
    }

    [Fact]
    public async Task SynthesizeAsync_Mp3_AudioMpegFramesAndNoDuration()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => o.Container = AudioContainers.Mp3));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { SampleRate = 16000 }, cts.Token);

        Assert.Equal("mp3", audio.Container);
        Assert.Equal("audio/mpeg", audio.ContentType);
        Assert.Equal(16000, audio.SampleRate);
        Assert.Null(audio.Duration); // documented: null for mp3
        var frames = Mp3FrameReader.ReadAll(audio.Audio.Span);
        Assert.All(frames, f => Assert.Equal(16000, f.SampleRate));
        AssertPcmLength(emulator, frames, 16000);
    }

    private static void AssertPcmLength(AsyncAIEmulator emulator, List<Mp3Frame> frames, int sampleRate)
    {
        var pcm = TimeSpan.FromSeconds((double)EmulatorAudio.SampleCount(Text, sampleRate, emulator.Options.SecondsPerCharacter) / sampleRate);
        Assert.InRange(Mp3FrameReader.Duration(frames), pcm, pcm + frames[0].Duration);
    }
}
