using System.Net.WebSockets;
using System.Text.Json;
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
        Assert.Equal("c1", final.GetProperty("context_id").GetString());
        Assert.Equal("", final.GetProperty("audio").GetString());
        Assert.True(final.GetProperty("final").GetBoolean());
        Assert.All(result.Messages.SkipLast(1), m => Assert.False(m.GetProperty("final").GetBoolean()));
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
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.EndOfInput && e.ContextId == "c1", RawSocket.Timeout);
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
        Assert.Equal(result.AudioOf("default").Length, emulator.Journal.AudioBytesSent("default"));
    }

    [Fact]
    public async Task NoContextId_WithNullDefaultContextId_OmitsContextIdField()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { DefaultContextId = null });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"transcript":"Hi. "}""");
        await ws.SendAsync("""{"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("");

        Assert.All(result.Messages, m => Assert.False(m.TryGetProperty("context_id", out _)));
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Hi. ", 24000, "pcm_s16le", 0.05), result.AudioOf("").Length);
    }

    [Fact]
    public async Task WhitespaceTranscript_ProducesNoAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c1","transcript":" ","force":true}""");
        await ws.SendAsync("""{"transcript":"  "}""");
        await ws.SendAsync("""{"context_id":"c1","close_context":true,"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c1");

        Assert.Empty(result.AudioOf("c1"));
        Assert.Single(result.Messages);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Flush && e.Detail == "force=true", RawSocket.Timeout);
        Assert.Equal(0, emulator.Journal.AudioBytesSent("default"));
    }

    [Fact]
    public async Task SeveralContexts_AreGeneratedConcurrently_EachComplete()
    {
        // Paced (at 10x real time: a chunk every 2 ms), so "b" surely arrives while "a" is still being generated; unpaced,
        // "a" could be sent whole before the reader even reads "b" on a loaded machine.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 10 });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var text = new string('x', 60) + " ";
        await ws.SendAsync($$"""{"context_id":"a","transcript":"{{text}}"}""");
        await ws.SendAsync($$"""{"context_id":"b","transcript":"{{text}}"}""");
        await ws.SendAsync("""{"context_id":"a","transcript":""}""");
        await ws.SendAsync("""{"context_id":"b","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("a", "b");

        var expected = EmulatorAudio.ExpectedByteCount(text, 24000, "pcm_s16le", 0.05);
        Assert.Equal(expected, result.AudioOf("a").Length);
        Assert.Equal(expected, result.AudioOf("b").Length);
        // interleaved: some "b" audio arrives before the last "a" audio
        Assert.True(result.Order.IndexOf("b") < result.Order.LastIndexOf("a"));
        Assert.Equal(result.AudioOf("a"), result.AudioOf("b")); // same text, same audio
    }

    [Fact]
    public async Task TextWithinContext_IsSpokenInOrder_AndMatchesHttpAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"First part. "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"Second, longer part. "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
        var result = await ws.CollectUntilFinalAsync("c");

        using var http = Http.Client(emulator);
        var first = await (await http.PostAsync("/text_to_speech", Http.Json(Http.Tts("First part. ")))).Content.ReadAsByteArrayAsync();
        var second = await (await http.PostAsync("/text_to_speech", Http.Json(Http.Tts("Second, longer part. ")))).Content.ReadAsByteArrayAsync();

        Assert.Equal([.. first, .. second], result.AudioOf("c"));
    }

    [Fact]
    public async Task ClosedContextId_CanBeReused()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"One. "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
        await ws.CollectUntilFinalAsync("c");
        await ws.SendAsync("""{"context_id":"c","transcript":"Two more. "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");

        var second = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(EmulatorAudio.ExpectedByteCount("Two more. ", 24000, "pcm_s16le", 0.05), second.AudioOf("c").Length);
    }

    [Theory]
    [InlineData("""{"context_id":"c","close_context":true,"transcript":""}""")] // what this project's client sends after final
    [InlineData("""{"context_id":"c","transcript":""}""")]
    public async Task EndOfContext_AfterItsFinal_IsIgnored(string again)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"One. "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");
        await ws.CollectUntilFinalAsync("c");

        await ws.SendAsync(again);
        await ws.SendAsync("""{"context_id":"marker","close_context":true,"transcript":""}"""); // answered with final at once

        var after = await ws.CollectUntilFinalAsync("marker");
        Assert.Equal(["marker"], after.Finals); // no second final for "c" before the marker's
        Assert.Single(emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == "c");
    }

    [Fact]
    public async Task CloseContext_AfterItsFinal_IgnoredAndTheIdStillReusable()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"One. "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
        await ws.CollectUntilFinalAsync("c");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"Two more. "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");

        var second = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(EmulatorAudio.ExpectedByteCount("Two more. ", 24000, "pcm_s16le", 0.05), second.AudioOf("c").Length);
        Assert.Equal(["c"], second.Finals);
        Assert.Equal(2, emulator.Journal.Snapshot().Count(e => e.Kind == EmulatorEventKind.FinalSent && e.ContextId == "c"));
    }

    [Fact]
    public async Task CloseContext_ForUnknownContext_SendsFinalImmediately()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"never-used","close_context":true,"transcript":""}""");

        var message = await ws.ReceiveAsync();

        Assert.Equal("never-used", message!.Value.GetProperty("context_id").GetString());
        Assert.True(message.Value.GetProperty("final").GetBoolean());
    }

    [Fact]
    public async Task TextAfterEndOfInput_BeforeFinal_IsRefusedWithContextError()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { TimeToFirstAudio = TimeSpan.FromMilliseconds(500) });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"One. "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"Too late. "}""");

        var result = await ws.CollectUntilFinalAsync("c");

        var error = Assert.Single(result.Errors);
        Assert.Equal("CONTEXT_CLOSED", error.GetProperty("error_code").GetString());
        Assert.Equal("c", error.GetProperty("context_id").GetString());
        Assert.Equal(EmulatorAudio.ExpectedByteCount("One. ", 24000, "pcm_s16le", 0.05), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task Terminate_ClosesConnectionNormally()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"terminate":true}""");

        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Terminate, RawSocket.Timeout);
    }

    [Fact]
    public async Task LegacyEmptyText_ClosesConnection()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"text":""}""");

        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task FirstMessageNotInit_SendsErrorAndClosesWithPolicyViolation()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, init: false);
        await ws.SendAsync("""{"transcript":"Hello "}""");

        var error = await ws.ReceiveAsync();

        Assert.Equal("VALIDATION_ERROR", error!.Value.GetProperty("error_code").GetString());
        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.Socket.CloseStatus);
    }

    [Theory]
    [InlineData("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"00000000-0000-0000-0000-000000000000"}}""", "VOICE_NOT_FOUND")]
    [InlineData("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"},"language":"xx"}""", "INVALID_LANGUAGE")]
    [InlineData("""{"model_id":"nope","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"}}""", "VALIDATION_ERROR")]
    [InlineData("""{"voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"}}""", "VALIDATION_ERROR")]
    [InlineData("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"},"output_format":{"container":"wav","sample_rate":24000}}""", "VALIDATION_ERROR")]
    [InlineData("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"},"output_format":{"container":"raw","sample_rate":96000}}""", "VALIDATION_ERROR")]
    [InlineData("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"},"output_format":{"container":"mp3","sample_rate":24000}}""", "VALIDATION_ERROR")]
    public async Task InvalidInit_SendsErrorAndCloses(string init, string errorCode)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, init: false);
        await ws.SendAsync(init);

        var error = await ws.ReceiveAsync();

        Assert.Equal(errorCode, error!.Value.GetProperty("error_code").GetString());
        Assert.Equal("emulator-1", error.Value.GetProperty("request_id").GetString());
        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task InitWithoutOutputFormat_DefaultsToRawS16At44100()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, init: false);
        await ws.SendAsync("""{"model_id":"async_flash_v1.5","voice":{"mode":"id","id":"e0f39dc4-f691-4e78-bba5-5c636692cc04"},"unknown_field":1}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"abc "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(EmulatorAudio.ExpectedByteCount("abc", 44100, "pcm_s16le", 0.05), result.AudioOf("c").Length);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init && e.Detail!.Contains("raw/pcm_s16le/44100", StringComparison.Ordinal), RawSocket.Timeout);
    }

    [Fact]
    public async Task InvalidJsonAfterInit_SendsErrorAndStaysOpen()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("{not json");
        await ws.SendAsync("""{"something":"else"}""");
        await ws.SendAsync("""{"context_id":"c","transcript":"ok "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Equal("VALIDATION_ERROR", e.GetProperty("error_code").GetString()));
        Assert.Equal(EmulatorAudio.ExpectedByteCount("ok", 24000, "pcm_s16le", 0.05), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task BinaryFrame_SendsErrorAndStaysOpen()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        var error = await ws.ReceiveAsync();

        Assert.Equal("VALIDATION_ERROR", error!.Value.GetProperty("error_code").GetString());
        Assert.Equal(WebSocketState.Open, ws.Socket.State);
    }

    [Theory]
    [InlineData("pcm_s16le", 8000)]
    [InlineData("pcm_s16le", 44100)]
    [InlineData("pcm_f32le", 48000)]
    [InlineData("pcm_f32le", 22050)]
    [InlineData("pcm_mulaw", 8000)]
    [InlineData("pcm_mulaw", 16000)]
    public async Task Encodings_SendWholeSamplesOfExpectedLength(string encoding, int sampleRate)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, encoding: encoding, sampleRate: sampleRate);
        await ws.SendAsync("""{"context_id":"c","transcript":"Some words here. "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        var bytesPerSample = AudioEncodings.BytesPerSample(encoding);
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Some words here. ", sampleRate, encoding, 0.05), result.AudioOf("c").Length);
        Assert.All(result.ChunkSizes, size => Assert.Equal(0, size % bytesPerSample));
        Assert.Equal(sampleRate / 50 * bytesPerSample, result.ChunkSizes.Max());
    }

    [Fact]
    public async Task AudioIsDeterministic_ButDependsOnText()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        async Task<byte[]> SpeakAsync(string text)
        {
            await using var ws = await RawSocket.ConnectAsync(emulator);
            await ws.SendAsync($$"""{"context_id":"c","transcript":"{{text}}"}""");
            await ws.SendAsync("""{"context_id":"c","transcript":""}""");
            return (await ws.CollectUntilFinalAsync("c")).AudioOf("c");
        }

        var a1 = await SpeakAsync("Hello ");
        var a2 = await SpeakAsync("Hello ");
        var b = await SpeakAsync("World ");

        Assert.Equal(a1, a2);
        Assert.Equal(a1.Length, b.Length);
        Assert.NotEqual(a1, b);
        Assert.Contains(a1, x => x != 0);
    }

    [Fact]
    public async Task Journal_RecordsTheConversation()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using (var ws = await RawSocket.ConnectAsync(emulator))
        {
            await ws.SendAsync("""{"context_id":"c","transcript":"Hi there. "}""");
            await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
            await ws.CollectUntilFinalAsync("c");
        }

        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected).WaitAsync(RawSocket.Timeout);
        var kinds = emulator.Journal.Snapshot().Select(e => e.Kind).ToList();
        // close_context may be read before or after the first audio went out; everything else is ordered
        Assert.Equal(
            [EmulatorEventKind.Connected, EmulatorEventKind.Init, EmulatorEventKind.Text, EmulatorEventKind.AudioSent, EmulatorEventKind.FinalSent, EmulatorEventKind.Disconnected],
            kinds.Where(k => k != EmulatorEventKind.CloseContext).ToList());
        Assert.True(kinds.IndexOf(EmulatorEventKind.CloseContext) < kinds.IndexOf(EmulatorEventKind.FinalSent));
        var final = emulator.Journal.Snapshot().Single(e => e.Kind == EmulatorEventKind.FinalSent);
        Assert.Equal(EmulatorAudio.ExpectedByteCount("Hi there. ", 24000, "pcm_s16le", 0.05).ToString(System.Globalization.CultureInfo.InvariantCulture), final.Detail);
        Assert.Equal(1, emulator.Journal.ConnectionsAccepted);
        Assert.Equal("Hi there. ", emulator.Journal.Snapshot().Single(e => e.Kind == EmulatorEventKind.Text).Detail);
    }

    [Fact]
    public async Task JournalWaitFor_WithATimeout_FailsNamingTheLastEvents_AndLeavesNoWaiterBehind()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Connected, RawSocket.Timeout);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Terminate, TimeSpan.FromMilliseconds(50)));

        Assert.Contains("within 0.05 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Connected", ex.Message, StringComparison.Ordinal);

        // A caller's own cancellation stays a cancellation.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => emulator.Journal.WaitForAsync(e => false, RawSocket.Timeout, cancelled.Token));
    }

    [Fact]
    public async Task JournalWaitFor_MatchesPastAndFutureEvents()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var past = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Connected).WaitAsync(RawSocket.Timeout);
        var future = emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text && e.ContextId == "later");
        Assert.False(future.IsCompleted);

        await ws.SendAsync("""{"context_id":"later","transcript":"x "}""");

        var text = await future.WaitAsync(RawSocket.Timeout);
        Assert.True(text.Sequence > past.Sequence);
        Assert.Equal(past.ConnectionId, text.ConnectionId);
    }
}
