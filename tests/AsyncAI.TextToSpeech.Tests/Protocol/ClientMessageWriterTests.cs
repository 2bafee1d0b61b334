using System.Buffers;
using System.Text;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Tests.Protocol;

public class ClientMessageWriterTests
{
    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void WriteText_WithContext_WritesDocumentedMessage()
    {
        var json = Write(b => ClientMessageWriter.WriteText(b, "ctx-1", "Hello there. ", force: true));

        Assert.Equal("""{"transcript":"Hello there. ","context_id":"ctx-1","force":true}""", json);
        var parsed = JsonSerializer.Deserialize(json, AsyncAIJsonContext.Default.TextMessage)!;
        Assert.Equal("ctx-1", parsed.ContextId);
        Assert.True(parsed.Force);
    }

    [Fact]
    public void WriteText_DefaultContext_OmitsContextId()
    {
        Assert.Equal("""{"transcript":"Hi ","force":false}""", Write(b => ClientMessageWriter.WriteText(b, null, "Hi ", force: false)));
    }

    [Fact]
    public void WriteText_QuotesControlCharactersAndNonAscii_RoundTripExactly()
    {
        const string transcript = "Say \"hi\"\\ now\n\tДобрый день, こんにちは, Բարեւ, नमस्ते 😀 <break time='400ms'/> & done";

        var json = Write(b => ClientMessageWriter.WriteText(b, "c", transcript, force: true));

        Assert.Equal(transcript, JsonSerializer.Deserialize(json, AsyncAIJsonContext.Default.TextMessage)!.Transcript);
        Assert.Contains("こんにちは", json, StringComparison.Ordinal); // not \u-escaped
        Assert.Contains("<break time='400ms'/>", json, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', json);
    }

    [Fact]
    public void WriteText_LoneSurrogate_IsReplacedWithReplacementCharacter()
    {
        // Text split between the two halves of a surrogate pair must still give valid JSON and UTF-8.
        var json = Write(b => ClientMessageWriter.WriteText(b, "c", "broken \ud83d", force: true));

        Assert.Equal("broken \ufffd", JsonSerializer.Deserialize(json, AsyncAIJsonContext.Default.TextMessage)!.Transcript);
    }

    [Fact]
    public void WriteKeepalive_WritesSingleSpaceWithoutForce()
    {
        Assert.Equal("""{"transcript":" ","context_id":"c"}""", Write(b => ClientMessageWriter.WriteKeepalive(b, "c")));
        Assert.Equal("""{"transcript":" "}""", Write(b => ClientMessageWriter.WriteKeepalive(b, null)));
    }

    [Fact]
    public void WriteFlush_WritesForcedSpace()
    {
        Assert.Equal("""{"transcript":" ","context_id":"c","force":true}""", Write(b => ClientMessageWriter.WriteFlush(b, "c")));
    }

    [Fact]
    public void WriteEndOfInput_WritesEmptyTranscript()
    {
        Assert.Equal("""{"transcript":"","context_id":"c"}""", Write(b => ClientMessageWriter.WriteEndOfInput(b, "c")));
    }

    [Fact]
    public void WriteCloseContext_MatchesTheRecordSerialization()
    {
        var json = Write(b => ClientMessageWriter.WriteCloseContext(b, "c1"));

        Assert.Equal(JsonSerializer.Serialize(new CloseContextMessage { ContextId = "c1" }, AsyncAIJsonContext.Default.CloseContextMessage), json);
    }

    [Fact]
    public void WriteTerminate_WritesDocumentedMessage()
    {
        Assert.Equal("""{"terminate":true}""", Write(ClientMessageWriter.WriteTerminate));
    }

    [Fact]
    public void WriteInit_WritesTheRecordThroughTheSourceGeneratedContext()
    {
        var init = new InitializeConnectionMessage
        {
            ModelId = AsyncAIModels.FlashV15,
            Voice = new VoiceSpecifier("e0f39dc4-f691-4e78-bba5-5c636692cc04"),
            OutputFormat = new OutputFormat { SampleRate = 24000 },
        };

        var json = Write(b => ClientMessageWriter.WriteInit(b, init));

        Assert.Equal(
            """{"model_id":"async_flash_v1.5","voice":{"id":"e0f39dc4-f691-4e78-bba5-5c636692cc04","mode":"id"},"output_format":{"container":"raw","encoding":"pcm_s16le","sample_rate":24000}}""",
            json);
        Assert.Equal(init, JsonSerializer.Deserialize(json, AsyncAIJsonContext.Default.InitializeConnectionMessage));
    }

    [Fact]
    public void Write_SeveralMessagesIntoOneBuffer_AppendsEachCompleteMessage()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ClientMessageWriter.WriteText(buffer, "c", "a", force: true);
        var first = buffer.WrittenCount;
        ClientMessageWriter.WriteCloseContext(buffer, "c");

        Assert.Equal("""{"transcript":"a","context_id":"c","force":true}""", Encoding.UTF8.GetString(buffer.WrittenSpan[..first]));
        Assert.Equal("""{"context_id":"c","close_context":true,"transcript":""}""", Encoding.UTF8.GetString(buffer.WrittenSpan[first..]));
    }

    [Fact]
    public void WriteText_NullDestination_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ClientMessageWriter.WriteText(null!, "c", "a", force: true));
    }

    [Fact]
    public void WriteTextAndCloseContext_AllocateNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        const string contextId = "0b7e5f5a-2d7c-4a57-9e52-1f0c9a3b8e11";
        const string transcript = "The quick brown fox jumps over the lazy dog. ";
        for (var i = 0; i < 10; i++)
        {
            ClientMessageWriter.WriteText(buffer, contextId, transcript, force: true);
            ClientMessageWriter.WriteCloseContext(buffer, contextId);
            buffer.ResetWrittenCount();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = 0;
        for (var i = 0; i < 1000; i++)
        {
            ClientMessageWriter.WriteText(buffer, contextId, transcript, force: true);
            ClientMessageWriter.WriteKeepalive(buffer, contextId);
            ClientMessageWriter.WriteCloseContext(buffer, contextId);
            written += buffer.WrittenCount;
            buffer.ResetWrittenCount();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(written > 1000 * transcript.Length);
    }
}
