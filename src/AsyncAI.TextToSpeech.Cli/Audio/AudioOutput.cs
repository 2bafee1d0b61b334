namespace AsyncAI.TextToSpeech.Cli.Audio;

/// <summary>Where synthesized audio goes: a WAV file, or raw samples on standard output (<c>-o -</c>).</summary>
internal sealed class AudioOutput : IAsyncDisposable
{
    /// <summary>The <c>--output</c> value that selects standard output.</summary>
    public const string StandardOutputPath = "-";

    private readonly WavWriter? _wav;
    private readonly Stream? _raw;
    private readonly string? _createdPath;
    private long _bytes;

    private AudioOutput(string description, WavWriter? wav, Stream? raw, string? createdPath = null)
    {
        Description = description;
        _createdPath = createdPath;
        _wav = wav;
        _raw = raw;
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
    public static async Task<AudioOutput> OpenAsync(string path, int sampleRate, string encoding, CliConsole console, CancellationToken cancellationToken)
    {
        Validate(path, console);
        if (path == StandardOutputPath)
        {
            return new AudioOutput("stdout", null, console.OpenStandardOutput());
        }

        // Only a file this run creates may be deleted when it gets no audio: a path that was already there (-o /dev/null,
        // a symlink, a file the user chose to overwrite) is not the run's to remove.
        var existed = File.Exists(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 16 * 1024, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new CliException($"cannot create '{path}': {ex.Message} Choose another path with -o.", ExitCodes.RuntimeError, ex);
        }

        try
        {
            return new AudioOutput(path, await WavWriter.CreateAsync(file, sampleRate, encoding, cancellationToken), null, existed ? null : path);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes audio bytes; on standard output they are flushed at once so a player downstream hears them without delay.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (_wav is not null)
        {
            await _wav.WriteAsync(audio, cancellationToken);
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

    /// <summary>Finishes the output: completes the WAV header, or flushes standard output.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_wav is not null)
        {
            await _wav.CompleteAsync(cancellationToken);
        }
        else
        {
            await _raw!.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// After <see cref="DisposeAsync"/>: deletes the WAV file this output created (the path did not exist before) if no
    /// audio went into it, so a run that failed before any audio leaves no header-only file behind. Best effort: a file that
    /// cannot be deleted is left, and the run's own error is the one reported.
    /// </summary>
    public void DeleteFileIfEmpty()
    {
        if (_createdPath is null || _bytes != 0)
        {
            return;
        }

        try
        {
            File.Delete(_createdPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_wav is not null)
        {
            await _wav.DisposeAsync();
        }
        else
        {
            await _raw!.DisposeAsync();
        }
    }
}
