namespace AsyncAI.TextToSpeech.Cli;

/// <summary>The process's standard streams, passed to the commands so they never reach for <see cref="Console"/> directly.</summary>
/// <param name="In">Standard input, for <c>stream</c>.</param>
/// <param name="Out">Standard output for text (tables, JSON, URLs); never used while audio goes to stdout.</param>
/// <param name="Error">Standard error: progress, statistics and errors.</param>
/// <param name="OpenStandardOutput">Opens standard output as a byte stream, for raw audio.</param>
/// <param name="StandardOutputIsTerminal">Whether standard output is a terminal (raw audio there would only garble it).</param>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, Func<Stream> OpenStandardOutput, bool StandardOutputIsTerminal = false)
{
    /// <summary>Gets the real console.</summary>
    public static CliConsole System { get; } = new(Console.In, Console.Out, Console.Error, OpenRawStandardOutput, !Console.IsOutputRedirected);

    /// <summary>
    /// Opens standard output so that a write to a closed pipe fails. <see cref="Console.OpenStandardOutput()"/> on Unix
    /// ignores EPIPE and reports success, so <c>speak -o - | player</c> went on synthesizing the whole text after the
    /// player exited and ended with exit code 0. A pipe (or terminal) gets a plain <see cref="FileStream"/> on
    /// descriptor 1, whose writes throw <see cref="IOException"/>; a regular file keeps the console stream (a
    /// FileStream would write at its own offset, not the descriptor's). So does a non-blocking descriptor: a FileStream
    /// fails with EAGAIN whenever the pipe is full, where the console stream waits; where that cannot be told (not Linux),
    /// the console stream is kept.
    /// </summary>
    private static Stream OpenRawStandardOutput()
    {
        if (!IsBlockingDescriptorOnLinux(1))
        {
            return Console.OpenStandardOutput();
        }

        var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (!stream.CanSeek)
        {
            return stream;
        }

        stream.Dispose();
        return Console.OpenStandardOutput();
    }

    /// <summary>Reads the descriptor's status flags from <c>/proc/self/fdinfo</c>; false when not Linux or unknown.</summary>
    private static bool IsBlockingDescriptorOnLinux(int descriptor)
    {
        const int NonBlocking = 0x800; // O_NONBLOCK (octal 04000) on Linux
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{descriptor}"))
            {
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                {
                    return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & NonBlocking) == 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return false;
    }
}
