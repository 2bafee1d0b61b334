using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Pipeline.Diagnostics;

internal static partial class PipelineLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Processor}: processing {Frame} failed; an ErrorFrame goes upstream.")]
    public static partial void ProcessingFailed(ILogger logger, string processor, string frame, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "{Processor}: {Frame} dropped, nothing is linked {Direction}.")]
    public static partial void NoNeighbour(ILogger logger, string processor, string frame, string direction);

    [LoggerMessage(3, LogLevel.Warning, "Pipeline cleanup did not finish within {Timeout}; giving up on the rest.")]
    public static partial void CleanupTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(14, LogLevel.Warning, "A processor's setup or cleanup that outlived its timeout failed later.")]
    public static partial void LateFailure(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "{Processor}: {Frame} ignored its cancellation for {Grace}; the CancelFrame goes on without waiting for it.")]
    public static partial void CancelDidNotWaitForFrame(ILogger logger, string processor, string frame, TimeSpan grace);

    [LoggerMessage(15, LogLevel.Warning, "A processor's setup was still running {Timeout} after it timed out or was cancelled; cleaning up anyway, so what it opens later may not be released.")]
    public static partial void SetupStillRunning(ILogger logger, TimeSpan timeout);

    [LoggerMessage(4, LogLevel.Warning, "The StartFrame did not reach the end of the pipeline within {Timeout}; a processor is slow to start.")]
    public static partial void StartSlow(ILogger logger, TimeSpan timeout);

    [LoggerMessage(5, LogLevel.Warning, "The CancelFrame did not reach the end of the pipeline within {Timeout}; stopping anyway.")]
    public static partial void CancelTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(6, LogLevel.Warning, "Pipeline error from {Processor}: {Message} (category {Category}, fatal {Fatal}).")]
    public static partial void PipelineError(ILogger logger, string? processor, string message, AsyncAIErrorCategory category, bool fatal);

    [LoggerMessage(7, LogLevel.Warning, "An event handler of {Source} threw; the pipeline carries on.")]
    public static partial void EventHandlerFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "{Processor}: context {ContextId} had no audio or end for {Timeout} after its input ended; stopping it.")]
    public static partial void ContextStopFallback(ILogger logger, string processor, string contextId, TimeSpan timeout);

    [LoggerMessage(9, LogLevel.Warning, "{Processor}: the service is marked unusable; not synthesizing context {ContextId}.")]
    public static partial void SkippingUnusable(ILogger logger, string processor, string contextId);

    [LoggerMessage(10, LogLevel.Warning, "{Processor}: closing context {ContextId} failed.")]
    public static partial void ContextCloseFailed(ILogger logger, string processor, string contextId, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "{Processor}: stopping the service failed.")]
    public static partial void ServiceStopFailed(ILogger logger, string processor, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "{Processor}: interrupted {Count} open context(s).")]
    public static partial void ContextsInterrupted(ILogger logger, string processor, int count);

    [LoggerMessage(17, LogLevel.Warning, "{Processor}: dropped {Count} token(s) ({Characters} characters) of the turn whose context {ContextId} could not be opened; the next turn tries again.")]
    public static partial void TurnTokensDropped(ILogger logger, string processor, int count, int characters, string contextId);

    [LoggerMessage(18, LogLevel.Debug, "{Processor}: the turn's last text \"{Text}\" has nothing to speak and no open context to go with; not sent.")]
    public static partial void NothingToSpeakDropped(ILogger logger, string processor, string text);

    [LoggerMessage(13, LogLevel.Warning, "{Processor}: audio of {SampleRate} Hz after {FirstRate} Hz; the file header keeps {FirstRate} Hz.")]
    public static partial void SampleRateChanged(ILogger logger, string processor, int sampleRate, int firstRate);
}
