using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Pipeline.Diagnostics;

/// <summary>Log messages of <see cref="Services.AsyncAITtsService"/> (event ids 100–119).</summary>
internal static partial class AsyncAITtsServiceLog
{
    [LoggerMessage(100, LogLevel.Information, "{Processor}: the voice, model or language changed ({Old} → {New}); they are fixed per Async connection, so the next context opens a new one. The old connection closes when its contexts finish.")]
    public static partial void ReconnectingForSettings(ILogger logger, string processor, string old, string @new);

    [LoggerMessage(101, LogLevel.Information, "{Processor}: the Async connection is down; reconnecting before the next context.")]
    public static partial void ReconnectingForContext(ILogger logger, string processor);

    [LoggerMessage(102, LogLevel.Warning, "{Processor}: Async connection error ({Category}): {Message}")]
    public static partial void ConnectionError(ILogger logger, string processor, AsyncAIErrorCategory category, string message);
}
