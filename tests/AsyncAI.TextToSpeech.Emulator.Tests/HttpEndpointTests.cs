using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class HttpEndpointTests
{
    [Fact]
    public async Task Streaming_ReturnsChunkedRawBytes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts("Stream me please", encoding: "pcm_mulaw", sampleRate: 8000)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.TransferEncodingChunked);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Stream me please", 8000, AudioEncodings.PcmMulaw, 0.05), bytes.Length);
    }

    [Fact]
    public async Task Streaming_WritesOneChunkPerAudioChunk()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var response = await RawHttp.SendAsync(emulator, "POST /text_to_speech/streaming HTTP/1.1\nx-api-key: k\nversion: v1\n", Http.Tts("abc", sampleRate: 16000));

        Assert.Equal(200, response.Status);
        Assert.Equal([.. Enumerable.Repeat(640, 7), 320], response.ChunkSizes); // 3 chars × 0.05 s = 150 ms = 7 × 20 ms + 10 ms at 16 kHz s16
    }

    [Fact]
    public async Task Streaming_MatchesSyncAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var streamed = await (await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts("Same text", encoding: "pcm_f32le")))).Content.ReadAsByteArrayAsync();
        var whole = await (await client.PostAsync("/text_to_speech", Http.Json(Http.Tts("Same text", encoding: "pcm_f32le")))).Content.ReadAsByteArrayAsync();

        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task Streaming_HonoursPacing()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var client = Http.Client(emulator);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var bytes = await (await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts("abcdefgh")))).Content.ReadAsByteArrayAsync();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"took {stopwatch.Elapsed}"); // 0.4 s of audio
        Assert.Equal(EmulatorAudio.ExpectedByteCount("abcdefgh", 24000, "pcm_s16le", 0.05), bytes.Length);
    }

    [Fact]
    public async Task Streaming_ClientGoesAway_GenerationStopsAtOnce()
    {
        // 60 s of paced audio; the request must end (and be journaled) as soon as the client hangs up, not a minute later.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var client = Http.Client(emulator);
        var transcript = new string('a', 1200);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech/streaming") { Content = Http.Json(Http.Tts(transcript)) })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.True(await body.ReadAsync(new byte[64]) > 0);
        }

        var done = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest).WaitAsync(RawSocket.Timeout);
        Assert.Equal(EmulatorEventKind.HttpRequest, done.Kind);
    }

    [Fact]
    public async Task Sync_Raw_ReturnsWholeBodyWithLength()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts("Hello", sampleRate: 22050)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var expected = EmulatorAudio.ExpectedByteCount("Hello", 22050, "pcm_s16le", 0.05);
        Assert.Equal(expected, response.Content.Headers.ContentLength);
        Assert.Equal(expected, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("pcm_s16le", 44100, 1, 16)]
    [InlineData("pcm_f32le", 16000, 3, 32)]
    public async Task Sync_Wav_HasCorrectHeader(string encoding, int sampleRate, int formatTag, int bits)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts("Hello wav", container: "wav", encoding: encoding, sampleRate: sampleRate)));
        var wav = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        var dataBytes = EmulatorAudio.ExpectedByteCount("Hello wav", sampleRate, encoding, 0.05);
        Assert.Equal(44 + dataBytes, wav.Length);
        Assert.Equal("RIFF"u8.ToArray(), wav[..4]);
        Assert.Equal(36 + dataBytes, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal("WAVEfmt "u8.ToArray(), wav[8..16]);
        Assert.Equal(formatTag, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22)));
        Assert.Equal(sampleRate, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(sampleRate * bits / 8, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(28)));
        Assert.Equal(bits, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal("data"u8.ToArray(), wav[36..40]);
        Assert.Equal(dataBytes, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40)));
    }

    [Fact]
    public async Task WithTimestamps_AlignmentMatchesAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech/with_timestamps", Http.Json(Http.Tts("Welcome to  Async", sampleRate: 16000)));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audio = Convert.FromBase64String(body.GetProperty("audio_base64").GetString()!);
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Welcome to Async", 16000, "pcm_s16le", 0.05), audio.Length);
        var alignment = body.GetProperty("alignment");
        Assert.Equal(["Welcome", "to", "Async"], alignment.GetProperty("words").EnumerateArray().Select(w => w.GetString()!));
        Assert.Equal([0, 350, 450], alignment.GetProperty("word_start_times_milliseconds").EnumerateArray().Select(w => w.GetDouble()));
        Assert.Equal([350, 450, 700], alignment.GetProperty("word_end_times_milliseconds").EnumerateArray().Select(w => w.GetDouble()));
        Assert.Equal(audio.Length / 2 / 16.0, alignment.GetProperty("word_end_times_milliseconds")[2].GetDouble());
    }

    [Fact]
    public async Task WithTimestamps_Wav_EncodesHeaderInBase64()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech/with_timestamps", Http.Json(Http.Tts("Hi", container: "wav")));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var audio = Convert.FromBase64String(body.GetProperty("audio_base64").GetString()!);
        Assert.Equal("RIFF"u8.ToArray(), audio[..4]);
    }

    [Fact]
    public async Task UnknownPath_Returns404_AndWrongMethod405()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var missing = await client.GetAsync("/nope");
        using var wrongMethod = await client.GetAsync("/text_to_speech");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task HttpRequests_AreJournaled()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts()));

        var e = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.HttpRequest).WaitAsync(RawSocket.Timeout);
        Assert.Equal("POST /text_to_speech 200", e.Detail);
    }
}
