using System.Text;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Tests.Protocol;

public class ServerMessageReaderTests
{
    private static readonly byte[] SampleAudio = [0x00, 0x01, 0xFE, 0xFF, 0x7F, 0x80, 0xFB, 0xEF, 0xBE];

    // "AAH+//9/gPvvvg==": the sample above in base64 contains both '+' and '/'.
    private static readonly string SampleBase64 = Convert.ToBase64String(SampleAudio);

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    private static AsyncAIException ReadExpectingError(string json, int destinationSize = 1024, int maxMessageBytes = ServerMessageReader.DefaultMaxMessageBytes)
    {
        var bytes = Utf8(json);
        var destination = new byte[destinationSize];
        return Assert.Throws<AsyncAIException>(() => { ServerMessageReader.Read(bytes, destination, maxMessageBytes); });
    }

    [Fact]
    public void Read_SpecAudioMessage_DecodesAudioAndContextId()
    {
        var bytes = Utf8($$"""{"context_id":"ctx-1","audio":"{{SampleBase64}}","final":false}""");
        var destination = new byte[64];

        var message = ServerMessageReader.Read(bytes, destination);

        Assert.Equal(ServerMessageKind.Audio, message.Kind);
        Assert.True(message.HasContextId);
        Assert.Equal("ctx-1", message.GetContextId());
        Assert.True(message.ContextIdUtf8.SequenceEqual("ctx-1"u8));
        Assert.False(message.IsFinal);
        Assert.Equal(SampleAudio.Length, message.AudioByteCount);
        Assert.Equal(SampleAudio, destination.AsSpan(0, message.AudioByteCount).ToArray());
        Assert.Equal(SampleAudio, message.Audio.ToArray());
        Assert.Null(message.Error);
    }

    [Fact]
    public void Read_SpecFinalMessage_IsFinalWithNoAudio()
    {
        var message = ServerMessageReader.Read(Utf8("""{"context_id":"ctx-1","audio":"","final":true}"""), new byte[16]);

        Assert.Equal(ServerMessageKind.Audio, message.Kind);
        Assert.True(message.IsFinal);
        Assert.Equal(0, message.AudioByteCount);
        Assert.Equal("ctx-1", message.GetContextId());
    }

    [Fact]
    public void Read_FinalWithoutAudioField_IsFinal()
    {
        var message = ServerMessageReader.Read(Utf8("""{"context_id":"c","final":true}"""), new byte[16]);

        Assert.True(message.IsFinal);
        Assert.Equal(0, message.AudioByteCount);
    }

    [Fact]
    public void Read_FinalWithAudio_DecodesAudioAndIsFinal()
    {
        var destination = new byte[64];
        var message = ServerMessageReader.Read(Utf8($$"""{"final":true,"audio":"{{SampleBase64}}","context_id":"c"}"""), destination);

        Assert.True(message.IsFinal);
        Assert.Equal(SampleAudio, message.Audio.ToArray());
    }

    [Fact]
    public void Read_OldSingleContextProtocol_HasNoContextId()
    {
        var message = ServerMessageReader.Read(Utf8($$"""{"audio":"{{SampleBase64}}","final":false}"""), new byte[64]);

        Assert.False(message.HasContextId);
        Assert.True(message.ContextIdUtf8.IsEmpty);
        Assert.Null(message.GetContextId());
        Assert.Equal(SampleAudio.Length, message.AudioByteCount);
    }

    [Fact]
    public void Read_OldSingleContextFinal_IsFinal()
    {
        var message = ServerMessageReader.Read(Utf8("""{"audio":"","final":true}"""), new byte[4]);

        Assert.True(message.IsFinal);
        Assert.False(message.HasContextId);
    }

    [Fact]
    public void Read_AudioWithoutFinalField_IsNotFinal()
    {
        var message = ServerMessageReader.Read(Utf8($$"""{"audio":"{{SampleBase64}}","context_id":"c"}"""), new byte[64]);

        Assert.False(message.IsFinal);
        Assert.Equal(SampleAudio.Length, message.AudioByteCount);
    }

    [Fact]
    public void Read_NullContextId_IsTreatedAsAbsent()
    {
        var message = ServerMessageReader.Read(Utf8("""{"context_id":null,"audio":"","final":true}"""), new byte[4]);

        Assert.False(message.HasContextId);
    }

    [Fact]
    public void Read_UnknownFieldsIncludingNestedValues_AreSkipped()
    {
        var json = $$$"""
            {"event":"chunk","meta":{"a":[1,{"b":[true,null,"x"]}],"c":{"d":{ } } },"list":[[],[{ }]],
             "context_id":"c2","n":-1.5e3,"audio":"{{{SampleBase64}}}","s":"\"quoted\"","final":false,"z":null}
            """;
        var message = ServerMessageReader.Read(Utf8(json), new byte[64]);

        Assert.Equal("c2", message.GetContextId());
        Assert.Equal(SampleAudio, message.Audio.ToArray());
        Assert.False(message.IsFinal);
    }

    [Fact]
    public void Read_WhitespaceAroundTokens_IsAccepted()
    {
        var json = $"\r\n {{ \"context_id\" : \"c\" ,\n\t\"audio\" : \"{SampleBase64}\" , \"final\" : false }}  \n";
        var message = ServerMessageReader.Read(Utf8(json), new byte[64]);

        Assert.Equal(SampleAudio, message.Audio.ToArray());
    }

    [Fact]
    public void Read_AudioWithEscapedSlashAndPlus_DecodesLikeUnescaped()
    {
        // JSON may escape '/' as "\/" and '+' as "\u002B"; the value is still the same base64 text.
        var escaped = SampleBase64.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal);
        Assert.NotEqual(SampleBase64, escaped);

        var message = ServerMessageReader.Read(Utf8($$"""{"context_id":"c","audio":"{{escaped}}","final":false}"""), new byte[64]);

        Assert.Equal(SampleAudio, message.Audio.ToArray());
    }

    [Fact]
    public void Read_EscapedContextId_IsUnescaped()
    {
        var message = ServerMessageReader.Read(Utf8("""{"context_id":"a\/b\u00e9\"q","audio":"","final":true}"""), new byte[4]);

        Assert.Equal("a/bé\"q", message.GetContextId());
        Assert.True(message.ContextIdUtf8.SequenceEqual(Encoding.UTF8.GetBytes("a/bé\"q")));
    }

    [Fact]
    public void Read_EscapedPropertyNames_AreRecognized()
    {
        var message = ServerMessageReader.Read(Utf8($$"""{"\u0061udio":"{{SampleBase64}}","context\u005fid":"c","fin\u0061l":true}"""), new byte[64]);

        Assert.True(message.IsFinal);
        Assert.Equal("c", message.GetContextId());
        Assert.Equal(SampleAudio.Length, message.AudioByteCount);
    }

    [Fact]
    public void Read_LargeAudio_DecodesExactly()
    {
        var audio = new byte[24_000 * 2 / 10]; // 100 ms of 24 kHz pcm_s16le
        new Random(42).NextBytes(audio);
        var json = Utf8($$"""{"context_id":"c","audio":"{{Convert.ToBase64String(audio)}}","final":false}""");
        var destination = new byte[ServerMessageReader.GetMaxAudioByteCount(json.Length)];

        var message = ServerMessageReader.Read(json, destination);

        Assert.Equal(audio, message.Audio.ToArray());
    }

    [Fact]
    public void Read_TimeoutErrorExample_IsErrorWithAllFields()
    {
        // The one real WS error observed (livekit/agents PR #3596).
        var json = """{"error_code":"TIMEOUT","message":"Timeout: no message received in 60.0 seconds","request_id":"unknown","extra":null}""";

        var message = ServerMessageReader.Read(Utf8(json), new byte[4]);

        Assert.Equal(ServerMessageKind.Error, message.Kind);
        Assert.NotNull(message.Error);
        Assert.Equal(AsyncAIErrorCodes.Timeout, message.Error.ErrorCode);
        Assert.Equal("Timeout: no message received in 60.0 seconds", message.Error.Message);
        Assert.Equal("unknown", message.Error.RequestId);
        Assert.True(message.Error.Extra is null || message.Error.Extra.Value.ValueKind == JsonValueKind.Null);
        Assert.False(message.IsFinal);
        Assert.Equal(0, message.AudioByteCount);
    }

    [Fact]
    public void Read_ErrorWithExtraObjectAndContextId_KeepsThem()
    {
        var json = """{"error_code":"RATE_LIMIT_EXCEEDED","message":"slow down","extra":{"limit":120,"retry_after_ms":8500},"context_id":"c9"}""";

        var message = ServerMessageReader.Read(Utf8(json), new byte[4]);

        Assert.Equal(ServerMessageKind.Error, message.Kind);
        Assert.Equal("c9", message.GetContextId());
        Assert.Equal("c9", message.Error!.ContextId);
        Assert.Equal(8500, message.Error.Extra!.Value.GetProperty("retry_after_ms").GetInt32());
    }

    [Fact]
    public void Read_ErrorWithoutMessage_IsStillError()
    {
        var message = ServerMessageReader.Read(Utf8("""{"error_code":"X"}"""), new byte[4]);

        Assert.Equal(ServerMessageKind.Error, message.Kind);
        Assert.Equal("X", message.Error!.ErrorCode);
        Assert.Null(message.Error.Message);
    }

    [Fact]
    public void Read_MessageOnlyBody_IsErrorWithoutCode()
    {
        var message = ServerMessageReader.Read(Utf8("""{"message":"Oops! Internal server error occurred."}"""), new byte[4]);

        Assert.Equal(ServerMessageKind.Error, message.Kind);
        Assert.Null(message.Error!.ErrorCode);
        Assert.Equal("Oops! Internal server error occurred.", message.Error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"audio\":\"AAAA\",\"final\":false")]
    [InlineData("{\"audio\":\"AAAA\" \"final\":false}")]
    [InlineData("{\"audio\":\"AAAA\",\"final\":false,}")]
    [InlineData("{\"audio\":\"AAAA\",\"final\":false} trailing")]
    [InlineData("{\"audio\":\"AAAA\",\"final\":false}{}")]
    [InlineData("{'audio':'AAAA'}")]
    [InlineData("{\"audio\":\"AA\\qA\",\"final\":false}")]
    [InlineData("{\"audio\":\"AAAA\",\"final\":false /* c */}")]
    [InlineData("[]")]
    [InlineData("\"audio\"")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("{\"x\":[1,2}")]
    [InlineData("{\"audio\":AAAA}")]
    public void Read_MalformedJson_ThrowsMalformedJson(string json)
    {
        var ex = ReadExpectingError(json);

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.MalformedJson, ex.ErrorCode);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"audio\":123,\"final\":false}", "audio")]
    [InlineData("{\"audio\":{\"a\":1},\"final\":false}", "audio")]
    [InlineData("{\"audio\":\"\",\"final\":\"true\"}", "final")]
    [InlineData("{\"audio\":\"\",\"final\":1}", "final")]
    [InlineData("{\"audio\":\"\",\"final\":true,\"context_id\":7}", "context_id")]
    [InlineData("{\"audio\":\"\",\"final\":true,\"context_id\":[\"a\"]}", "context_id")]
    public void Read_KnownFieldWithWrongType_ThrowsMalformedJsonNamingTheField(string json, string field)
    {
        var ex = ReadExpectingError(json);

        Assert.Equal(ProtocolErrorCodes.MalformedJson, ex.ErrorCode);
        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ErrorCodeOfWrongType_ThrowsMalformedJson()
    {
        var ex = ReadExpectingError("""{"error_code":5,"message":"m"}""");

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.MalformedJson, ex.ErrorCode);
        Assert.IsType<JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"context_id\":\"c\"}")]
    [InlineData("{\"context_id\":\"c\",\"unknown\":{\"audio\":\"AAAA\"}}")]
    [InlineData("{\"audio\":null,\"context_id\":\"c\"}")]
    [InlineData("{\"final\":null,\"context_id\":\"c\"}")]
    public void Read_NoAudioFinalOrError_ThrowsMissingField(string json)
    {
        var ex = ReadExpectingError(json);

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.MissingField, ex.ErrorCode);
        Assert.Contains("'audio'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonFinalWithoutAudio_ThrowsMissingFieldNamingAudio()
    {
        var ex = ReadExpectingError("""{"context_id":"c","final":false}""");

        Assert.Equal(ProtocolErrorCodes.MissingField, ex.ErrorCode);
        Assert.Contains("'audio'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AAA")]        // length not a multiple of 4
    [InlineData("AAAAA")]      // length not a multiple of 4
    [InlineData("AA=A")]       // padding in the middle of a block
    [InlineData("A===")]       // too much padding
    [InlineData("====")]       // padding only
    [InlineData("AA==AAAA")]   // padding before the end
    [InlineData("AAA*")]       // character outside the alphabet
    [InlineData("AA-_")]       // base64url alphabet is not base64
    [InlineData("AAAA=")]      // stray padding
    [InlineData("\\u00e9AAA")] // non-ASCII after unescaping
    public void Read_InvalidBase64_ThrowsInvalidBase64(string audio)
    {
        var ex = ReadExpectingError($$"""{"context_id":"c","audio":"{{audio}}","final":false}""");

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.InvalidBase64, ex.ErrorCode);
        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MessageOverLimit_ThrowsMessageTooLargeNamingBothSizes()
    {
        var json = $$"""{"context_id":"c","audio":"{{SampleBase64}}","final":false}""";

        var ex = ReadExpectingError(json, maxMessageBytes: 20);

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.MessageTooLarge, ex.ErrorCode);
        Assert.Contains(Utf8(json).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("20", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MessageExactlyAtLimit_IsAccepted()
    {
        var json = Utf8($$"""{"context_id":"c","audio":"{{SampleBase64}}","final":false}""");

        var message = ServerMessageReader.Read(json, new byte[64], maxMessageBytes: json.Length);

        Assert.Equal(SampleAudio.Length, message.AudioByteCount);
    }

    [Fact]
    public void Read_DestinationTooSmall_ThrowsDestinationTooSmall()
    {
        var ex = ReadExpectingError($$"""{"context_id":"c","audio":"{{SampleBase64}}","final":false}""", destinationSize: SampleAudio.Length - 1);

        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(ProtocolErrorCodes.DestinationTooSmall, ex.ErrorCode);
        Assert.Contains("GetMaxAudioByteCount", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Read_DestinationExactlyTheDecodedSize_IsEnough(int byteCount)
    {
        // Padding means the last block decodes to fewer than 3 bytes; an exact destination must still do.
        var audio = SampleAudio[..byteCount];
        var destination = new byte[byteCount];

        var message = ServerMessageReader.Read(Utf8($$"""{"audio":"{{Convert.ToBase64String(audio)}}","final":false}"""), destination);

        Assert.Equal(audio, message.Audio.ToArray());
    }

    [Fact]
    public void Read_NonPositiveMaxMessageBytes_ThrowsArgumentOutOfRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => { ServerMessageReader.Read("{}"u8, [], 0); });

        Assert.Equal("maxMessageBytes", ex.ParamName);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 3)]
    [InlineData(100, 75)]
    [InlineData(102, 75)]
    public void GetMaxAudioByteCount_IsTheDecodedSizeOfTheWholeMessage(int messageBytes, int expected)
    {
        Assert.Equal(expected, ServerMessageReader.GetMaxAudioByteCount(messageBytes));
    }

    [Fact]
    public void GetMaxAudioByteCount_AlwaysSufficesForAnAudioMessage()
    {
        for (var audioBytes = 0; audioBytes < 64; audioBytes++)
        {
            var json = Utf8($$"""{"audio":"{{Convert.ToBase64String(new byte[audioBytes])}}"}""");
            var destination = new byte[ServerMessageReader.GetMaxAudioByteCount(json.Length)];

            Assert.Equal(audioBytes, ServerMessageReader.Read(json, destination).AudioByteCount);
        }
    }

    [Fact]
    public void GetMaxAudioByteCount_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerMessageReader.GetMaxAudioByteCount(-1));
    }

    [Fact]
    public void Read_AudioMessage_AllocatesNothing()
    {
        var audio = new byte[24_000 * 2 / 50]; // one 20 ms chunk of 24 kHz pcm_s16le
        new Random(7).NextBytes(audio);
        var json = Utf8($$"""{"context_id":"0b7e5f5a-2d7c-4a57-9e52-1f0c9a3b8e11","audio":"{{Convert.ToBase64String(audio)}}","final":false,"extra_field":{"nested":[1,2,3]} }""");
        var final = Utf8("""{"context_id":"0b7e5f5a-2d7c-4a57-9e52-1f0c9a3b8e11","audio":"","final":true}""");
        var destination = new byte[ServerMessageReader.GetMaxAudioByteCount(json.Length)];

        // Warm up (JIT, static initialization) before measuring.
        var total = 0;
        for (var i = 0; i < 10; i++)
        {
            total += ServerMessageReader.Read(json, destination).AudioByteCount;
            total += ServerMessageReader.Read(final, destination).AudioByteCount;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var message = ServerMessageReader.Read(json, destination);
            total += message.AudioByteCount + message.ContextIdUtf8.Length;
            total += ServerMessageReader.Read(final, destination).IsFinal ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(total > 1000 * audio.Length);
    }
}

public class ServerMessageReaderFuzzTests
{
    [Fact]
    public void Read_RandomlyCorruptedMessages_ThrowOnlyProtocolErrors()
    {
        // Byte flips, truncations and insertions of JSON-significant bytes over valid audio, final and error
        // messages: whatever comes out, the only exception type is AsyncAIException with Category Protocol.
        string[] seeds =
        [
            """{"context_id":"ctx-1","audio":"AAH+//9/gPvvvg==","final":false}""",
            """{"context_id":"c\/1","audio":"AAH\/\/\u002B9\/gPvvvg==","final":true}""",
            """{"audio":"","final":true}""",
            """{"error_code":"TIMEOUT","message":"Timeout","request_id":"unknown","extra":{"a":[1,{"b":null}]}}""",
        ];
        byte[] significant = "{}[]\",:\\=+/ 0tfnAé\u0000"u8.ToArray();
        var random = new Random(20261125);
        var destination = new byte[64];
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < 20_000; i++)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]).ToList();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits && bytes.Count > 0; e++)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = significant[random.Next(significant.Length)]; break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, significant[random.Next(significant.Length)]); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }

            string outcome;
            try
            {
                var message = ServerMessageReader.Read(bytes.ToArray(), destination, maxMessageBytes: 200);
                outcome = message.Kind.ToString();
            }
            catch (AsyncAIException ex)
            {
                Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
                Assert.NotNull(ex.ErrorCode);
                outcome = ex.ErrorCode;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The corpus exercises the success paths and the main error codes, not just one of them.
        Assert.Contains("Audio", outcomes.Keys);
        Assert.Contains("Error", outcomes.Keys);
        Assert.Contains(ProtocolErrorCodes.MalformedJson, outcomes.Keys);
        Assert.Contains(ProtocolErrorCodes.InvalidBase64, outcomes.Keys);
    }
}
