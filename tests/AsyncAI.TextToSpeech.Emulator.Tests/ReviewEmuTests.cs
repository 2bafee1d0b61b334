using System.Net;
using System.Net.WebSockets;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

/// <summary>Regression tests from the emulator review of 2026-11-26.</summary>
public sealed class ReviewEmuTests
{
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
    public async Task CloseAfterIdle_SwitchedOnWhileAConnectionIsIdle_AppliesToThatConnection()
    {
        // EmulatorFaults: "Thread-safe and live". The idle writer sleeps until its IdleTimeout (60 s) deadline and
        // never looks at the new switch before then.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator);
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init, RawSocket.Timeout);

        emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(200);

        Assert.Null(await ws.ReceiveAsync(RawSocket.Timeout)); // closed by the fault, well within 10 s
        Assert.Equal("Idle", ws.Socket.CloseStatusDescription);
    }

    [Fact]
    public async Task OversizeHttpBody_Is413WithAValidationErrorBody()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/text_to_speech", Http.Json(Http.Tts(transcript: new string('a', 1100 * 1024))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = await Http.ErrorDetailAsync(response);
        Assert.Equal("VALIDATION_ERROR", detail.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task DelayFault_DoesNotHoldAConnectionLongAfterTheClientLeft()
    {
        // The writer sat in Task.Delay(delay, stopping): after the client's close the handler waited 5 s, aborted, and
        // then still awaited the writer for the rest of the delay, keeping the connection's slot (MaxConnections).
        await using var emulator = await AsyncAIEmulator.StartAsync();
        await using var ws = await RawSocket.ConnectAsync(emulator, "emulator_fault=delay:60000");
        await ws.SendAsync("""{"context_id":"c","transcript":"Hi "}""");
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text, RawSocket.Timeout);

        using (var cts = new CancellationTokenSource(RawSocket.Timeout))
        {
            await ws.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }

        // Bounded by the 5 s close-handshake timeout, not by the 60 s delay.
        await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Disconnected, TimeSpan.FromSeconds(15));
    }
}
