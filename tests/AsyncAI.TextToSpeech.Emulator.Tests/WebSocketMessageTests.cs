using System.Net.WebSockets;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class WebSocketMessageTests
{
    [Fact]
    public async Task Text_ThenCloseContext_SendsExpectedAudioThenFinal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c1","transcript":"Hello world. ","force":true}""");
        await ws.SendAsync("""{"context_id":"c1","close_context":true,"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c1");

        var expected = EmulatorAudio.ExpectedByteCount("Hello world. ", 24000, AudioEncodings.PcmS16Le, 0.05);
        Assert.Equal(expected, result.AudioOf("c1").Length);
        Assert.Equal(expected, emulator.Journal.AudioBytesSent("c1"));
        Assert.All(result.ChunkSizes, size => Assert.True(size % 2 == 0 && size <= 960));
        var final = result.Messages[^1];
        Assert.Equal("", final.GetProperty("audio").GetString());
        Assert.True(final.GetProperty("final").GetBoolean());
    }

    [Fact]
    public async Task EmptyTranscript_EndsInput_AfterPendingAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c1","transcript":"One two. "}""");
        await ws.SendAsync("""{"context_id":"c1","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c1");

        Assert.Equal(EmulatorAudio.ExpectedByteCount("One two. ", 24000, "pcm_s16le", 0.05), result.AudioOf("c1").Length);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.EndOfInput && e.ContextId == "c1");
    }

    [Fact]
    public async Task NoContextId_UsesDefaultContext()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"transcript":"Hi. "}""");
        await ws.SendAsync("""{"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("default");

        Assert.Equal(EmulatorAudio.ExpectedByteCount("Hi. ", 24000, "pcm_s16le", 0.05), result.AudioOf("default").Length);
    }

    [Fact]
    public async Task WhitespaceTranscript_ProducesNoAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c1","transcript":" ","force":true}""");
        await ws.SendAsync("""{"context_id":"c1","close_context":true,"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c1");

        Assert.Empty(result.AudioOf("c1"));
        Assert.Single(result.Messages);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Flush && e.Detail == "force=true");
    }

    [Fact]
    public async Task Terminate_ClosesConnection()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"terminate":true}""");

        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
    }
}
