#pragma warning disable MEAI001 // The text-to-speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Text.Json;
using AsyncAI.TextToSpeech.AI;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Testing;
using AsyncAI.TextToSpeech.Tests.Http;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.Tests.AI;

public class AsyncAITextToSpeechClientTests
{
    private const string Text = "Hello from the adapter.";
    private const string GretaVoiceId = "6909a201-b376-4fb1-989a-de5c1304cb26"; // the emulator's German voice
    private const string AvaVoiceId = "cab5c9a4-a4ee-43ef-830c-99a4cd20b591";

    [Fact]
    public async Task GetAudioAsync_Defaults_ReturnsAllPcmLabelledWithRateAndByteOrder()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await fixture.Client.GetAudioAsync(Text, cancellationToken: cts.Token);

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal(fixture.ExpectedBytes(Text), audio.Data.Length);
        Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", audio.MediaType);
        Assert.Equal("async_flash_v1.0", response.ModelId);
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
        Assert.Equal(Text.Length, response.Usage!.AdditionalCounts![AsyncAITextToSpeechPropertyNames.InputCharacterCount]);
        Assert.IsType<AsyncAISpeechAudio>(response.RawRepresentation);
        Assert.Equal("raw", fixture.Bodies.Single.GetProperty("output_format").GetProperty("container").GetString());
    }

    [Fact]
    public async Task GetAudioAsync_WavFormat_ReturnsWholeWavFileFromTheSynthesisEndpoint()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await fixture.Client.GetAudioAsync(Text, new TextToSpeechOptions { AudioFormat = "audio/wav" }, cts.Token);

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/wav", audio.MediaType);
        Assert.Equal("RIFF"u8.ToArray(), audio.Data[..4].ToArray());
        Assert.Equal(fixture.ExpectedBytes(Text) + 44, audio.Data.Length);
        Assert.Equal("wav", fixture.Bodies.Single.GetProperty("output_format").GetProperty("container").GetString());
        Assert.Contains(await HttpTestKit.HttpRequestsAsync(fixture.Emulator, 1), e => e.Detail!.StartsWith("POST /text_to_speech 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAudioAsync_AudioMpeg_OneDataContentOfMp3FramesAsLongAsThePcm()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await fixture.Client.GetAudioAsync(Text, new TextToSpeechOptions { AudioFormat = "audio/mpeg" }, cts.Token);

        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/mpeg", audio.MediaType);
        var frames = Mp3FrameReader.ReadAll(audio.Data.Span);
        Assert.All(frames, f => Assert.Equal(24000, f.SampleRate)); // the client's default rate
        var pcm = TimeSpan.FromSeconds(fixture.ExpectedBytes(Text) / 2.0 / 24000);
        Assert.InRange(Mp3FrameReader.Duration(frames), pcm, pcm + frames[0].Duration);
        var raw = Assert.IsType<AsyncAISpeechAudio>(response.RawRepresentation);
        Assert.Equal("mp3", raw.Container);
        Assert.Null(raw.Duration);
        Assert.Equal("mp3", fixture.Bodies.Single.GetProperty("output_format").GetProperty("container").GetString());
        Assert.Contains(await HttpTestKit.HttpRequestsAsync(fixture.Emulator, 1), e => e.Detail!.StartsWith("POST /text_to_speech/streaming 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingAudioAsync_AudioMpeg_ChunksInOrderJoinToTheFramesOfGetAudioAsync()
    {
        await using var fixture = await AdapterFixture.StartAsync(fault: "http-chunk:333");
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions { AudioFormat = "mp3", AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.SampleRate] = 22050 } };

        var updates = await Updates.ReadAllAsync(fixture.Client.GetStreamingAudioAsync(Text, options, cts.Token), cts.Token);
        var whole = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        var audio = updates[1..^2];
        Assert.True(audio.Count > 1, "odd-sized writes should arrive as several chunks");
        Assert.All(audio, u =>
        {
            Assert.Equal(TextToSpeechResponseUpdateKind.AudioUpdating, u.Kind);
            Assert.Equal("audio/mpeg", Assert.IsType<DataContent>(Assert.Single(u.Contents)).MediaType);
        });
        Assert.Equal(TextToSpeechResponseUpdateKind.SessionClose, updates[^1].Kind);
        var joined = Updates.Audio(updates);
        Assert.Equal(Assert.IsType<DataContent>(Assert.Single(whole.Contents)).Data.ToArray(), joined);
        var frames = Mp3FrameReader.ReadAll(joined); // 22.05 kHz: padded and unpadded frames, so order shows
        Assert.All(frames, f => Assert.Equal(22050, f.SampleRate));
        Assert.Contains(frames, f => f.Padding);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_OddSizedWrites_UpdatesInOrderWithWholeSamplesAndOneResponseId()
    {
        await using var fixture = await AdapterFixture.StartAsync(fault: "http-chunk:333");
        using var cts = HttpTestKit.TimeoutSource();

        var updates = await Updates.ReadAllAsync(fixture.Client.GetStreamingAudioAsync(Text, cancellationToken: cts.Token), cts.Token);

        Assert.Equal(TextToSpeechResponseUpdateKind.SessionOpen, updates[0].Kind);
        Assert.Equal(TextToSpeechResponseUpdateKind.AudioUpdated, updates[^2].Kind);
        Assert.Equal(TextToSpeechResponseUpdateKind.SessionClose, updates[^1].Kind);
        var audio = updates[1..^2];
        Assert.True(audio.Count > 1, "odd-sized writes should arrive as several chunks");
        Assert.All(audio, u =>
        {
            Assert.Equal(TextToSpeechResponseUpdateKind.AudioUpdating, u.Kind);
            var data = Assert.IsType<DataContent>(Assert.Single(u.Contents));
            Assert.Equal(0, data.Data.Length % 2);
            Assert.Equal("audio/pcm;codec=s16le;rate=24000;channels=1", data.MediaType);
            Assert.IsType<AudioChunk>(u.RawRepresentation);
        });
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.NotNull(updates[0].ResponseId);
        Assert.All(updates, u => Assert.Equal("async_flash_v1.0", u.ModelId));
        Assert.Equal(fixture.ExpectedBytes(Text), Updates.Audio(updates).Length);
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(Text.Length, usage.Details.AdditionalCounts![AsyncAITextToSpeechPropertyNames.InputCharacterCount]);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_CoalescedWithMeaiHelper_KeepsAudioUsageAndResponseId()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await fixture.Client.GetStreamingAudioAsync(Text, cancellationToken: cts.Token).ToTextToSpeechResponseAsync(cts.Token);

        Assert.Equal(fixture.ExpectedBytes(Text), response.Contents.OfType<DataContent>().Sum(d => d.Data.Length));
        Assert.Equal(Text.Length, response.Usage!.AdditionalCounts![AsyncAITextToSpeechPropertyNames.InputCharacterCount]);
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
    }

    [Fact]
    public async Task GetStreamingAudioAsync_WavFormat_OneUpdateWithTheWholeFile()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var updates = await Updates.ReadAllAsync(fixture.Client.GetStreamingAudioAsync(Text, new TextToSpeechOptions { AudioFormat = "wav" }, cts.Token), cts.Token);

        Assert.Equal(
            [TextToSpeechResponseUpdateKind.SessionOpen, TextToSpeechResponseUpdateKind.AudioUpdating, TextToSpeechResponseUpdateKind.AudioUpdated, TextToSpeechResponseUpdateKind.SessionClose],
            updates.Select(u => u.Kind));
        var wav = Assert.IsType<DataContent>(Assert.Single(updates[1].Contents));
        Assert.Equal("audio/wav", wav.MediaType);
        Assert.Equal(fixture.ExpectedBytes(Text) + 44, wav.Data.Length);
    }

    [Fact]
    public async Task GetAudioAsync_TypedOptions_MappedIntoTheRequestBody()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions
        {
            VoiceId = GretaVoiceId,
            ModelId = "async_flash_v1.5",
            Language = "de-DE",
            Speed = 1.1f,
            AudioFormat = "pcm_f32le",
            AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.Stability] = 40, [AsyncAITextToSpeechPropertyNames.SampleRate] = 16000L },
        };

        var response = await fixture.Client.GetAudioAsync("Guten Tag", options, cts.Token);

        var body = fixture.Bodies.Single;
        Assert.Equal(GretaVoiceId, body.GetProperty("voice").GetProperty("id").GetString());
        Assert.Equal("async_flash_v1.5", body.GetProperty("model_id").GetString());
        Assert.Equal("de", body.GetProperty("language").GetString());
        Assert.Equal("1.1", body.GetProperty("speed_control").GetRawText());
        Assert.Equal(40, body.GetProperty("stability").GetInt32());
        Assert.Equal("pcm_f32le", body.GetProperty("output_format").GetProperty("encoding").GetString());
        Assert.Equal(16000, body.GetProperty("output_format").GetProperty("sample_rate").GetInt32());
        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal(fixture.ExpectedBytes("Guten Tag", 16000, "pcm_f32le"), audio.Data.Length);
        Assert.Equal("audio/pcm;codec=f32le;rate=16000;channels=1", audio.MediaType);
        Assert.Equal("async_flash_v1.5", response.ModelId);
        Assert.Null(options.RawRepresentationFactory);
        Assert.Equal("de-DE", options.Language); // the caller's options are not mutated
    }

    [Fact]
    public async Task GetAudioAsync_RawRepresentationFactory_WinsOverTypedOptionsAndIsNotMutated()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var raw = new AsyncAIHttpRequestOptions { VoiceId = AvaVoiceId, Encoding = "pcm_mulaw", SampleRate = 8000 };
        ITextToSpeechClient? factoryArgument = null;
        var options = new TextToSpeechOptions
        {
            VoiceId = GretaVoiceId,
            Language = "fr",
            AudioFormat = "pcm_s16le",
            RawRepresentationFactory = client => { factoryArgument = client; return raw; },
        };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        var body = fixture.Bodies.Single;
        Assert.Same(fixture.Client, factoryArgument);
        Assert.Equal(AvaVoiceId, body.GetProperty("voice").GetProperty("id").GetString());
        Assert.Equal("fr", body.GetProperty("language").GetString());
        Assert.Equal("pcm_mulaw", body.GetProperty("output_format").GetProperty("encoding").GetString());
        Assert.Equal("audio/pcmu;rate=8000;channels=1", Assert.IsType<DataContent>(Assert.Single(response.Contents)).MediaType);
        Assert.Null(raw.Language);
        Assert.Null(raw.Container);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(2.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(0.69f)]
    [InlineData(1e30f)] // beyond decimal's range: it used to be an OverflowException
    [InlineData(-1e30f)]
    public async Task GetAudioAsync_SpeedOutOfRange_ThrowsNamingSpeedBeforeAnyRequest(float speed)
    {
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions { Speed = speed };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>("options", () => fixture.Client.GetAudioAsync(Text, options));
        var streamingError = Assert.Throws<ArgumentOutOfRangeException>("options", () => fixture.Client.GetStreamingAudioAsync(Text, options));

        Assert.Contains("TextToSpeechOptions.Speed", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.7", streamingError.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Bodies.All);
    }

    [Theory]
    [InlineData(0.7f, "0.7")]
    [InlineData(2f, "2")]
    public async Task GetAudioAsync_SpeedAtTheLimits_SentAsWritten(float speed, string expected)
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        await fixture.Client.GetAudioAsync(Text, new TextToSpeechOptions { Speed = speed }, cts.Token);

        Assert.Equal(expected, fixture.Bodies.Single.GetProperty("speed_control").GetRawText());
    }

    [Theory]
    [InlineData("audio/L16;rate=24000", "big-endian")]
    [InlineData("ogg", "AudioFormat")]
    [InlineData("audio/pcm;codec=s24le", "s24le")]
    [InlineData("audio/pcm;channels=2", "mono")]
    public async Task GetAudioAsync_AudioFormatAsyncCannotProduce_ThrowsSayingWhy(string format, string expected)
    {
        await using var fixture = await AdapterFixture.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => fixture.Client.GetAudioAsync(Text, new TextToSpeechOptions { AudioFormat = format }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audio/pcmu;codec=s16le", "contradicts audio/pcmu")]
    [InlineData("pcm_f32le;codec=s16le", "contradicts pcm_f32le")]
    [InlineData("audio/pcm;codec=s16le;codec=f32le", "contradicts codec=s16le")]
    [InlineData("audio/pcm;codec=s16le;rate=16000;rate=24000", "contradicts its rate 16000")]
    [InlineData("audio/mpeg;codec=s16le", "MP3")]
    [InlineData("audio/wav;codec=mulaw", "WAV")]
    public async Task AudioFormat_Contradictory_ThrowsNamingTheOptionBeforeAnyRequest(string format, string expected)
    {
        // It used to go out as whatever the last part said: audio/pcmu;codec=s16le gave s16le audio.
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions { AudioFormat = format };

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => fixture.Client.GetAudioAsync(Text, options));
        var streamingError = Assert.Throws<ArgumentException>("options", () => fixture.Client.GetStreamingAudioAsync(Text, options));

        Assert.StartsWith($"TextToSpeechOptions.AudioFormat '{format}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("audio/pcm;codec=s16le|f32le", error.Message, StringComparison.Ordinal); // what is accepted
        Assert.Equal(error.Message, streamingError.Message);
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task AudioFormatRate_ContradictsTheSampleRateProperty_ThrowsNamingBothBeforeAnyRequest()
    {
        // The AudioFormat's rate used to win silently over AdditionalProperties["sample_rate"].
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions
        {
            AudioFormat = "audio/pcm;codec=s16le;rate=16000",
            AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.SampleRate] = 22050 },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => fixture.Client.GetAudioAsync(Text, options));
        var streamingError = Assert.Throws<ArgumentException>("options", () => fixture.Client.GetStreamingAudioAsync(Text, options));

        Assert.Contains("TextToSpeechOptions.AudioFormat rate 16000", error.Message, StringComparison.Ordinal);
        Assert.Contains("AdditionalProperties[\"sample_rate\"] 22050", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, streamingError.Message);
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task AudioFormatRate_SameAsTheSampleRateProperty_Accepted()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions
        {
            AudioFormat = "audio/pcm;codec=s16le;rate=16000",
            AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.SampleRate] = "16000" },
        };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        Assert.Equal(16000, fixture.Bodies.Single.GetProperty("output_format").GetProperty("sample_rate").GetInt32());
        var audio = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/pcm;codec=s16le;rate=16000;channels=1", audio.MediaType);
        Assert.Equal(fixture.ExpectedBytes(Text, 16000), audio.Data.Length);
    }

    [Fact]
    public async Task GetAudioAsync_WavWithACodec_AWavFileOfThoseSamples()
    {
        // The codec of a WAV media type used to be dropped: audio/wav;codec=f32le gave a 16-bit file.
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();

        var response = await fixture.Client.GetAudioAsync(Text, new TextToSpeechOptions { AudioFormat = "audio/wav;codec=f32le" }, cts.Token);

        Assert.Equal("pcm_f32le", fixture.Bodies.Single.GetProperty("output_format").GetProperty("encoding").GetString());
        var wav = Assert.IsType<DataContent>(Assert.Single(response.Contents));
        Assert.Equal("audio/wav", wav.MediaType);
        Assert.Equal(fixture.ExpectedBytes(Text, encoding: "pcm_f32le") + 44, wav.Data.Length);
        Assert.Equal(3, BitConverter.ToUInt16(wav.Data.Span[20..22])); // WAVE_FORMAT_IEEE_FLOAT
    }

    [Theory]
    [InlineData(false, "AsyncAIHttpOptions.Encoding")]
    [InlineData(true, "AsyncAIHttpRequestOptions.Encoding")]
    public async Task GetAudioAsync_WavWithMulaw_ThrowsNamingWhereTheEncodingCameFromBeforeAnyRequest(bool fromFactory, string expected)
    {
        // WAV is made only by POST /text_to_speech, whose schema has no pcm_mulaw (the service answers 400).
        await using var fixture = await AdapterFixture.StartAsync(configure: o => o.Encoding = fromFactory ? "pcm_s16le" : "pcm_mulaw");
        var options = new TextToSpeechOptions { AudioFormat = "audio/wav" };
        if (fromFactory)
        {
            options.RawRepresentationFactory = _ => new AsyncAIHttpRequestOptions { Encoding = "pcm_mulaw" };
        }

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => fixture.Client.GetAudioAsync(Text, options));
        var streamingError = Assert.Throws<ArgumentException>("options", () => fixture.Client.GetStreamingAudioAsync(Text, options));

        Assert.Contains("TextToSpeechOptions.AudioFormat", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, streamingError.Message);
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task GetAudioAsync_BadAdditionalProperty_ThrowsNamingTheKey()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions { AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.Stability] = 101 } };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>("options", () => fixture.Client.GetAudioAsync(Text, options));

        Assert.Contains("\"stability\"", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<object> BitRate128000 => new() { 128000, 128000L, 128000.0, 128000f, 128000m, "128000", JsonSerializer.Deserialize<JsonElement>("128000") };

    [Theory]
    [MemberData(nameof(BitRate128000))]
    public async Task GetAudioAsync_BitRateProperty_AnyNumberType_ReachesTheMp3Request(object bitRate)
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions
        {
            AudioFormat = "audio/mpeg",
            AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.SampleRate] = 44100, [AsyncAITextToSpeechPropertyNames.BitRate] = bitRate },
        };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        Assert.Equal(128000, fixture.Bodies.Single.GetProperty("output_format").GetProperty("bit_rate").GetInt32());
        var frames = Mp3FrameReader.ReadAll(Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Span);
        Assert.All(frames, f => Assert.Equal(128000, f.BitRate));
        Assert.All(frames, f => Assert.Equal(44100, f.SampleRate));
    }

    // AsyncAITextToSpeechPropertyNames promises "any number type (or a string holding a number)": the unsigned and
    // half-precision types, and JSON numbers written with a fraction or JSON strings (AdditionalProperties read from
    // JSON or configuration), are numbers too.
    public static TheoryData<object> SampleRate16000 => new()
    {
        (ushort)16000, 16000u, 16000UL, (Half)16000, (nint)16000,
        JsonSerializer.Deserialize<JsonElement>("16000.0"), JsonSerializer.Deserialize<JsonElement>("\"16000\""),
    };

    [Theory]
    [MemberData(nameof(SampleRate16000))]
    public async Task GetAudioAsync_SampleRateProperty_OtherNumberTypes_ReachTheRequest(object sampleRate)
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions { AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.SampleRate] = sampleRate } };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        Assert.Equal(16000, fixture.Bodies.Single.GetProperty("output_format").GetProperty("sample_rate").GetInt32());
        Assert.Equal("audio/pcm;codec=s16le;rate=16000;channels=1", Assert.IsType<DataContent>(Assert.Single(response.Contents)).MediaType);
    }

    [Fact]
    public async Task GetAudioAsync_RawRepresentationFactoryBitRate_WinsOverTheProperty()
    {
        await using var fixture = await AdapterFixture.StartAsync(configure: o => { o.Container = "mp3"; o.SampleRate = 44100; });
        using var cts = HttpTestKit.TimeoutSource();
        var raw = new AsyncAIHttpRequestOptions { BitRate = 64000 };
        var options = new TextToSpeechOptions
        {
            AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = 256000 },
            RawRepresentationFactory = _ => raw,
        };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        Assert.Equal(64000, fixture.Bodies.Single.GetProperty("output_format").GetProperty("bit_rate").GetInt32());
        Assert.All(Mp3FrameReader.ReadAll(Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Span), f => Assert.Equal(64000, f.BitRate));
        Assert.Equal(64000, raw.BitRate);
        Assert.Null(raw.Container); // the factory's instance is copied, never filled in
    }

    [Fact]
    public async Task GetAudioAsync_BitRatePropertyWithRawPcm_NotSentAndThePcmUnchanged()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        var options = new TextToSpeechOptions { AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = 128000 } };

        var response = await fixture.Client.GetAudioAsync(Text, options, cts.Token);

        var format = fixture.Bodies.Single.GetProperty("output_format");
        Assert.Equal("raw", format.GetProperty("container").GetString());
        Assert.False(format.TryGetProperty("bit_rate", out _), "bit_rate is for mp3 only");
        Assert.Equal(fixture.ExpectedBytes(Text), Assert.IsType<DataContent>(Assert.Single(response.Contents)).Data.Length);
    }

    [Theory]
    [InlineData(31999)]
    [InlineData(320001)]
    [InlineData(128)]
    public async Task GetAudioAsync_BitRatePropertyOutOfRange_ThrowsNamingTheKeyBeforeAnyRequest(int bitRate)
    {
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions { AudioFormat = "mp3", AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = bitRate } };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>("options", () => fixture.Client.GetAudioAsync(Text, options));
        var streamingError = Assert.Throws<ArgumentOutOfRangeException>("options", () => fixture.Client.GetStreamingAudioAsync(Text, options));

        Assert.Equal("TextToSpeechOptions.AdditionalProperties[\"bit_rate\"] must be between 32000 and 320000.", error.Message.Split(" (Parameter")[0]);
        Assert.Equal(error.Message, streamingError.Message);
        Assert.Empty(fixture.Bodies.All);
    }

    [Theory]
    [InlineData("bit_rate", 999999)]
    [InlineData("stability", 101)]
    [InlineData("sample_rate", 7999)]
    public async Task GetAudioAsync_BadPropertyBesideAFactoryThatSetsIt_StillThrowsNamingTheKey(string key, int value)
    {
        // The factory's value wins, but a bad property is still an error, as it is without a factory and over the WebSocket.
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions
        {
            AdditionalProperties = new() { [key] = value },
            RawRepresentationFactory = _ => new AsyncAIHttpRequestOptions { BitRate = 64000, Stability = 50, SampleRate = 16000 },
        };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>("options", () => fixture.Client.GetAudioAsync(Text, options));

        Assert.Contains($"AdditionalProperties[\"{key}\"]", error.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task GetAudioAsync_BitRatePropertyNotANumber_ThrowsNamingTheKey()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        var options = new TextToSpeechOptions { AudioFormat = "mp3", AdditionalProperties = new() { [AsyncAITextToSpeechPropertyNames.BitRate] = "128k" } };

        var error = await Assert.ThrowsAsync<ArgumentException>("options", () => fixture.Client.GetAudioAsync(Text, options));

        Assert.Contains("AdditionalProperties[\"bit_rate\"] must be a whole number", error.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task GetAudioAsync_ServiceRefusesKey_AsyncAIExceptionWithAuthenticationCategory()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        fixture.Emulator.Options.Faults.FailNextHttpRequests(1, 401, "INVALID_API_KEY");

        var error = await Assert.ThrowsAsync<AsyncAIException>(() => fixture.Client.GetAudioAsync(Text, cancellationToken: cts.Token));

        Assert.Equal(AsyncAIErrorCategory.Authentication, error.Category);
        Assert.Equal("INVALID_API_KEY", error.ErrorCode);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_QuotaRunsOutMidStream_AudioThenAsyncAIExceptionWithQuotaCategory()
    {
        await using var fixture = await AdapterFixture.StartAsync(fault: "quota-after:4800");
        using var cts = HttpTestKit.TimeoutSource();
        var received = new List<TextToSpeechResponseUpdate>();

        var error = await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var update in fixture.Client.GetStreamingAudioAsync(Text, cancellationToken: cts.Token).WithCancellation(cts.Token))
            {
                received.Add(update);
            }
        });

        Assert.Equal(AsyncAIErrorCategory.Quota, error.Category);
        Assert.Contains(received, u => u.Kind == TextToSpeechResponseUpdateKind.AudioUpdating);
        Assert.DoesNotContain(received, u => u.Kind == TextToSpeechResponseUpdateKind.SessionClose);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_CancelledToken_ThrowsOnFirstMoveNextWithoutARequest()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var updates = fixture.Client.GetStreamingAudioAsync(Text, cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Updates.ReadAllAsync(updates, CancellationToken.None));
        Assert.Empty(fixture.Bodies.All);
    }

    [Fact]
    public async Task GetStreamingAudioAsync_ConsumerStopsEarly_ResponseDisposedAtOnce()
    {
        await using var emulator = await Emulator.AsyncAIEmulator.StartAsync();
        emulator.Options.PacingRate = 1; // real time: the text below would take 30 s to send
        var disposal = new BodyDisposalHandler();
        using var http = HttpTestKit.CreateHttpClient(handler: disposal);
        using var client = new AsyncAIHttpClient(http, HttpTestKit.Options(emulator)).AsITextToSpeechClient();
        using var cts = HttpTestKit.TimeoutSource();
        var longText = string.Concat(Enumerable.Repeat("Thirty seconds of speech. ", 25));
        var audioUpdates = 0;

        await foreach (var update in client.GetStreamingAudioAsync(longText, cancellationToken: cts.Token).WithCancellation(cts.Token))
        {
            if (update.Kind == TextToSpeechResponseUpdateKind.AudioUpdating)
            {
                audioUpdates++;
                break;
            }
        }

        Assert.Equal(1, audioUpdates);
        Assert.True(disposal.Disposed.IsCompleted, "leaving the loop should dispose the HTTP response before the loop statement returns");
    }

    [Fact]
    public async Task GetStreamingAudioAsync_ConcurrentCalls_IndependentResponses()
    {
        await using var fixture = await AdapterFixture.StartAsync();
        using var cts = HttpTestKit.TimeoutSource();
        string[] texts = ["One.", "Two words.", "Three whole words.", "And a fourth, longer sentence."];

        var results = await Task.WhenAll(texts.Select(t => Updates.ReadAllAsync(fixture.Client.GetStreamingAudioAsync(t, cancellationToken: cts.Token), cts.Token)));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(fixture.ExpectedBytes(texts[i]), Updates.Audio(results[i]).Length);
        }

        Assert.Equal(texts.Length, results.Select(r => Assert.Single(r.Select(u => u.ResponseId).Distinct())).Distinct().Count());
    }

    [Fact]
    public async Task GetService_Metadata_InnerClient_Itself_AndNothingForAKey()
    {
        await using var fixture = await AdapterFixture.StartAsync(configure: o => o.Model = "async_pro_v1.0");

        var metadata = fixture.Client.GetService<TextToSpeechClientMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("asyncai", metadata.ProviderName);
        Assert.Equal(fixture.Emulator.HttpBaseUrl, metadata.ProviderUri);
        Assert.Equal("async_pro_v1.0", metadata.DefaultModelId);
        Assert.Same(fixture.HttpClient, fixture.Client.GetService<AsyncAIHttpClient>());
        Assert.Same(fixture.Client, fixture.Client.GetService<ITextToSpeechClient>());
        Assert.Null(fixture.Client.GetService<AsyncAIHttpClient>("some key"));
        Assert.Null(fixture.Client.GetService<HttpClient>());
        Assert.Throws<ArgumentNullException>("serviceType", () => fixture.Client.GetService(null!));
    }

    [Fact]
    public async Task AsITextToSpeechClient_ArgumentsChecked()
    {
        await using var fixture = await AdapterFixture.StartAsync();

        Assert.Throws<ArgumentNullException>("client", () => AsyncAITextToSpeechClientExtensions.AsITextToSpeechClient((AsyncAIHttpClient)null!));
        await Assert.ThrowsAsync<ArgumentException>("text", () => fixture.Client.GetAudioAsync(" "));
        Assert.Throws<ArgumentNullException>("text", () => fixture.Client.GetStreamingAudioAsync(null!));
    }
}
