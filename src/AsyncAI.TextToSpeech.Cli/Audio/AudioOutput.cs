namespace AsyncAI.TextToSpeech.Cli.Audio;

/// <summary>Where synthesized audio goes: a WAV file, or raw samples on standard output (<c>-o -</c>).</summary>
/// <remarks>
/// A WAV file is written to a temporary file in the same folder and moved over the path by <see cref="KeepAsync"/>;
/// output that is not kept (a failed run, or Ctrl+C before any audio) is deleted by <see cref="DisposeAsync"/>, so
/// the path is left as it was: no file if there was none, an existing file untouched. A path that exists but holds
/// nothing (an empty file, or a device or pipe such as <c>/dev/null</c>, which report a length of 0) is written in
/// place: there is nothing there to lose, a temporary file cannot be created in <c>/dev</c>, and renaming one over a
/// device (as root) would replace the device itself.
/// </remarks>
internal sealed class AudioOutput : IAsyncDisposable
{
    /// <summary>The <c>--output</c> value that selects standard output.</summary>
    public const string StandardOutputPath = "-";

    private readonly WavWriter? _wav;
    private readonly FileStream? _file;
    private readonly Stream? _raw;
    private readonly string? _temporaryPath;
    private readonly string? _targetPath;
    private readonly UnixFileMode? _targetMode;
    private long _bytes;
    private bool _kept;
    private bool _closed;

    private AudioOutput(string description, Stream raw)
    {
        Description = description;
        _raw = raw;
    }

    private AudioOutput(string description, FileStream file, WavWriter wav, string? temporaryPath, string? targetPath, UnixFileMode? targetMode)
    {
        Description = description;
        _file = file;
        _wav = wav;
        _temporaryPath = temporaryPath;
        _targetPath = targetPath;
        _targetMode = targetMode;
    }

    /// <summary>Gets a description for messages: the file path, or "stdout".</summary>
    public string Description { get; }

    /// <summary>Gets the audio bytes written so far (without any header).</summary>
    public long Bytes => _bytes;

    /// <summary>Checks the <c>--output</c> value before any connection is made.</summary>
    /// <exception cref="CliException">Raw audio would go to a terminal.</exception>
    public static void Validate(string path, CliConsole console)
    {
        if (path == StandardOutputPath && console.StandardOutputIsTerminal)
        {
            throw CliException.Usage("-o - writes raw PCM to stdout, which is a terminal here. Pipe it to a player (| aplay -f S16_LE -r 24000) or write a file with -o FILE.wav.");
        }
    }

    /// <summary>Opens the output: <c>-</c> for raw PCM on standard output, anything else as a WAV file path.</summary>
    public static Task<AudioOutput> OpenAsync(string path, int sampleRate, string encoding, CliConsole console, CancellationToken cancellationToken) =>
        OpenAsync(path, sampleRate, encoding, console, writeThrough: null, cancellationToken);

    /// <summary>
    /// Opens the output, writing the WAV through <paramref name="writeThrough"/>'s stream over the file (for tests: a
    /// disk that fills up), or straight to the file when it is null.
    /// </summary>
    internal static async Task<AudioOutput> OpenAsync(string path, int sampleRate, string encoding, CliConsole console, Func<FileStream, Stream>? writeThrough, CancellationToken cancellationToken)
    {
        Validate(path, console);
        if (path == StandardOutputPath)
        {
            return new AudioOutput("stdout", console.OpenStandardOutput());
        }

        var (file, temporaryPath, targetPath, targetMode) = OpenFile(path);
        try
        {
            if (!file.CanSeek)
            {
                // /dev/stdout into a pipe, a FIFO, a terminal: written in place (they report a length of 0).
                throw CliException.Usage($"cannot write a WAV file to '{path}': it is a pipe or a terminal, and a WAV header is completed at the end. Use -o - for raw PCM on standard output.");
            }

            var wav = await WavWriter.CreateAsync(writeThrough?.Invoke(file) ?? file, sampleRate, encoding, cancellationToken);
            return new AudioOutput(path, file, wav, temporaryPath, targetPath, targetMode);
        }
        catch (IOException ex)
        {
            await CloseAfterFailedWriteAsync(file);
            Delete(temporaryPath);
            throw WriteFailed(path, temporaryPath, targetPath, ex);
        }
        catch
        {
            await file.DisposeAsync();
            Delete(temporaryPath);
            throw;
        }
    }

    /// <summary>Writes audio bytes; on standard output they are flushed at once so a player downstream hears them without delay.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (_wav is not null)
        {
            try
            {
                await _wav.WriteAsync(audio, cancellationToken);
            }
            catch (IOException ex)
            {
                throw WriteFailed(ex);
            }
        }
        else
        {
            try
            {
                await _raw!.WriteAsync(audio, cancellationToken);
                await _raw.FlushAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new CliException(
                    "stdout was closed before all the audio was written (the program reading it ended). Check that program, or write a file with -o FILE.wav.",
                    ExitCodes.RuntimeError,
                    ex);
            }
        }

        _bytes += audio.Length;
    }

    /// <summary>
    /// Keeps what was written: completes the WAV header and moves the file over the path (keeping the permissions
    /// of a file it replaces), or flushes standard output. Not cancellable: it is short, and after Ctrl+C it is
    /// what keeps the audio received so far.
    /// </summary>
    /// <exception cref="CliException">
    /// The file could not be completed (a full disk) or moved to the path; the path is then left as it was.
    /// </exception>
    public async Task KeepAsync()
    {
        if (_wav is null)
        {
            await _raw!.FlushAsync(CancellationToken.None);
            _kept = true;
            return;
        }

        _closed = true;
        try
        {
            await _wav.DisposeAsync(); // completes the header and closes the file, so the moved file is whole
        }
        catch (IOException ex)
        {
            // The audio still in the file's buffer meets the full disk here. The file is closed all the same (by
            // WavWriter, and a FileStream closes its handle even when the flush on closing fails); DisposeAsync
            // deletes the temporary file, and a file written in place is emptied again now.
            if (_temporaryPath is null)
            {
                EmptyInPlace();
            }

            throw WriteFailed(ex);
        }

        if (_temporaryPath is not null)
        {
            try
            {
                if (_targetMode is { } mode && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(_temporaryPath, mode);
                }

                File.Move(_temporaryPath, _targetPath!, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw WriteFailed(ex);
            }
        }

        _kept = true;
    }

    /// <summary>
    /// Closes the output. Output that was not kept is discarded: the temporary file is deleted, and a file written in
    /// place is emptied again (best effort: a device cannot be, and the run's own error is the one reported).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_wav is null)
        {
            await _raw!.DisposeAsync();
            return;
        }

        if (!_closed)
        {
            _closed = true;
            var emptied = true;
            if (_temporaryPath is null)
            {
                try
                {
                    _file!.SetLength(0);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    // /dev/null and the like cannot be truncated, and held nothing; after a failed write (a full
                    // disk) SetLength fails on flushing the buffer first, and the file is emptied once closed
                    emptied = false;
                }
            }

            await CloseAfterFailedWriteAsync(_wav.AbandonAsync());
            if (!emptied)
            {
                EmptyInPlace();
            }
        }

        if (!_kept)
        {
            Delete(_temporaryPath);
        }
    }

    /// <summary>Opens the file the WAV is written to: a new temporary file beside the path, or the path itself when it holds nothing.</summary>
    private static (FileStream File, string? TemporaryPath, string? TargetPath, UnixFileMode? TargetMode) OpenFile(string path)
    {
        string target;
        try
        {
            target = Path.GetFullPath(path);
            if (Directory.Exists(target))
            {
                throw new CliException($"cannot create '{path}': it is a directory. Choose a file path with -o.", ExitCodes.RuntimeError);
            }

            // Through a symlink the file it points to is replaced (the link stays a link), as writing through it did.
            var link = new FileInfo(target).LinkTarget is null ? null : File.ResolveLinkTarget(target, returnFinalTarget: true);
            if (File.Exists(target) && !IsDangling(target, link))
            {
                // A link whose final target cannot be named as a file (/dev/stdout → /proc/self/fd/pipe:[…]) is written in place too.
                var resolved = link?.FullName ?? target;
                if (!File.Exists(resolved) || new FileInfo(resolved).Length == 0)
                {
                    return (Open(path, FileMode.Create), null, null, null);
                }

                // Only a file the run could have written is replaced: renaming over a read-only file would succeed.
                Open(resolved, FileMode.Open).Dispose();
                target = resolved;
                var mode = OperatingSystem.IsWindows() ? (UnixFileMode?)null : File.GetUnixFileMode(target);
                return OpenTemporary(path, target, mode);
            }

            // A new file, or a dangling link's missing target (a failed run then leaves no file there either).
            return OpenTemporary(path, link?.FullName ?? target, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"cannot create '{path}': {ex.Message} Choose another path with -o.", ExitCodes.RuntimeError, ex);
        }

        static (FileStream, string?, string?, UnixFileMode?) OpenTemporary(string path, string target, UnixFileMode? mode)
        {
            // Hidden, unique, and in the target's folder, so the final move is a rename within one file system.
            var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                // Created with the mode of the file it replaces, so audio meant for a private file is never readable by others.
                return (Open(temporary, FileMode.CreateNew, mode), temporary, target, mode);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The user named the target, not this file: a missing or read-only folder is reported with the target's name.
                throw new CliException($"cannot create '{path}': {ex.Message.Replace(temporary, target, StringComparison.Ordinal)} Choose another path with -o.", ExitCodes.RuntimeError, ex);
            }
        }

        static FileStream Open(string path, FileMode mode, UnixFileMode? createMode = null)
        {
            var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = FileShare.Read, BufferSize = 16 * 1024, Options = FileOptions.Asynchronous };
            if (createMode is { } unixMode && !OperatingSystem.IsWindows())
            {
                // Permission bits only: set-user-ID and the like are given back, with the exact mode, by KeepAsync.
                const UnixFileMode Permissions = (UnixFileMode)0x1FF; // rwxrwxrwx
                options.UnixCreateMode = unixMode & Permissions;
            }

            return new FileStream(path, options);
        }
    }

    /// <summary>
    /// Whether the path is a symlink whose final target does not exist. <see cref="File.Exists"/> is true for such a
    /// link, but there is no file to write in place: it is written like a new path, at the link's target.
    /// </summary>
    private static bool IsDangling(string path, FileSystemInfo? finalTarget)
    {
        if (finalTarget is null || finalTarget.Exists)
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        // A link may also end in something that cannot be named as a file (/dev/stdout → /proc/self/fd/pipe:[…]) but
        // exists: the mode is read through the links (stat), which fails only when nothing is at the end.
        try
        {
            File.GetUnixFileMode(path);
            return false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }

    /// <summary>
    /// The error for a write to the file, or its move over the path, that failed (an <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/>): it names the path given to <c>-o</c>, never the temporary file, and
    /// says what to do.
    /// </summary>
    private CliException WriteFailed(Exception ex) => WriteFailed(Description, _temporaryPath, _targetPath, ex);

    private static CliException WriteFailed(string path, string? temporaryPath, string? targetPath, Exception ex)
    {
        var reason = ex is IOException io && IsDiskFull(io)
            ? "the disk is full. Free some space, or choose another path with -o."
            : (temporaryPath is null ? ex.Message : ex.Message.Replace(temporaryPath, targetPath, StringComparison.Ordinal)) + " Choose another path with -o.";
        return new CliException($"cannot write '{path}': {reason}", ExitCodes.RuntimeError, ex);
    }

    /// <summary>
    /// Whether a write failed for want of space: ENOSPC (28 on Linux and macOS), which .NET gives as the HResult on
    /// Unix, or ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows.
    /// </summary>
    private static bool IsDiskFull(IOException ex) => OperatingSystem.IsWindows()
        ? ex.HResult is unchecked((int)0x80070070) or unchecked((int)0x80070027)
        : ex.HResult == 28;

    /// <summary>
    /// Closes a file whose audio is not kept. A FileStream flushes its buffer as it closes, which fails again on a full
    /// disk; the handle is closed all the same, and the run's own error (the first failed write, or the service's) is
    /// the one reported.
    /// </summary>
    private static ValueTask CloseAfterFailedWriteAsync(FileStream file) => CloseAfterFailedWriteAsync(file.DisposeAsync());

    private static async ValueTask CloseAfterFailedWriteAsync(ValueTask closing)
    {
        try
        {
            await closing;
        }
        catch (IOException)
        {
            // the handle is closed: see above
        }
    }

    /// <summary>Empties a file written in place again once it is closed (best effort: a device cannot be emptied, and held nothing).</summary>
    private void EmptyInPlace()
    {
        try
        {
            using var file = new FileStream(Description, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // best effort: the run's own error is the one reported
        }
    }

    private static void Delete(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: the run's own error is the one reported
        }
    }
}
