namespace AsyncAI.TextToSpeech.Cli;

/// <summary>A failure the CLI explains in one line, with the exit code to return.</summary>
internal sealed class CliException : Exception
{
    /// <summary>Initializes a new exception.</summary>
    public CliException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>Gets the exit code: <see cref="ExitCodes.UsageError"/> or <see cref="ExitCodes.RuntimeError"/>.</summary>
    public int ExitCode { get; }

    /// <summary>Creates a usage error (exit code 2).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.UsageError);
}
