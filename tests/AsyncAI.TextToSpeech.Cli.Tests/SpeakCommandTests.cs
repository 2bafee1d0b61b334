using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class SpeakCommandTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const double EmulatorSecondsPerCharacter = 0.05;
    private const string Text = "Hello from Async.";

    [Theory]
    [InlineData("pcm_s16le", 24000, 1, 16, 16)]
    [InlineData("pcm_f32le", 16000, 3, 32, 18)]
    [InlineData("pcm_mulaw", 22050, 7, 8, 18)]
    public async Task Speak_WithoutKeyOrUrl_WritesWavWithHeaderForTheEncoding(string encoding, int sampleRate, int formatTag, int bits, int fmtSize)
    {
        using var dir = new TempDirectory();
        // 22050 Hz × 0.05 s = 1103 samples per character: with an odd count of characters the μ-law data chunk is odd and needs a pad byte.
        var text = encoding == "pcm_mulaw" ? "Hello there" : Text;
        string[] args = ["speak", text, "--encoding", encoding, "--sample-rate", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        // The default encoding runs as a user would first: no key, no URL (the built-in emulator) and no -o, which
        // must write speech.wav in the working directory. The others use the test's emulator.
        var builtIn = encoding == "pcm_s16le";
        var file = builtIn ? "speech.wav" : "out.wav";
        if (!builtIn)
        {
            args = [.. args, "-o", file, "--url", fixture.Url];
        }

        var result = await CliProcess.RunAsync(args, dir.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expectedBytes = EmulatorAudio.ExpectedByteCount(text, sampleRate, encoding, EmulatorSecondsPerCharacter);
        var wav = WavFile.Parse(await File.ReadAllBytesAsync(dir.File(file)));
        Assert.Equal(formatTag, wav.FormatTag);
        Assert.Equal(fmtSize, wav.FmtSize);
        Assert.Equal(1, wav.Channels);
        Assert.Equal(sampleRate, wav.SampleRate);
        Assert.Equal(bits, wav.BitsPerSample);
        Assert.Equal(bits / 8, wav.BlockAlign);
        Assert.Equal(sampleRate * bits / 8, wav.ByteRate);
        Assert.Equal(expectedBytes, wav.Data.Length);
        if (formatTag != 1)
        {
            Assert.Equal((uint)(expectedBytes / (bits / 8)), wav.FactSampleCount);
        }

        Assert.Equal(builtIn, result.StandardError.Contains("using the built-in emulator", StringComparison.Ordinal));
        Assert.Contains("time to first audio", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("http")]
    public async Task Speak_ToStdout_WritesOnlyRawPcmOfTheExpectedLength(string transport)
    {
        var result = await CliProcess.RunAsync(["speak", Text, "-o", "-", "--transport", transport, "--url", fixture.Url]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", EmulatorSecondsPerCharacter), result.StandardOutput.Length);
        Assert.NotEqual("RIFF"u8.ToArray(), result.StandardOutput.AsSpan(0, 4).ToArray());
    }

    [Fact]
    public async Task Speak_HttpTransportToWav_WritesTheExpectedAudio()
    {
        using var dir = new TempDirectory();

        var result = await CliProcess.RunAsync(["speak", Text, "--transport", "http", "-o", "http.wav", "--sample-rate", "8000", "--url", fixture.Url], dir.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var wav = WavFile.Parse(await File.ReadAllBytesAsync(dir.File("http.wav")));
        Assert.Equal(8000, wav.SampleRate);
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 8000, "pcm_s16le", EmulatorSecondsPerCharacter), wav.Data.Length);
    }

    [Fact]
    public async Task Speak_KeyFromEnvironmentAgainstStrictServer_Succeeds()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { ApiKeys = { "sk_env_key_4711" } });

        var result = await CliProcess.RunAsync(
            ["speak", Text, "-o", "-", "--url", emulator.HttpBaseUrl.ToString()],
            environment: new Dictionary<string, string> { ["ASYNCAI_API_KEY"] = "sk_env_key_4711" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", EmulatorSecondsPerCharacter), result.StandardOutput.Length);
        Assert.DoesNotContain("emulator at", result.StandardError, StringComparison.Ordinal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var init = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Init, timeout.Token);
        Assert.Equal(EmulatorEventKind.Init, init.Kind);
    }
}
