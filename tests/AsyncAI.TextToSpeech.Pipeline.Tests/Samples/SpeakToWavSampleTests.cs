using System.Buffers.Binary;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Sinks;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Samples;

/// <summary>Runs samples/SpeakToWav (its entry point with no API key, so offline on its in-process emulator) so the sample keeps working.</summary>
public sealed class SpeakToWavSampleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("speak-to-wav-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Main_TwoLineFile_WritesWavWithBothLinesAudio()
    {
        string[] lines = ["Hello there.", "How are you today?"];
        var input = Path.Combine(_directory, "lines.txt");
        var output = Path.Combine(_directory, "speech.wav");
        await File.WriteAllLinesAsync(input, ["", .. lines, "   "]);
        var stdout = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync([input, output], TextReader.Null, stdout, apiKey: null).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        var expectedBytes = lines.Sum(line => EmulatorAudio.ExpectedByteCount(line, 24000, AudioEncodings.PcmS16Le, 0.05));
        var wav = await File.ReadAllBytesAsync(output);
        Assert.Equal(WavFileSink.HeaderSize + expectedBytes, wav.Length);
        Assert.Equal("RIFF"u8.ToArray(), wav[..4]);
        Assert.Equal((uint)(36 + expectedBytes), BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal("WAVEfmt "u8.ToArray(), wav[8..16]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20))); // PCM
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22))); // mono
        Assert.Equal(24000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal("data"u8.ToArray(), wav[36..40]);
        Assert.Equal((uint)expectedBytes, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Contains(output, stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{expectedBytes / 48000.0:0.00} s", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Stdin_ReadsLinesFromStandardInput()
    {
        var output = Path.Combine(_directory, "stdin.wav");
        var stdout = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync(["-", output], new StringReader("One line.\n"), stdout, apiKey: null).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.Equal(WavFileSink.HeaderSize + EmulatorAudio.ExpectedByteCount("One line.", 24000, AudioEncodings.PcmS16Le, 0.05), new FileInfo(output).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Main_ServiceRefuses_Exits1AndLeavesNoBrokenWav(bool fileExisted)
    {
        // The emulator does not know the voice, so no audio comes. The sink writes its header at the start, and the
        // sample used to leave that: a 0-second WAV at the output path (replacing a file that was there) after exit 1.
        var output = Path.Combine(_directory, "refused.wav");
        byte[] earlier = "an earlier recording"u8.ToArray();
        if (fileExisted)
        {
            await File.WriteAllBytesAsync(output, earlier);
        }

        var stderr = new StringWriter();
        var stdout = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync(["-", output], new StringReader("Hello.\n"), stdout, apiKey: null, stderr, voiceId: "no-such-voice").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(fileExisted ? [output] : [], Directory.GetFiles(_directory));
        if (fileExisted)
        {
            Assert.Equal(earlier, await File.ReadAllBytesAsync(output));
        }
    }

    [Fact]
    public async Task Main_MissingInputFile_SaysSoAndExits2()
    {
        var output = Path.Combine(_directory, "none.wav");
        var stderr = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync([Path.Combine(_directory, "missing.txt"), output], TextReader.Null, TextWriter.Null, apiKey: null, stderr);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: cannot read ", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Main_MissingOutputFolder_SaysSoAndExits2()
    {
        var stderr = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync(["-", Path.Combine(_directory, "no-such-folder", "out.wav")], new StringReader("Hello.\n"), TextWriter.Null, apiKey: null, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("does not exist", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_BlankInput_WritesNoWavAndExits2()
    {
        var output = Path.Combine(_directory, "blank.wav");
        var stderr = new StringWriter();

        var exitCode = await SpeakToWav.Program.RunAsync(["-", output], new StringReader("\n   \n"), TextWriter.Null, apiKey: null, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("nothing to speak", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
