using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.Testing;
using AsyncAI.TextToSpeech.Tests.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

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

    [Fact]
    public async Task SynthesizeAsync_Mp3BitRate128000_FramesCarryThatRateAndTheBodySendsIt()
    {
        // 44.1 kHz is MPEG-1, whose table has 128 kbit/s exactly, so the emulator does not round it.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RequestBodyRecorder();
        using var http = HttpTestKit.CreateHttpClient(handler: recorder);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.SampleRate = 44100; o.BitRate = 128000; }));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        var frames = Mp3FrameReader.ReadAll(audio.Audio.Span);
        Assert.All(frames, f => Assert.Equal(128000, f.BitRate));
        Assert.All(frames, f => Assert.Equal(44100, f.SampleRate));
        AssertPcmLength(emulator, frames, 44100);
        Assert.Equal(128000, recorder.Single.GetProperty("output_format").GetProperty("bit_rate").GetInt32());
    }

    [Fact]
    public async Task StreamAsync_Mp3PerCallBitRate_BeatsTheClients_AndNullKeepsIt()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.SampleRate = 44100; o.BitRate = 320000; }));
        using var cts = HttpTestKit.TimeoutSource();

        var overridden = HttpTestKit.Concat(await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, new AsyncAIHttpRequestOptions { BitRate = 64000 }, cts.Token), cts.Token));
        var clients = HttpTestKit.Concat(await HttpTestKit.ReadAllAsync(client.StreamAsync(Text, new AsyncAIHttpRequestOptions(), cts.Token), cts.Token));

        Assert.All(Mp3FrameReader.ReadAll(overridden), f => Assert.Equal(64000, f.BitRate));
        Assert.All(Mp3FrameReader.ReadAll(clients), f => Assert.Equal(320000, f.BitRate));
    }

    [Fact]
    public async Task SynthesizeAsync_Mp3WithoutBitRate_NoneSentAndTheServiceDefaultApplies()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RequestBodyRecorder();
        using var http = HttpTestKit.CreateHttpClient(handler: recorder);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.SampleRate = 44100; }));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, cancellationToken: cts.Token);

        Assert.False(recorder.Single.GetProperty("output_format").TryGetProperty("bit_rate", out _), "null means the service's default: nothing is sent");
        Assert.All(Mp3FrameReader.ReadAll(audio.Audio.Span), f => Assert.Equal(192000, f.BitRate)); // the spec's default
    }

    [Theory]
    [InlineData(AudioContainers.Raw)]
    [InlineData(AudioContainers.Wav)]
    public async Task SynthesizeAsync_BitRateWithAPcmContainer_NotSent(string container)
    {
        // The client's container is mp3 with a bit rate; the call switches to raw or wav, which must not carry it.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var recorder = new RequestBodyRecorder();
        using var http = HttpTestKit.CreateHttpClient(handler: recorder);
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.BitRate = 128000; }));
        using var cts = HttpTestKit.TimeoutSource();

        var audio = await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { Container = container, BitRate = 96000 }, cts.Token);

        var format = recorder.Single.GetProperty("output_format");
        Assert.Equal(container, format.GetProperty("container").GetString());
        Assert.False(format.TryGetProperty("bit_rate", out _), "bit_rate is for mp3 only (the spec: \"Use only with mp3\")");
        Assert.Equal(AudioEncodings.PcmS16Le, format.GetProperty("encoding").GetString());
        Assert.Equal(container, audio.Container);
    }

    [Fact]
    public async Task SynthesizeAsync_Mp3WithBitRate_TheDebugLogSaysWhichBitRateWasAskedFor()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        using var http = HttpTestKit.CreateHttpClient();
        var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator, o => { o.Container = AudioContainers.Mp3; o.SampleRate = 44100; }), loggerFactory);
        using var cts = HttpTestKit.TimeoutSource();

        await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { BitRate = 128000 }, cts.Token);
        await client.SynthesizeAsync(Text, new AsyncAIHttpRequestOptions { Container = AudioContainers.Raw }, cts.Token);

        var starts = logs.GetSnapshot().Where(r => r.Id.Id == 2001).Select(r => r.Message).ToList();
        Assert.Equal(2, starts.Count);
        Assert.EndsWith("mp3, mp3 bit rate 128000", starts[0], StringComparison.Ordinal);
        Assert.EndsWith("raw, mp3 bit rate (not mp3)", starts[1], StringComparison.Ordinal);
    }

    private static void AssertPcmLength(AsyncAIEmulator emulator, List<Mp3Frame> frames, int sampleRate)
    {
        var pcm = TimeSpan.FromSeconds((double)EmulatorAudio.SampleCount(Text, sampleRate, emulator.Options.SecondsPerCharacter) / sampleRate);
        Assert.InRange(Mp3FrameReader.Duration(frames), pcm, pcm + frames[0].Duration);
    }
}
