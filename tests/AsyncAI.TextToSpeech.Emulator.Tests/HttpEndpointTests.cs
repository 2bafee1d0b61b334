using System.Net;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class HttpEndpointTests
{
    [Fact]
    public async Task Streaming_ReturnsExpectedRawBytes()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts("Stream me please", encoding: "pcm_mulaw", sampleRate: 8000)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Stream me please", 8000, AudioEncodings.PcmMulaw, 0.05), bytes.Length);
    }

    [Fact]
    public async Task MissingKey_Returns401WithDetailBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator, key: null);

        using var response = await client.PostAsync("/text_to_speech/streaming", Http.Json(Http.Tts()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("INVALID_API_KEY", detail.GetProperty("error_code").GetString());
    }
}
