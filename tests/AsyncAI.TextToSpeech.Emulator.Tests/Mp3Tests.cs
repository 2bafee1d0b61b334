using System.Net;
using System.Text.Json;
using AsyncAI.TextToSpeech.Testing;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

/// <summary>The HTTP endpoints' mp3: silent Layer III frames whose headers follow the request, as long as the PCM for the same text.</summary>
public sealed class Mp3Tests
{
    private const string Text = "Twelve words of text make about three seconds of emulated audio here.";

    [Theory]
    [InlineData(44100, "128000", 128000, 1.0)] // MPEG-1 with padding (44.1 kHz does not divide evenly)
    [InlineData(48000, null, 192000, 1.0)]     // the spec's default bit rate
    [InlineData(32000, "320000", 320000, 1.0)]
    [InlineData(24000, "64000", 64000, 2.0)]   // MPEG-2
    [InlineData(22050, "32000", 32000, 2.0)]   // MPEG-2 with padding
    [InlineData(16000, "160000", 160000, 2.0)]
    [InlineData(12000, "48000", 48000, 2.5)]   // MPEG-2.5
    [InlineData(11025, "96000", 96000, 2.5)]
    [InlineData(8000, "32000", 32000, 2.5)]
    public async Task Sync_Mp3_FramesMatchTheRequestAndLastAsLongAsThePcm(int sampleRate, string? bitRate, int expectedBitRate, double expectedVersion)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(Text, container: "mp3", sampleRate: sampleRate, bitRate: bitRate)));
        var mp3 = await response.Content.ReadAsByteArrayAsync();
        var pcm = await (await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(Text, sampleRate: sampleRate)))).Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(mp3.Length, response.Content.Headers.ContentLength);
        var frames = Mp3FrameReader.ReadAll(mp3);
        Assert.All(frames, f =>
        {
            Assert.Equal(sampleRate, f.SampleRate);
            Assert.Equal(expectedBitRate, f.BitRate);
            Assert.Equal(expectedVersion, f.Version);
        });
        Assert.True(Mp3FrameReader.IsSilent(mp3, frames));

        // The PCM for the same text, rounded up to whole frames: never shorter, less than one frame longer.
        var pcmDuration = TimeSpan.FromSeconds(pcm.Length / 2.0 / sampleRate);
        var mp3Duration = Mp3FrameReader.Duration(frames);
        Assert.InRange(mp3Duration, pcmDuration, pcmDuration + frames[0].Duration - TimeSpan.FromTicks(1));

        // The frame lengths average out to the bit rate (padding where the division leaves a remainder).
        Assert.InRange(mp3.Length * 8 / mp3Duration.TotalSeconds, expectedBitRate * 0.995, expectedBitRate * 1.005);
        Assert.Equal(sampleRate % 1000 != 0, frames.Any(f => f.Padding));
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(24000)]
    [InlineData(8000)]
    public async Task Sync_Mp3_AnMpegDecoderReadsItAsSilenceOfTheFramesLength(int sampleRate)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var mp3 = await (await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(Text, container: "mp3", sampleRate: sampleRate)))).Content.ReadAsByteArrayAsync();

        // NLayer is a decoder of its own (a port of JavaLayer): it must sync on every frame and decode all of them.
        using var decoder = new NLayer.MpegFile(new MemoryStream(mp3));
        var samples = new float[4096];
        long decoded = 0;
        var loudest = 0f;
        for (int read; (read = decoder.ReadSamples(samples, 0, samples.Length)) > 0; decoded += read)
        {
            foreach (var sample in samples.AsSpan(0, read))
            {
                loudest = Math.Max(loudest, Math.Abs(sample));
            }
        }

        Assert.Equal(sampleRate, decoder.SampleRate);
        Assert.Equal(1, decoder.Channels);
        Assert.Equal(Mp3FrameReader.ReadAll(mp3).Sum(f => f.Samples), decoded);
        Assert.True(decoded >= EmulatorAudio.SampleCount(Text, sampleRate, emulator.Options.SecondsPerCharacter));
        Assert.Equal(0f, loudest);
    }

    [Theory]
    [InlineData(24000, null, 160000)]     // the default 192000 is above MPEG-2's highest Layer III rate
    [InlineData(44100, "100000", 96000)]  // between two rates: the nearer
    [InlineData(44100, "104000", 96000)]  // half-way: the lower, as LAME picks
    [InlineData(16000, "320000", 160000)]
    [InlineData(8000, "33000", 32000)]
    public async Task Sync_Mp3_BitRateBetweenLayerIIIRates_TakesTheNearest(int sampleRate, string? bitRate, int expectedBitRate)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts("abc", container: "mp3", sampleRate: sampleRate, bitRate: bitRate)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(Mp3FrameReader.ReadAll(await response.Content.ReadAsByteArrayAsync()), f => Assert.Equal(expectedBitRate, f.BitRate));
    }

    [Fact]
    public async Task Streaming_Mp3_WholeFramesInEveryChunk_SameBytesAsTheSyncEndpoint()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        var body = Http.Tts(Text, container: "mp3", sampleRate: 44100, bitRate: "128000");

        var streamed = await RawHttp.SendAsync(emulator, "POST /text_to_speech/streaming HTTP/1.1\nx-api-key: k\nversion: v1\n", body);
        var whole = await (await client.PostAsync("/text_to_speech", Http.Json(body))).Content.ReadAsByteArrayAsync();

        Assert.Equal(200, streamed.Status);
        Assert.Equal("application/octet-stream", streamed.Headers["content-type"]);
        Assert.Equal(whole, streamed.Body);
        var frames = Mp3FrameReader.ReadAll(streamed.Body);

        // One write per 20 ms chunk that completed a frame: a 26 ms frame (1152 samples at 44.1 kHz) lands in all but
        // about one chunk in four, and every write holds whole frames.
        var chunks = (int)Math.Ceiling(Mp3FrameReader.Duration(frames) / TimeSpan.FromMilliseconds(20));
        Assert.InRange(streamed.ChunkSizes.Count, frames.Count - 2, frames.Count);
        Assert.True(streamed.ChunkSizes.Count < chunks, $"{streamed.ChunkSizes.Count} writes for {chunks} chunks of 20 ms");
        var offset = 0;
        foreach (var size in streamed.ChunkSizes)
        {
            Assert.NotEmpty(Mp3FrameReader.ReadAll(streamed.Body.AsSpan(offset, size)));
            offset += size;
        }
    }

    [Fact]
    public async Task Streaming_Mp3_LargeChunks_SeveralFramesPerWriteAndTheRestAtTheEnd()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ChunkDuration = TimeSpan.FromMilliseconds(100) });

        // "abc": 150 ms of PCM at 16 kHz = 2400 samples in chunks of 1600 and 800. Frames hold 576 samples: the first
        // chunk completes 2 (1152 samples), the last brings the total to 2400 samples, rounded up to 5 frames.
        var response = await RawHttp.SendAsync(emulator, "POST /text_to_speech/streaming HTTP/1.1\nx-api-key: k\nversion: v1\n",
            Http.Tts("abc", container: "mp3", sampleRate: 16000, bitRate: "64000"));

        Assert.Equal(200, response.Status);
        var frameLength = 72 * 64000 / 16000; // 288 bytes, no padding at 16 kHz
        Assert.Equal([2 * frameLength, 3 * frameLength], response.ChunkSizes);
        Assert.Equal(5, Mp3FrameReader.ReadAll(response.Body).Count);
    }

    [Fact]
    public async Task Streaming_Mp3_QuotaMarkerAfterTheGivenBytes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech/streaming")
        {
            Content = Http.Json(Http.Tts(Text, container: "mp3", sampleRate: 24000)),
        };
        request.Headers.Add("x-emulator-fault", "quota-after:1000");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("--ERROR:QUOTA_EXCEEDED--"u8.ToArray(), body[1000..]);
        Assert.Equal(0xFF, body[0]);
    }

    [Fact]
    public async Task WithTimestamps_Mp3_AudioIsFramesAndTheAlignmentEndsWithinTheLastFrame()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech/with_timestamps", Http.Json(Http.Tts("Welcome to Async", container: "mp3", sampleRate: 24000)));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = Mp3FrameReader.ReadAll(Convert.FromBase64String(body.GetProperty("audio_base64").GetString()!));
        Assert.All(frames, f => Assert.Equal(24000, f.SampleRate));
        var lastEnd = TimeSpan.FromMilliseconds(body.GetProperty("alignment").GetProperty("word_end_times_milliseconds")[2].GetDouble());
        Assert.Equal(TimeSpan.FromMilliseconds(700), lastEnd); // 14 characters × 50 ms
        Assert.InRange(Mp3FrameReader.Duration(frames) - lastEnd, TimeSpan.Zero, frames[0].Duration);
    }

    [Fact]
    public async Task Sync_Mp3_OnlyWhitespace_EmptyBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts("   ", container: "mp3")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
