using System.Diagnostics;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Testing;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class InterruptTests
{
    [Theory]
    [InlineData(null)] // Ctrl+C (SIGINT; SIGTERM where SIGINT is ignored)
    [InlineData("-HUP")] // the terminal closing: it used to end the process at once (exit 129), leaving the temporary file
    public async Task Speak_CtrlCOrHangUpMidStream_ExitCode130AndTheWavWrittenSoFarIsValid(string? signal)
    {
        if ((!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) || (signal == "-HUP" && (!OperatingSystem.IsLinux() || SignalIgnoredByThisProcess(1))))
        {
            return; // signals are sent with kill(1); a process started under nohup inherits SIGHUP as ignored
        }

        // Real-time pacing and a long text: the audio takes far longer than the test waits.
        // partial.wav exists already: after Ctrl+C the audio received so far replaces it (our choice: the user stopped
        // the run, and gets what it spoke), and the temporary file it was written to is gone.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        using var dir = new TempDirectory();
        var path = dir.File("partial.wav");
        await File.WriteAllTextAsync(path, "an earlier recording");
        var text = string.Join(' ', Enumerable.Repeat("word", 200));
        using var process = Process.Start(CliProcess.CreateStartInfo(["speak", text, "-o", "partial.wav", "--url", emulator.HttpBaseUrl.ToString()], dir.Path))!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.AudioSent, timeout.Token);
            await WaitForAudioOnDiskAsync(dir.Path, timeout.Token);

            await InterruptAndWaitForExitAsync(process, stderr, emulator, timeout.Token, signal);

            Assert.Equal(130, process.ExitCode);
            Assert.Contains("error: interrupted", await stderr, StringComparison.Ordinal);
            var wav = WavFile.Parse(await File.ReadAllBytesAsync(path));
            Assert.True(wav.Data.Length > 0, "the audio received before the signal is in the file");
            Assert.True(wav.Data.Length < EmulatorAudio.ExpectedByteCount(text, 24000, "pcm_s16le", 0.05), "the run should have been cut short");
            Assert.Equal([path], Directory.GetFiles(dir.Path));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Speak_CtrlCBeforeAnyAudio_LeavesAnExistingFileUntouchedAndNoTemporaryFile()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGINT is sent with kill(1)
        }

        // The first audio would come a minute after the text: Ctrl+C comes first. The file used to be truncated when
        // the run started, so it ended as a header-only WAV.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { TimeToFirstAudio = TimeSpan.FromMinutes(1) });
        using var dir = new TempDirectory();
        var path = dir.File("kept.wav");
        await File.WriteAllTextAsync(path, "an earlier recording");
        using var process = Process.Start(CliProcess.CreateStartInfo(["speak", "Hello.", "-o", "kept.wav", "--url", emulator.HttpBaseUrl.ToString()], dir.Path))!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.Text, timeout.Token);

            await InterruptAndWaitForExitAsync(process, stderr, emulator, timeout.Token);

            Assert.Equal(130, process.ExitCode);
            Assert.Contains("error: interrupted", await stderr, StringComparison.Ordinal);
            Assert.Equal("an earlier recording", await File.ReadAllTextAsync(path));
            Assert.Equal([path], Directory.GetFiles(dir.Path));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Stream_CtrlCWhileWaitingForStdin_ExitCode130AndTheWavHoldsTheAudioSoFar()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGINT is sent with kill(1)
        }

        // stdin stays open: the CLI is blocked reading the next line when the signal comes, as in a terminal.
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var dir = new TempDirectory();
        const string line = "First sentence.";
        using var process = Process.Start(CliProcess.CreateStartInfo(["stream", "-o", "partial.wav", "--url", emulator.HttpBaseUrl.ToString()], dir.Path))!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.StandardInput.WriteLineAsync(line.AsMemory(), timeout.Token);
            await process.StandardInput.FlushAsync(timeout.Token);
            var expected = EmulatorAudio.ExpectedByteCount(line, 24000, "pcm_s16le", 0.05);
            var started = await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.AudioSent, timeout.Token);
            while (emulator.Journal.AudioBytesSent(started.ContextId!) < expected)
            {
                await Task.Delay(20, timeout.Token);
            }

            await WaitForAudioOnDiskAsync(dir.Path, timeout.Token);

            await InterruptAndWaitForExitAsync(process, stderr, emulator, timeout.Token);

            Assert.Equal(130, process.ExitCode);
            Assert.Contains("error: interrupted", await stderr, StringComparison.Ordinal);
            // Before the fix the process was torn down: header sizes still 0 and the buffered audio lost.
            var wav = WavFile.Parse(await File.ReadAllBytesAsync(dir.File("partial.wav")));
            Assert.InRange(wav.Data.Length, 2, expected);
            Assert.Equal(0, wav.Data.Length % 2);
            Assert.Equal([dir.File("partial.wav")], Directory.GetFiles(dir.Path));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Speak_CtrlCWhileTheServerIgnoresTheClose_ExitCode130AndTheWavIsStillCompleted()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGINT is sent with kill(1)
        }

        // The network path dies just before Ctrl+C: the client's close is never answered, so closing takes its
        // CloseTimeout (2 s) before the socket is aborted; only then is the WAV header completed.
        await using var emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 1 });
        await using var relay = new BlackHoleProxy(emulator.WebSocketUrl);
        using var dir = new TempDirectory();
        var path = dir.File("partial.wav");
        var text = string.Join(' ', Enumerable.Repeat("word", 200));
        using var process = Process.Start(CliProcess.CreateStartInfo(["speak", text, "-o", "partial.wav", "--url", relay.Url.ToString()], dir.Path))!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await emulator.Journal.WaitForAsync(e => e.Kind == EmulatorEventKind.AudioSent, timeout.Token);
            await WaitForAudioOnDiskAsync(dir.Path, timeout.Token);

            relay.BlackHole = true;
            await InterruptAndWaitForExitAsync(process, stderr, emulator, timeout.Token);

            // Before the fix System.CommandLine gave up waiting after its default 2 s ProcessTerminationTimeout and
            // returned 130 itself: the process ended mid-cleanup, the header sizes still 0 and no error line printed.
            Assert.Equal(130, process.ExitCode);
            var wav = WavFile.Parse(await File.ReadAllBytesAsync(path));
            Assert.True(wav.Data.Length > 0, "the audio received before Ctrl+C is in the file");
            Assert.Equal(0, wav.Data.Length % 2);
            Assert.Contains("error: interrupted", await stderr, StringComparison.Ordinal);
            Assert.Equal([path], Directory.GetFiles(dir.Path));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// Waits until the CLI's file buffer has reached the disk past the WAV header: it has received and written audio.
    /// The run writes a temporary file in the output's folder (a fresh one per test), so any file there counts.
    /// </summary>
    private static async Task WaitForAudioOnDiskAsync(string directory, CancellationToken timeout)
    {
        while (!Directory.GetFiles(directory).Any(f => new FileInfo(f).Length > 44))
        {
            await Task.Delay(20, timeout); // the CLI exposes no event for this; the file's size is the observable
        }
    }

    /// <summary>Sends the CLI Ctrl+C and waits for it to exit; if it does not, kills it and fails saying what it and the server were doing.</summary>
    private static async Task InterruptAndWaitForExitAsync(Process process, Task<string> stderr, AsyncAIEmulator emulator, CancellationToken timeout, string? signal = null)
    {
        // A job started in the background by a non-interactive shell inherits SIGINT as ignored (POSIX), and the
        // runtime keeps it so: there, Ctrl+C cannot reach the CLI, so the test stops it with SIGTERM, which takes
        // the same cancellation path. Seen when the suite itself ran in the background: the CLI never exited.
        signal ??= SignalIgnoredByThisProcess(2) ? "-TERM" : "-INT";
        using (var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(timeout);
        }

        try
        {
            await process.WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            // Say what the CLI and the server were doing, so a rare hang can be diagnosed from the log alone.
            process.Kill(entireProcessTree: true);
            var journal = emulator.Journal.Snapshot();
            Assert.Fail(
                $"The CLI did not exit within 20 s of {signal}. Its stderr: '{await stderr}'. " +
                $"The emulator's last events: {string.Join(" | ", journal.Skip(Math.Max(0, journal.Count - 12)))}");
        }
    }

    /// <summary>Whether a signal (2: SIGINT, 1: SIGHUP) is ignored here (Linux: the SigIgn mask in /proc/self/status); children inherit that.</summary>
    private static bool SignalIgnoredByThisProcess(int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
               && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
               && (mask & (1UL << (signal - 1))) != 0;
    }
}
