using System.Diagnostics;
using System.Net.WebSockets;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class WebSocketTimingTests
{
    [Fact]
    public async Task IdleTimeout_SendsTimeoutErrorThenCloses()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var ws = await RawSocket.ConnectAsync(emulator);

        var error = await ws.ReceiveAsync();

        Assert.Equal("TIMEOUT", error!.Value.GetProperty("error_code").GetString());
        Assert.Equal("Timeout: no message received in 0.3 seconds", error.Value.GetProperty("message").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, error.Value.GetProperty("extra").ValueKind);
        Assert.True(error.Value.TryGetProperty("request_id", out _));
        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.ErrorSent && e.Detail == "TIMEOUT").WaitAsync(RawSocket.Timeout);
    }

    [Fact]
    public async Task IdleTimeout_DefaultMessageMatchesLiveService()
    {
        var options = new EmulatorOptions();
        Assert.Equal(TimeSpan.FromSeconds(60), options.IdleTimeout);
        options.IdleTimeout = TimeSpan.FromMilliseconds(200);
        options.IdleTimeout = TimeSpan.FromSeconds(60);
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { IdleTimeout = TimeSpan.FromMilliseconds(100) });
        emulator.Options.IdleTimeout = TimeSpan.FromSeconds(0.25); // live: applies to the next connection
        await using var ws = await RawSocket.ConnectAsync(emulator);

        var error = await ws.ReceiveAsync();

        Assert.Equal("Timeout: no message received in 0.25 seconds", error!.Value.GetProperty("message").GetString());
    }

    [Fact]
    public async Task IdleTimeout_ShortenedWhileAConnectionIsIdle_AppliesToThatConnection()
    {
        // The options are live. The idle writer sleeps until its IdleTimeout (60 s) deadline and, unless the change
        // wakes it, never looks at the new value before then.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init, RawSocket.Timeout);

        emulator.Options.IdleTimeout = TimeSpan.FromMilliseconds(200);

        var error = await ws.ReceiveAsync(RawSocket.Timeout); // well within 10 s
        Assert.Equal("Timeout: no message received in 0.2 seconds", error!.Value.GetProperty("message").GetString());
        Assert.Null(await ws.ReceiveRawAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task Keepalive_ResetsIdleTimer()
    {
        // Keepalives every 150 ms for twice the idle timeout; the timeout leaves 1.35 s for a loaded machine's stalls.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { IdleTimeout = TimeSpan.FromMilliseconds(1500) });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromMilliseconds(3000))
        {
            await ws.SendAsync("""{"transcript":" "}""");
            await Task.Delay(150); // client pacing, not synchronization
        }

        await ws.SendAsync("""{"context_id":"c","transcript":"a "}""");
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");
        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task Pacing_RealTime_TakesAboutTheAudioDuration()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var stopwatch = Stopwatch.StartNew();
        await ws.SendAsync("""{"context_id":"c","transcript":"abcdefghij "}"""); // 10 chars = 0.5 s
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        await ws.CollectUntilFinalAsync("c");

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(400), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task PacingOff_IsMuchFasterThanRealTime()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var stopwatch = Stopwatch.StartNew();
        await ws.SendAsync($$"""{"context_id":"c","transcript":"{{new string('a', 400)}} "}"""); // 20 s of audio
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(1000, result.ChunkSizes.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task TimeToFirstAudio_DelaysFirstChunk()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { TimeToFirstAudio = TimeSpan.FromMilliseconds(300) });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var stopwatch = Stopwatch.StartNew();
        await ws.SendAsync("""{"context_id":"c","transcript":"a "}""");

        await ws.ReceiveAsync();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(250), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task ChunkDuration_SetsAudioPerMessage()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ChunkDuration = TimeSpan.FromMilliseconds(100), SecondsPerCharacter = 0.1 });
        await using var ws = await RawSocket.ConnectAsync(emulator, sampleRate: 16000);
        await ws.SendAsync("""{"context_id":"c","transcript":"abcde "}"""); // 0.5 s
        await ws.SendAsync("""{"context_id":"c","transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal([3200, 3200, 3200, 3200, 3200], result.ChunkSizes);
        Assert.Equal(EmulatorAudio.ExpectedByteCount("abcde", 16000, "pcm_s16le", 0.1), result.AudioOf("c").Length);
    }

    [Fact]
    public async Task CloseContext_CompletesPendingAudio_ByDefault()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 10 });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var text = new string('a', 40) + " "; // 2 s of audio, 0.2 s at 10x
        await ws.SendAsync($$"""{"context_id":"c","transcript":"{{text}}"}""");
        await ws.ReceiveAsync(); // first audio is out, the rest is pending
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.Equal(EmulatorAudio.ExpectedByteCount(text, 24000, "pcm_s16le", 0.05), result.AudioOf("c").Length + 960);
    }

    [Fact]
    public async Task CloseContext_WithTruncateSwitch_DropsPendingAudio()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1, CloseContextTruncates = true });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        var text = new string('a', 100) + " "; // 5 s of audio
        await ws.SendAsync($$"""{"context_id":"c","transcript":"{{text}}"}""");
        await ws.ReceiveAsync();
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");

        var result = await ws.CollectUntilFinalAsync("c");

        Assert.True(result.AudioOf("c").Length + 960 < EmulatorAudio.ExpectedByteCount(text, 24000, "pcm_s16le", 0.05) / 2);
        Assert.Contains("c", result.Finals);
    }

    [Fact]
    public async Task WithholdFinal_NeverSendsFinal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { WithholdFinal = true });
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync("""{"context_id":"c","transcript":"abc "}""");
        await ws.SendAsync("""{"context_id":"c","close_context":true,"transcript":""}""");
        var expected = EmulatorAudio.ExpectedByteCount("abc", 24000, "pcm_s16le", 0.05);
        var received = 0;
        while (received < expected)
        {
            var message = await ws.ReceiveAsync();
            received += Convert.FromBase64String(message!.Value.GetProperty("audio").GetString()!).Length;
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.ReceiveRawAsync(TimeSpan.FromMilliseconds(300)));
        Assert.DoesNotContain(emulator.Journal.Snapshot(), e => e.Kind == EmulatorEventKind.FinalSent);
    }

    [Fact]
    public async Task Dispose_WithOpenConnections_Completes()
    {
        var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        var ws = await RawSocket.ConnectAsync(emulator);
        await ws.SendAsync($$"""{"context_id":"c","transcript":"{{new string('a', 1000)}} "}""");
        await ws.ReceiveAsync();

        await emulator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (await ws.ReceiveRawAsync() is not null)
            {
            }

            throw new InvalidOperationException("closed");
        });
        await ws.DisposeAsync();
    }
}
