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
    public static CliConsole System { get; } = new(Console.In, Console.Out, Console.Error, Console.OpenStandardOutput, !Console.IsOutputRedirected);
}
