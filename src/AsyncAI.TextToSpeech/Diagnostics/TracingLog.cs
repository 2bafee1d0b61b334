using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Diagnostics;

internal static partial class TracingLog
{
    [LoggerMessage(1900, LogLevel.Warning, "An ActivityListener threw from its {Callback} callback for span {Span}; the library carried on without it.")]
    public static partial void ListenerFailed(ILogger logger, string callback, string span, Exception exception);
}
