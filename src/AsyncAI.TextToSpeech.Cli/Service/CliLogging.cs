using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncAI.TextToSpeech.Cli.Service;

/// <summary>The clients' logs: silent by default, everything to standard error with <c>--verbose</c> (stdout may carry audio).</summary>
internal static class CliLogging
{
    /// <summary>Creates the logger factory for a run. Dispose it to flush the console logger.</summary>
    public static ILoggerFactory Create(bool verbose) => verbose
        ? LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Debug)
            .AddSimpleConsole(options => options.SingleLine = true)
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace))
        : NullLoggerFactory.Instance;
}
