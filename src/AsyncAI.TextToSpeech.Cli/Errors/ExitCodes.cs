namespace AsyncAI.TextToSpeech.Cli;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The run failed: the service refused, the network failed, a file could not be written.</summary>
    public const int RuntimeError = 1;

    /// <summary>The command line is wrong: unknown flag, bad value, missing argument.</summary>
    public const int UsageError = 2;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, the shell convention).</summary>
    public const int Interrupted = 130;
}
