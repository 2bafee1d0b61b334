using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Tests.Protocol;

/// <summary>Round-trips of the wire records against the examples in async-api.md and the vendor's OpenAPI export.</summary>
public class JsonContextTests
{
    private const string DocsVoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

    private static T RoundTrip<T>(string json, JsonTypeInfo<T> typeInfo)
    {
        var value = JsonSerializer.Deserialize(json, typeInfo);
        Assert.NotNull(value);
        var written = JsonSerializer.Serialize(value, typeInfo);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)),
            $"Round-trip changed the JSON.\nExpected: {json}\nActual:   {written}");
        return value;
    }

    [Fact]
    public void CloseContext_SerializesAsDocumented()
    {
        var json = JsonSerializer.Serialize(new CloseContextMessage { ContextId = "c1" }, AsyncAIJsonContext.Default.CloseContextMessage);
        Assert.Equal("""{"context_id":"c1","close_context":true,"transcript":""}""", json);
    }

    [Fact]
    public void Terminate_SerializesAsDocumented()
    {
        Assert.Equal("""{"terminate":true}""", JsonSerializer.Serialize(new TerminateMessage(), AsyncAIJsonContext.Default.TerminateMessage));
    }

    [Fact]
    public void CloseConnection_SerializesAsDocumented()
    {
        Assert.Equal("""{"text":""}""", JsonSerializer.Serialize(new CloseConnectionMessage(), AsyncAIJsonContext.Default.CloseConnectionMessage));
    }

    [Fact]
    public void InitializeConnection_DocsExample_RoundTrips()
    {
        var init = RoundTrip(
            $$"""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"{{DocsVoiceId}}"},"output_format":{"container":"raw","encoding":"pcm_s16le","sample_rate":44100},"language":"en"}""",
            AsyncAIJsonContext.Default.InitializeConnectionMessage);

        Assert.Equal(AsyncAIModels.FlashV10, init.ModelId);
        Assert.Equal(DocsVoiceId, init.Voice.Id);
        Assert.Equal("id", init.Voice.Mode);
        Assert.Equal(44100, init.OutputFormat!.SampleRate);
        Assert.Equal(AudioEncodings.PcmS16Le, init.OutputFormat.Encoding);
        Assert.Equal("en", init.Language);
    }

    [Fact]
    public void InitializeConnection_Mp3WithBitRate_RoundTrips()
    {
        var init = RoundTrip(
            $$"""{"model_id":"async_flash_v1.5","voice":{"mode":"id","id":"{{DocsVoiceId}}"},"output_format":{"container":"mp3","sample_rate":44100,"bit_rate":128000} }""",
            AsyncAIJsonContext.Default.InitializeConnectionMessage);

        Assert.Equal(128000, init.OutputFormat!.BitRate);
    }

    [Fact]
    public void InitializeConnection_NullLanguageAndUnknownFields_AreAccepted()
    {
        // Pipecat sends "language": null; SpeechSwitch sends undocumented speed_control/stability in init.
        var init = JsonSerializer.Deserialize(
            $$"""{"model_id":"m","voice":{"mode":"id","id":"v"},"language":null,"speed_control":1.2,"stability":50,"future":{"x":[1]} }""",
            AsyncAIJsonContext.Default.InitializeConnectionMessage);

        Assert.NotNull(init);
        Assert.Null(init.Language);
        Assert.Null(init.OutputFormat);
    }

    [Fact]
    public void InitializeConnection_UnsetLanguage_IsOmitted()
    {
        var json = JsonSerializer.Serialize(
            new InitializeConnectionMessage { ModelId = "m", Voice = new VoiceSpecifier("v") },
            AsyncAIJsonContext.Default.InitializeConnectionMessage);

        Assert.Equal("""{"model_id":"m","voice":{"id":"v","mode":"id"}}""", json);
    }

    [Theory]
    [InlineData("""{"context_id":"ctx","transcript":"Hello there. ","force":true}""")]
    [InlineData("""{"transcript":" ","context_id":"ctx","force":false}""")]
    [InlineData("""{"transcript":" "}""")]
    [InlineData("""{"context_id":"ctx","transcript":""}""")]
    public void TextMessage_DocumentedShapes_RoundTrip(string json)
    {
        RoundTrip(json, AsyncAIJsonContext.Default.TextMessage);
    }

    [Fact]
    public void TextMessage_WithoutContextId_UsesDefaultContext()
    {
        var text = RoundTrip("""{"transcript":"Hi ","force":true}""", AsyncAIJsonContext.Default.TextMessage);

        Assert.Null(text.ContextId);
        Assert.True(text.Force);
    }

    [Fact]
    public void CloseContext_DocsExample_RoundTrips()
    {
        var close = RoundTrip("""{"context_id":"ctx","close_context":true,"transcript":""}""", AsyncAIJsonContext.Default.CloseContextMessage);

        Assert.Equal("ctx", close.ContextId);
        Assert.True(close.CloseContext);
    }

    [Fact]
    public void AudioOutput_DocsExample_RoundTrips()
    {
        var audio = RoundTrip("""{"context_id":"ctx","audio":"AAECAw==","final":false}""", AsyncAIJsonContext.Default.AudioOutputMessage);

        Assert.Equal(new byte[] { 0, 1, 2, 3 }, Convert.FromBase64String(audio.Audio!));
        Assert.False(audio.Final);
    }

    [Fact]
    public void FinalOutput_DocsExample_RoundTrips()
    {
        var final = RoundTrip("""{"context_id":"ctx","audio":"","final":true}""", AsyncAIJsonContext.Default.AudioOutputMessage);

        Assert.True(final.Final);
        Assert.Equal("", final.Audio);
    }

    [Fact]
    public void AudioOutput_OldSingleContextEdition_Deserializes()
    {
        var final = JsonSerializer.Deserialize("""{"audio":"","final":true}""", AsyncAIJsonContext.Default.AudioOutputMessage);

        Assert.NotNull(final);
        Assert.Null(final.ContextId);
        Assert.True(final.Final);
    }

    [Fact]
    public void ErrorMessage_TimeoutExample_Deserializes()
    {
        var error = JsonSerializer.Deserialize(
            """{"error_code":"TIMEOUT","message":"Timeout: no message received in 60.0 seconds","request_id":"unknown","extra":null}""",
            AsyncAIJsonContext.Default.ErrorMessage);

        Assert.NotNull(error);
        Assert.Equal(AsyncAIErrorCodes.Timeout, error.ErrorCode);
        Assert.Equal("Timeout: no message received in 60.0 seconds", error.Message);
        Assert.Equal("unknown", error.RequestId);
        Assert.True(error.Extra is null || error.Extra.Value.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void ErrorMessage_WithExtra_RoundTrips()
    {
        var error = RoundTrip(
            """{"error_code":"TOO_MANY_CONCURRENT_REQUESTS","message":"Too many concurrent requests","extra":{"limit":5,"current":7}}""",
            AsyncAIJsonContext.Default.ErrorMessage);

        Assert.Equal(7, error.Extra!.Value.GetProperty("current").GetInt32());
    }

    [Fact]
    public void TextToSpeechRequest_OpenApiExample_RoundTrips()
    {
        var request = RoundTrip(
            $$"""{"model_id":"async_flash_v1.0","transcript":"Welcome to Async","voice":{"mode":"id","id":"{{DocsVoiceId}}"},"output_format":{"container":"raw","encoding":"pcm_f32le","sample_rate":44100} }""",
            AsyncAIJsonContext.Default.TextToSpeechRequest);

        Assert.Equal("Welcome to Async", request.Transcript);
        Assert.Equal(AudioEncodings.PcmF32Le, request.OutputFormat.Encoding);
        Assert.Null(request.Language);
        Assert.Null(request.SpeedControl);
        Assert.Null(request.Stability);
    }

    [Fact]
    public void TextToSpeechRequest_AllOptionalFields_RoundTrip()
    {
        var request = RoundTrip(
            $$"""{"model_id":"async_flash_v1.0","transcript":"Hola","voice":{"mode":"id","id":"{{DocsVoiceId}}"},"output_format":{"container":"wav","encoding":"pcm_s16le","sample_rate":16000},"language":"es","speed_control":1.25,"stability":40}""",
            AsyncAIJsonContext.Default.TextToSpeechRequest);

        Assert.Equal(1.25, request.SpeedControl);
        Assert.Equal(40, request.Stability);
        Assert.Equal("es", request.Language);
    }

    [Fact]
    public void TimestampsResponse_OpenApiExample_RoundTrips()
    {
        var response = RoundTrip(
            """{"audio_base64":"...","alignment":{"words":["Welcome","to","Async"],"word_start_times_milliseconds":[0,871,923],"word_end_times_milliseconds":[871,900,1637]}}""",
            AsyncAIJsonContext.Default.TimestampsResponse);

        Assert.Equal(["Welcome", "to", "Async"], response.Alignment.Words);
        Assert.Equal([0d, 871, 923], response.Alignment.WordStartTimesMilliseconds);
        Assert.Equal([871d, 900, 1637], response.Alignment.WordEndTimesMilliseconds);
    }

    [Fact]
    public void ListVoicesRequest_OpenApiExampleAndAllFilters_RoundTrip()
    {
        Assert.Equal(10, RoundTrip("""{"limit":10}""", AsyncAIJsonContext.Default.ListVoicesRequest).Limit);

        var request = RoundTrip(
            """{"limit":5,"model_id":"async_flash_v1.0","language":"nl","accent":"American (US)","style":"Storytelling","gender":"Female","my_voice":false,"after":"voice_id_3"}""",
            AsyncAIJsonContext.Default.ListVoicesRequest);
        Assert.Equal("voice_id_3", request.After);
        Assert.False(request.MyVoice);
    }

    [Fact]
    public void ListVoicesResponse_OpenApiExample_RoundTrips()
    {
        var response = RoundTrip(
            """{"voices":[{"voice_id":"voice_id_1","voice_type":"PREDEFINED","name":"Voice 1","created_at":"2025-03-30T11:15:32Z","updated_at":"2025-03-30T11:15:32Z","language":"en","gender":"Male"},{"voice_id":"voice_id_2","voice_type":"CUSTOM","name":"Voice 2","created_at":"2025-03-30T12:15:52Z","updated_at":"2025-03-30T12:15:52Z","language":"en","gender":"Female"}],"next_cursor":"voice_id_3"}""",
            AsyncAIJsonContext.Default.ListVoicesResponse);

        Assert.Equal(2, response.Voices.Count);
        Assert.Equal("CUSTOM", response.Voices[1].VoiceType);
        Assert.Equal("voice_id_3", response.NextCursor);
    }

    [Fact]
    public void ListVoicesResponse_LastPageWithNullOrMissingCursor_Deserializes()
    {
        Assert.Null(JsonSerializer.Deserialize("""{"voices":[],"next_cursor":null}""", AsyncAIJsonContext.Default.ListVoicesResponse)!.NextCursor);
        Assert.Null(JsonSerializer.Deserialize("""{"voices":[]}""", AsyncAIJsonContext.Default.ListVoicesResponse)!.NextCursor);
    }

    [Fact]
    public void Voice_OpenApiGetExample_RoundTrips()
    {
        var voice = RoundTrip(
            """{"voice_id":"d4g7a640-4412-4e78-bba5-5c636692cc04","name":"Name","language":"en","gender":"Male","accent":"American (US)","style":"Storytelling","created_at":"2025-05-19T14:37:07.297056","updated_at":"2025-05-19T14:37:07.297056","voice_type":"PREDEFINED"}""",
            AsyncAIJsonContext.Default.Voice);

        Assert.Equal("Storytelling", voice.Style);
        Assert.Equal("2025-05-19T14:37:07.297056", voice.CreatedAt);
    }

    [Fact]
    public void Voice_OldDocsShapeWithUnknownFields_Deserializes()
    {
        // The old list-voices docs misspell voice_type as vocie_type and use lowercase gender; unknown fields are skipped.
        var voice = JsonSerializer.Deserialize(
            """{"voice_id":"v","name":"n","description":"d","language":"de,en,es,fr,it","gender":"male","vocie_type":"PREDEFINED","is_starred":true}""",
            AsyncAIJsonContext.Default.Voice);

        Assert.NotNull(voice);
        Assert.Equal("de,en,es,fr,it", voice.Language);
        Assert.Null(voice.VoiceType);
    }

    [Fact]
    public void VoiceBatch_OpenApiExamples_RoundTrip()
    {
        var request = RoundTrip(
            """{"voice_ids":["e0f39dc4-f691-4e78-bba5-5c636692cc04","a1b2c3d4-e5f6-7890-abcd-ef1234567890"]}""",
            AsyncAIJsonContext.Default.VoiceBatchRequest);
        Assert.Equal(2, request.VoiceIds.Count);

        var voices = RoundTrip(
            """[{"voice_id":"d4g7a640-4412-4e78-bba5-5c636692cc04","name":"Name","language":"en","accent":"American (US)","style":"Storytelling","gender":"Male","created_at":"2025-05-19T14:37:07.297056","updated_at":"2025-05-19T14:37:07.297056","voice_type":"PREDEFINED"}]""",
            AsyncAIJsonContext.Default.IReadOnlyListVoice);
        Assert.Single(voices);
    }

    [Fact]
    public void UpdateVoiceAndPreview_OpenApiExamples_RoundTrip()
    {
        Assert.Equal("Voice 1", RoundTrip("""{"name":"Voice 1"}""", AsyncAIJsonContext.Default.UpdateVoiceRequest).Name);
        Assert.Equal("https://x/y", RoundTrip("""{"signed_url":"https://x/y"}""", AsyncAIJsonContext.Default.VoicePreviewResponse).SignedUrl);
    }

    [Fact]
    public void StatusResponse_OpenApiExample_RoundTrips()
    {
        var status = RoundTrip("""{"status":"ok","version":"v1"}""", AsyncAIJsonContext.Default.StatusResponse);

        Assert.Equal("ok", status.Status);
        Assert.Equal("v1", status.Version);
    }

    [Theory]
    [InlineData("""{"detail":{"error_code":"TOO_MANY_CONCURRENT_REQUESTS","message":"Too many concurrent requests","extra":{"limit":5,"current":7}}}""", "TOO_MANY_CONCURRENT_REQUESTS", "Too many concurrent requests")]
    [InlineData("""{"detail":{"error_code":"RATE_LIMIT_EXCEEDED","message":"Rate limit exceeded. Please try again later.","extra":{"limit":120,"retry_after_ms":8500}}}""", "RATE_LIMIT_EXCEEDED", "Rate limit exceeded. Please try again later.")]
    [InlineData("""{"detail":{"error_code":"USAGE_LIMIT_EXCEEDED","message":"Quota exceeded. Please upgrade your plan or try later.","extra":{"limit":1000000,"current":1250000}}}""", "USAGE_LIMIT_EXCEEDED", "Quota exceeded. Please upgrade your plan or try later.")]
    [InlineData("""{"detail":{"error_code":"INVALID_API_KEY","message":"Invalid or expired API key.","extra":{"api_key":"sk_33..."}}}""", "INVALID_API_KEY", "Invalid or expired API key.")]
    [InlineData("""{"detail":{"error_code":"VERSION_NOT_FOUND","message":"API version v0.9 not found."}}""", "VERSION_NOT_FOUND", "API version v0.9 not found.")]
    public void ErrorEnvelope_WrappedOpenApiExamples_RoundTripAndUnwrap(string json, string code, string message)
    {
        var envelope = RoundTrip(json, AsyncAIJsonContext.Default.ErrorEnvelope);

        var error = envelope.ToErrorMessage();
        Assert.NotNull(error);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"error_code":"TOO_MANY_CONCURRENT_REQUESTS","message":"Too many concurrent requests","extra":{"limit":5,"current":7}}""", "TOO_MANY_CONCURRENT_REQUESTS", "Too many concurrent requests")]
    [InlineData("""{"error_code":"INVALID_API_KEY","message":"Invalid or expired API key.","extra":{"api_key":"sk_test_..."}}""", "INVALID_API_KEY", "Invalid or expired API key.")]
    [InlineData("""{"error_code":"INVALID_LANGUAGE","message":"Language code 'xx' is not supported."}""", "INVALID_LANGUAGE", "Language code 'xx' is not supported.")]
    public void ErrorEnvelope_FlatOpenApiExamples_RoundTripAndRead(string json, string code, string message)
    {
        var envelope = RoundTrip(json, AsyncAIJsonContext.Default.ErrorEnvelope);

        var error = envelope.ToErrorMessage();
        Assert.NotNull(error);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ErrorEnvelope_RateLimitExtra_IsReadableFromBothShapes()
    {
        var wrapped = JsonSerializer.Deserialize("""{"detail":{"error_code":"RATE_LIMIT_EXCEEDED","message":"m","extra":{"limit":120,"retry_after_ms":8500}}}""", AsyncAIJsonContext.Default.ErrorEnvelope)!;
        var flat = JsonSerializer.Deserialize("""{"error_code":"RATE_LIMIT_EXCEEDED","message":"m","extra":{"limit":120,"retry_after_ms":8500},"request_id":"r1"}""", AsyncAIJsonContext.Default.ErrorEnvelope)!;

        Assert.Equal(8500, wrapped.ToErrorMessage()!.Extra!.Value.GetProperty("retry_after_ms").GetInt32());
        Assert.Equal(8500, flat.ToErrorMessage()!.Extra!.Value.GetProperty("retry_after_ms").GetInt32());
        Assert.Equal("r1", flat.ToErrorMessage()!.RequestId);
    }

    [Fact]
    public void ErrorEnvelope_ServerErrorExample_RoundTripsAndKeepsDetailText()
    {
        var envelope = RoundTrip(
            """{"message":"Oops! Internal server error occurred.","method":"POST","url":"/v1/tts/stream","detail":"Error: Traceback #42"}""",
            AsyncAIJsonContext.Default.ErrorEnvelope);

        Assert.Equal("POST", envelope.Method);
        Assert.Equal("/v1/tts/stream", envelope.Url);
        Assert.Equal("Error: Traceback #42", envelope.DetailText);
        var error = envelope.ToErrorMessage();
        Assert.NotNull(error);
        Assert.Null(error.ErrorCode);
        Assert.Equal("Oops! Internal server error occurred. (Error: Traceback #42)", error.Message);
    }

    [Fact]
    public void ErrorEnvelope_FastApiValidationDetailArray_FallsBackToNothing()
    {
        // A FastAPI 422 has "detail": [ {loc, msg, type} ]: no error code or message of the documented shape.
        var envelope = JsonSerializer.Deserialize("""{"detail":[{"loc":["body","model_id"],"msg":"field required","type":"value_error.missing"}]}""", AsyncAIJsonContext.Default.ErrorEnvelope)!;

        Assert.Equal(JsonValueKind.Array, envelope.Detail!.Value.ValueKind);
        Assert.Null(envelope.ToErrorMessage());
    }

    [Fact]
    public void ErrorEnvelope_DetailObjectOfWrongShape_FallsBackToFlatFields()
    {
        var envelope = JsonSerializer.Deserialize("""{"detail":{"error_code":42},"message":"flat"}""", AsyncAIJsonContext.Default.ErrorEnvelope)!;

        Assert.Equal("flat", envelope.ToErrorMessage()!.Message);
    }

    [Fact]
    public void ErrorEnvelope_EmptyObject_HasNoError()
    {
        Assert.Null(JsonSerializer.Deserialize("{}", AsyncAIJsonContext.Default.ErrorEnvelope)!.ToErrorMessage());
    }
}
