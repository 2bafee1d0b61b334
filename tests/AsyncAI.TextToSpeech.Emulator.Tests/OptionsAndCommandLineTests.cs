namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class OptionsAndCommandLineTests
{
    [Fact]
    public void Defaults_MatchTheContract()
    {
        var options = new EmulatorOptions();

        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(0, options.Port);
        Assert.Empty(options.ApiKeys);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.ChunkDuration);
        Assert.Equal(0.05, options.SecondsPerCharacter);
        Assert.Equal(0, options.PacingRate);
        Assert.Equal(TimeSpan.Zero, options.TimeToFirstAudio);
        Assert.Equal(TimeSpan.FromSeconds(60), options.IdleTimeout);
        Assert.False(options.CloseContextTruncates);
        Assert.False(options.WithholdFinal);
        Assert.Equal(1024 * 1024, options.MaxMessageBytes);
        Assert.Equal(256, options.MaxContextsPerConnection);
        Assert.Equal(5000, options.MaxConnections);
    }

    [Fact]
    public void InvalidValues_ThrowNamingTheOption()
    {
        var options = new EmulatorOptions();

        Assert.Equal("Port", Assert.Throws<ArgumentOutOfRangeException>(() => options.Port = 70000).ParamName);
        Assert.Equal("ChunkDuration", Assert.Throws<ArgumentOutOfRangeException>(() => options.ChunkDuration = TimeSpan.Zero).ParamName);
        Assert.Equal("SecondsPerCharacter", Assert.Throws<ArgumentOutOfRangeException>(() => options.SecondsPerCharacter = 0).ParamName);
        Assert.Equal("PacingRate", Assert.Throws<ArgumentOutOfRangeException>(() => options.PacingRate = -1).ParamName);
        Assert.Equal("IdleTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => options.IdleTimeout = TimeSpan.Zero).ParamName);
        Assert.Equal("MaxMessageBytes", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxMessageBytes = 1).ParamName);
        Assert.Equal("MaxContextsPerConnection", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxContextsPerConnection = 0).ParamName);
        Assert.Equal("MaxConnections", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConnections = 0).ParamName);
        Assert.Equal("Host", Assert.Throws<ArgumentException>(() => options.Host = " ").ParamName);
    }

    [Fact]
    public async Task StartAsync_BindsLoopbackOnAFreePort()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        Assert.Equal("127.0.0.1", emulator.HttpBaseUrl.Host);
        Assert.NotEqual(0, emulator.HttpBaseUrl.Port);
        Assert.Equal($"ws://127.0.0.1:{emulator.HttpBaseUrl.Port}/text_to_speech/websocket/ws", emulator.WebSocketUrl.ToString());
    }

    [Fact]
    public async Task ApiKeys_ChangedAtRuntime_ApplyToLaterRequests()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator, key: "anything");
        using var before = await client.PostAsync("/voices", Http.Json("{}"));

        emulator.Options.ApiKeys.Add("sk_only");
        using var after = await client.PostAsync("/voices", Http.Json("{}"));

        Assert.Equal(System.Net.HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public void CommandLine_ParsesEveryFlag()
    {
        var options = EmulatorCommandLine.Parse(
        [
            "--host", "0.0.0.0", "--port", "8765", "--api-key", "sk_a", "--api-key", "sk_b", "--chunk-ms", "40", "--seconds-per-char", "0.02",
            "--pacing", "1.5", "--time-to-first-audio-ms", "150", "--idle-timeout-ms", "5000", "--close-context-truncates", "--withhold-final",
            "--default-context-id", "", "--max-message-bytes", "2048", "--max-contexts", "3", "--max-connections", "4",
            "--max-concurrent-http", "5", "--requests-per-minute", "6", "--fault", "delay:10,odd-length-chunk", "--fault", "quota-after:99",
        ])!;

        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(8765, options.Port);
        Assert.Equal(["sk_a", "sk_b"], options.ApiKeys.Order());
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.ChunkDuration);
        Assert.Equal(0.02, options.SecondsPerCharacter);
        Assert.Equal(1.5, options.PacingRate);
        Assert.Equal(TimeSpan.FromMilliseconds(150), options.TimeToFirstAudio);
        Assert.Equal(TimeSpan.FromSeconds(5), options.IdleTimeout);
        Assert.True(options.CloseContextTruncates);
        Assert.True(options.WithholdFinal);
        Assert.Null(options.DefaultContextId);
        Assert.Equal(2048, options.MaxMessageBytes);
        Assert.Equal(3, options.MaxContextsPerConnection);
        Assert.Equal(4, options.MaxConnections);
        Assert.Equal(5, options.MaxConcurrentHttpRequests);
        Assert.Equal(6, options.HttpRequestsPerMinute);
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.Faults.ExtraDelay);
        Assert.True(options.Faults.OddLengthChunk);
        Assert.Equal(99, options.Faults.QuotaExceededAfterBytes);
    }

    [Fact]
    public void CommandLine_Help_ReturnsNull()
    {
        Assert.Null(EmulatorCommandLine.Parse(["--help"]));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--port", "x")]
    [InlineData("--port")]
    [InlineData("--fault", "nonsense")]
    public void CommandLine_BadInput_Throws(params string[] args)
    {
        Assert.ThrowsAny<Exception>(() => EmulatorCommandLine.Parse(args));
    }

    [Fact]
    public async Task CommandLine_BadInput_ExitsWith2AndExplains()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await EmulatorCommandLine.RunAsync(["--pacing", "-3"], output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("PacingRate", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectedByteCount_IsAdditiveAcrossSplits()
    {
        var whole = EmulatorAudio.ExpectedByteCount("Hello brave new world", 44100, "pcm_f32le", 0.037);
        var parts = EmulatorAudio.ExpectedByteCount("Hello brave ", 44100, "pcm_f32le", 0.037) + EmulatorAudio.ExpectedByteCount("new world", 44100, "pcm_f32le", 0.037);

        Assert.Equal(whole, parts);
        Assert.Equal(18 * 1632 * 4, whole); // 18 non-space chars × round(0.037 × 44100) samples × 4 bytes
        Assert.Equal(0, EmulatorAudio.ExpectedByteCount("   ", 8000, "pcm_mulaw", 0.05));
    }

    [Fact]
    public void ExpectedByteCount_RejectsUnknownEncodingAndRate()
    {
        Assert.Equal("encoding", Assert.Throws<ArgumentOutOfRangeException>(() => EmulatorAudio.ExpectedByteCount("a", 8000, "mp3", 0.05)).ParamName);
        Assert.Equal("sampleRate", Assert.Throws<ArgumentOutOfRangeException>(() => EmulatorAudio.ExpectedByteCount("a", 100, "pcm_s16le", 0.05)).ParamName);
    }
}

public sealed class JournalTests
{
    [Fact]
    public async Task WaitForAsync_Cancelled_CompletesAsCancelled()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var cts = new CancellationTokenSource();
        var wait = emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Terminate, cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
