using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Tests;

/// <summary>
/// What a run leaves at its <c>-o FILE</c> path: the audio is written to a temporary file beside it and moved over the
/// path only when the run keeps it (success, or Ctrl+C after some audio; see also <see cref="InterruptTests"/>).
/// </summary>
public class OutputFileTests
{
    private const string Text = "Hello from Async.";
    private static readonly byte[] Earlier = "an earlier recording"u8.ToArray();

    [Theory]
    [InlineData("speak", "ws")]
    [InlineData("speak", "http")]
    [InlineData("stream", "ws")]
    public async Task SpeakOrStream_ServiceRefusesBeforeAnyAudio_LeavesAnExistingFileUntouched(string command, string transport)
    {
        // The file used to be truncated when the run started, so a refused run left a header-only WAV in its place.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        await File.WriteAllBytesAsync(path, Earlier);
        string[] args = command == "speak" ? ["speak", Text, "--transport", transport] : ["stream"];
        args = [.. args, "-o", path, "--voice", "no-such-voice", "--url", emulator.HttpBaseUrl.ToString()];

        var result = await InProcessCli.RunAsync(args, standardInput: Text + "\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(Earlier, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Speak_UnreachableServer_LeavesAnExistingFileUntouched()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        await File.WriteAllBytesAsync(path, Earlier);

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", path, "--url", "http://127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(Earlier, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("ws", true)]
    [InlineData("ws", false)]
    [InlineData("http", true)]
    [InlineData("http", false)]
    public async Task Speak_FailsAfterSomeAudio_DiscardsThePartialAudioAndLeavesThePathAsItWas(string transport, bool existed)
    {
        // Our choice: a failed run (exit 1) is not the speech asked for, so its partial audio is not kept. It used to
        // replace an existing file, and to stay as a truncated WAV at a new path, looking like a finished one.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        if (transport == "ws")
        {
            emulator.Options.Faults.CloseAbruptlyMidContext = true; // the first audio message arrives, then the connection drops
        }
        else
        {
            emulator.Options.Faults.QuotaExceededAfterBytes = 4800; // 0.1 s of audio, then the in-band quota error
        }

        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        if (existed)
        {
            await File.WriteAllBytesAsync(path, Earlier);
        }

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", path, "--transport", transport, "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        if (existed)
        {
            Assert.Equal(Earlier, await File.ReadAllBytesAsync(path));
            Assert.Equal([path], Directory.GetFiles(dir.Path));
        }
        else
        {
            Assert.Empty(Directory.GetFiles(dir.Path));
        }
    }

    [Fact]
    public async Task Speak_Succeeds_ReplacesAnExistingFileWithTheWholeWavAndKeepsItsPermissions()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        await File.WriteAllBytesAsync(path, Earlier);
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", path, "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var wav = WavFile.Parse(await File.ReadAllBytesAsync(path));
        Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", 0.05), wav.Data.Length);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Speak_ThroughASymlink_WritesTheLinkTargetAndKeepsTheLink()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("real"));
        var target = dir.File(Path.Combine("real", "kept.wav"));
        await File.WriteAllBytesAsync(target, Earlier);
        var link = dir.File("out.wav");
        File.CreateSymbolicLink(link, target);

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", link, "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        WavFile.Parse(await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFiles(dir.File("real")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Speak_ThroughADanglingSymlink_CreatesTheTargetOnlyWhenTheRunSucceeds(bool succeeds)
    {
        // File.Exists is true for a link whose target is missing, so it was taken for an empty file and written in place:
        // a failed run left an empty file at the link's target, where there had been none.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        var target = dir.File("missing.wav");
        var link = dir.File("out.wav");
        File.CreateSymbolicLink(link, target);
        var url = succeeds ? emulator.HttpBaseUrl.ToString() : "http://127.0.0.1:1";

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", link, "--url", url]);

        Assert.Equal(succeeds ? 0 : 1, result.ExitCode);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        if (succeeds)
        {
            Assert.Equal(EmulatorAudio.ExpectedByteCount(Text, 24000, "pcm_s16le", 0.05), WavFile.Parse(await File.ReadAllBytesAsync(target)).Data.Length);
            Assert.Equal([target, link], Directory.GetFiles(dir.Path).Order(StringComparer.Ordinal));
        }
        else
        {
            Assert.Equal([link], Directory.GetFiles(dir.Path));
        }
    }

    [Fact]
    public async Task Speak_FolderDoesNotExist_ErrorNamesThePathNotTheTemporaryFile()
    {
        // The error used to quote the temporary file ("Could not find a part of the path '…/.out.wav.<guid>.tmp'"), a
        // name the user never gave.
        using var dir = new TempDirectory();
        var path = dir.File(Path.Combine("no-such-folder", "out.wav"));

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", path, "--url", "http://127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: cannot create '{path}': ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", line, StringComparison.Ordinal);
        Assert.Contains("Choose another path with -o.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)] // the temporary file was deleted during the run (a cleanup of stray .tmp files, say)
    [InlineData(true)] // a folder now stands at the path, which a rename cannot replace
    public async Task Keep_MoveOverAnExistingFileFails_ErrorNamesThePathNotTheTemporaryFile(bool folderAtPath)
    {
        // Failures of the final move that even root meets. Its line was built apart from the other write errors and
        // quoted the temporary file when .NET named it (setting the replaced file's mode on a temporary file that is
        // gone: "Could not find file '….out.wav.<guid>.tmp'"), a name the user never gave.
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        await File.WriteAllBytesAsync(path, Earlier);
        var console = new CliConsole(TextReader.Null, TextWriter.Null, TextWriter.Null, () => Stream.Null);

        var error = await Assert.ThrowsAsync<CliException>(async () =>
        {
            await using var output = await Audio.AudioOutput.OpenAsync(path, 24000, "pcm_s16le", console, CancellationToken.None);
            await output.WriteAsync(new byte[4800], CancellationToken.None);
            if (folderAtPath)
            {
                File.Delete(path);
                Directory.CreateDirectory(path);
                await File.WriteAllBytesAsync(Path.Combine(path, "inside"), Earlier);
            }
            else
            {
                File.Delete(Assert.Single(Directory.GetFiles(dir.Path), f => f != path));
            }

            await output.KeepAsync();
        });

        Assert.Equal(ExitCodes.RuntimeError, error.ExitCode);
        Assert.StartsWith($"cannot write '{path}': ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" Choose another path with -o.", error.Message, StringComparison.Ordinal);
        if (folderAtPath)
        {
            Assert.Empty(Directory.GetFiles(dir.Path)); // the temporary file is deleted
            Assert.Equal(Earlier, await File.ReadAllBytesAsync(Path.Combine(path, "inside")));
        }
        else
        {
            Assert.Equal([path], Directory.GetFiles(dir.Path));
            Assert.Equal(Earlier, await File.ReadAllBytesAsync(path));
        }
    }

    [Fact]
    public async Task Open_OverAFileOnlyItsOwnerCanRead_TheTemporaryFileIsAsPrivate()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The temporary file was created with the default mode (0644 under the usual umask), so while the run lasted
        // its audio could be read by anyone who can enter the folder, where the file it replaces could not.
        using var dir = new TempDirectory();
        var path = dir.File("private.wav");
        await File.WriteAllBytesAsync(path, Earlier);
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.SetUnixFileMode(path, OwnerOnly);
        var console = new CliConsole(TextReader.Null, TextWriter.Null, TextWriter.Null, () => Stream.Null);

        await using var output = await Audio.AudioOutput.OpenAsync(path, 24000, "pcm_s16le", console, CancellationToken.None);

        var temporary = Assert.Single(Directory.GetFiles(dir.Path), f => f != path);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(temporary));
    }

    [Fact]
    public async Task Speak_ToDevNull_Succeeds()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A device is written in place: a temporary file cannot be created in /dev, and moving one over /dev/null
        // (as root) would replace the device.
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var result = await InProcessCli.RunAsync(["speak", Text, "-o", "/dev/null", "--url", emulator.HttpBaseUrl.ToString()]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists("/dev/null"));
    }

    [Theory]
    [InlineData("speak", "Hi.")] // 7 KB of audio: still in the file's buffer, so the write fails as the header is completed
    [InlineData("speak", Text)] // 36 KB: the write fails mid-stream
    [InlineData("stream", Text)]
    public async Task SpeakOrStream_ToAFullDisk_OneLineNamingThePathWithAdvice(string command, string text)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // /dev/full fails every write with ENOSPC. The line used to be the bare IOException text, "No space left on
        // device : '…'", with no advice (and, for a file written through a temporary file, that file's name).
        await using var emulator = await AsyncAIEmulator.StartAsync();
        string[] args = command == "speak" ? ["speak", text] : ["stream"];

        var result = await InProcessCli.RunAsync([.. args, "-o", "/dev/full", "--url", emulator.HttpBaseUrl.ToString()], standardInput: text + "\n");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal("error: cannot write '/dev/full': the disk is full. Free some space, or choose another path with -o.", line);
    }

    [Theory]
    [InlineData(0, false, true)] // the header, as the file is opened
    [InlineData(44, false, true)] // the audio
    [InlineData(long.MaxValue, true, true)] // a buffered file flushed as the header is completed
    [InlineData(0, false, false)] // the same over an empty file, which is written in place
    [InlineData(44, false, false)]
    [InlineData(long.MaxValue, true, false)]
    public async Task Output_DiskFillsUpOverAnExistingFile_ErrorNamesThePathAndTheFileIsAsItWas(long freeBytes, bool failFlush, bool nonEmpty)
    {
        // A full disk under the temporary file: the error used to be the raw IOException, which names the hidden
        // temporary file (".out.wav.<guid>.tmp"), a name the user never gave, with no advice.
        using var dir = new TempDirectory();
        var path = dir.File("out.wav");
        byte[] before = nonEmpty ? Earlier : [];
        await File.WriteAllBytesAsync(path, before);
        var console = new CliConsole(TextReader.Null, TextWriter.Null, TextWriter.Null, () => Stream.Null);

        var error = await Assert.ThrowsAsync<CliException>(async () =>
        {
            await using var output = await Audio.AudioOutput.OpenAsync(path, 24000, "pcm_s16le", console, file => new FullDiskStream(file, freeBytes, failFlush), CancellationToken.None);
            await output.WriteAsync(new byte[4800], CancellationToken.None);
            await output.KeepAsync();
        });

        Assert.Equal(ExitCodes.RuntimeError, error.ExitCode);
        Assert.Equal($"cannot write '{path}': the disk is full. Free some space, or choose another path with -o.", error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    /// <summary>
    /// A file on a disk with <c>freeBytes</c> left: a write past them (and every flush, with <c>failFlush</c>, as a
    /// buffered file meets the full disk) fails with the IOException .NET throws for ENOSPC, naming the file.
    /// </summary>
    private sealed class FullDiskStream(FileStream file, long freeBytes, bool failFlush) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => file.Length;

        public override long Position { get => file.Position; set => file.Position = value; }

        public override void Flush()
        {
            if (failFlush)
            {
                throw Full();
            }

            file.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

        public override void SetLength(long value) => file.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (file.Position + count > freeBytes)
            {
                throw Full();
            }

            file.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                file.Dispose();
            }

            base.Dispose(disposing);
        }

        private IOException Full() => new($"No space left on device : '{file.Name}'", 28);
    }
}
