using System.Net;
using System.Net.WebSockets;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class ValidationTests
{
    private const string Voice = VoiceCatalogue.DefaultVoiceId;

    public static TheoryData<string, string, int, string, string?> Cases => new()
    {
        { "/text_to_speech", Http.Tts(sampleRate: 7999), 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech", Http.Tts(sampleRate: 48001), 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech/streaming", Http.Tts(model: "async_flash_v9"), 400, "VALIDATION_ERROR", "model_id" },
        { "/text_to_speech", Http.Tts(encoding: "pcm_mulaw"), 400, "VALIDATION_ERROR", "output_format.encoding" },
        { "/text_to_speech/with_timestamps", Http.Tts(encoding: "pcm_alaw"), 400, "VALIDATION_ERROR", "output_format.encoding" },
        { "/text_to_speech/streaming", Http.Tts(container: "wav"), 400, "VALIDATION_ERROR", "output_format.container" },
        { "/text_to_speech", Http.Tts(container: "ogg"), 400, "VALIDATION_ERROR", "output_format.container" },
        { "/text_to_speech", Http.Tts(container: "mp3", sampleRate: 44000), 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech/streaming", Http.Tts(container: "mp3", sampleRate: 23999), 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech/with_timestamps", Http.Tts(container: "mp3", sampleRate: 7999), 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech", Http.Tts(container: "mp3", bitRate: "31999"), 400, "VALIDATION_ERROR", "output_format.bit_rate" },
        { "/text_to_speech/streaming", Http.Tts(container: "mp3", sampleRate: 44100, bitRate: "320001"), 400, "VALIDATION_ERROR", "output_format.bit_rate" },
        { "/text_to_speech/streaming", Http.Tts(container: "mp3", bitRate: "128000.5"), 400, "VALIDATION_ERROR", "output_format.bit_rate" },
        { "/text_to_speech/with_timestamps", Http.Tts(container: "mp3", bitRate: "\"128k\""), 400, "VALIDATION_ERROR", "output_format.bit_rate" },
        { "/text_to_speech", Http.Tts(language: "\"xx\""), 400, "INVALID_LANGUAGE", null },
        { "/text_to_speech/streaming", Http.Tts(model: "async_pro_v1.0", language: "\"de\""), 400, "INVALID_LANGUAGE", null },
        { "/text_to_speech", Http.Tts(voice: "11111111-2222-3333-4444-555555555555"), 404, "VOICE_NOT_FOUND", null },
        { "/text_to_speech", "{not json", 400, "VALIDATION_ERROR", null },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000}}""", 400, "VALIDATION_ERROR", "transcript" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"}}""", 400, "VALIDATION_ERROR", "output_format" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw"}}""", 400, "VALIDATION_ERROR", "output_format.sample_rate" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"name","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000}}""", 400, "VALIDATION_ERROR", "voice.mode" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000},"speed_control":3}""", 400, "VALIDATION_ERROR", "speed_control" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000},"stability":101}""", 400, "VALIDATION_ERROR", "stability" },
        { "/text_to_speech", $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000,"bit_rate":1}}""", 400, "VALIDATION_ERROR", "output_format.bit_rate" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task InvalidBody_ReturnsDocumentedError(string path, string body, int status, string errorCode, string? field)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync(path, Http.Json(body));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal(errorCode, detail.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(detail.GetProperty("message").GetString()));
        if (field is not null)
        {
            Assert.Equal(field, detail.GetProperty("extra").GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task VoiceNotFound_NamesTheVoice()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(voice: "missing-voice")));

        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("Requested voice with ID missing-voice not found.", detail.GetProperty("message").GetString());
        Assert.Equal("missing-voice", detail.GetProperty("extra").GetProperty("voice_id").GetString());
    }

    [Fact]
    public async Task UnknownFieldsAndNullLanguage_AreAccepted()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        var body = $$$"""{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"{{{Voice}}}"},"output_format":{"container":"raw","sample_rate":24000,"encoding":null},"language":null,"normalize":true,"speed_control":1.2,"stability":50,"future":{"a":1}}""";

        using var response = await client.PostAsync("/text_to_speech", Http.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SizeLimitTests
{
    [Fact]
    public async Task Sync_TranscriptTooLongForOneBody_Returns400()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { SecondsPerCharacter = 10 });
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(new string('a', 400), encoding: "pcm_f32le", sampleRate: 48000)));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("transcript", (await Http.ErrorDetailAsync(response)).GetProperty("extra").GetProperty("field").GetString());
    }

    [Fact]
    public async Task LoneSurrogateEscape_OverWebSocket_IsAValidationError_AndTheConnectionCarriesOn()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);

        // Valid JSON and valid UTF-8 on the wire, but JsonElement.GetString() throws InvalidOperationException on it:
        // the exception escaped the reader loop and the connection died.
        await ws.SendAsync("""{"context_id":"\ud800","transcript":"Hi "}""");
        var error = await ws.ReceiveAsync();
        Assert.NotNull(error);
        Assert.Equal("VALIDATION_ERROR", error.Value.GetProperty("error_code").GetString());

        await ws.SendAsync("""{"context_id":"c","transcript":"Hi "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");
        var collected = await ws.CollectUntilFinalAsync("c");
        Assert.Equal(["c"], collected.Finals);
    }

    [Fact]
    public async Task LoneSurrogateEscape_OverHttp_Is400ValidationError()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(
            """{"model_id":"async_flash_v1.0","transcript":"x","voice":{"mode":"id","id":"\ud800"},"output_format":{"container":"raw","sample_rate":24000}}"""));

        // JsonElement.GetString() throws InvalidOperationException on "\ud800"; that must not become a bare 500.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error_code").GetString());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task NonObjectFirstFrame_IsABadInit_ErrorThenClose1008(string frame)
    {
        // docs/emulator.md: "bad first frame (not JSON, not an init, …) → error message … then close 1008".
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, init: false);

        await ws.SendAsync(frame);

        var error = await ws.ReceiveAsync();
        Assert.NotNull(error);
        Assert.Equal("VALIDATION_ERROR", error.Value.GetProperty("error_code").GetString());
        Assert.Null(await ws.ReceiveAsync(TimeSpan.FromSeconds(5))); // the close frame
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task OversizeHttpBody_Is413WithAValidationErrorBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        // Expect: 100-continue, so the body is sent only if the server asks for it: the 413 comes from the body's declared
        // length, and a client still writing 1.1 MB after the server answered and closed could fail with a broken pipe
        // before it read the answer (seen once on a loaded machine).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/text_to_speech") { Content = Http.Json(Http.Tts(transcript: new string('a', 1100 * 1024))) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error_code").GetString());
    }
}
