using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>Source-generated log messages of the HTTP client. None of them carries the API key or the text.</summary>
internal static partial class AsyncAIHttpLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Async HTTP {Operation}: {Characters} characters, voice {VoiceId}, model {Model}, {Encoding} {SampleRate} Hz {Container}, mp3 bit rate {BitRate}")]
    public static partial void RequestStarting(ILogger logger, string operation, int characters, string voiceId, string model, string encoding, int sampleRate, string container, string bitRate);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Async HTTP {Operation}: first audio after {TimeToFirstByteMs:0.0} ms")]
    public static partial void FirstAudio(ILogger logger, string operation, double timeToFirstByteMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Async HTTP {Operation} completed: {Bytes} audio bytes in {Chunks} chunks")]
    public static partial void StreamCompleted(ILogger logger, string operation, long bytes, int chunks);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Async HTTP {Operation} failed ({Category}, status {StatusCode}, code {ErrorCode}); retry {Attempt} in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, string operation, AsyncAIErrorCategory category, int? statusCode, string? errorCode, int attempt, double delayMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Async HTTP {Operation} failed ({Category}, status {StatusCode}, code {ErrorCode})")]
    public static partial void Failed(ILogger logger, string operation, AsyncAIErrorCategory category, int? statusCode, string? errorCode, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Async HTTP {Operation}: the body ended inside a sample; {Bytes} trailing bytes dropped")]
    public static partial void TrailingBytesDropped(ILogger logger, string operation, int bytes);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Async HTTP {Operation} cancelled after {Bytes} audio bytes")]
    public static partial void Cancelled(ILogger logger, string operation, long bytes);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "Async HTTP {Operation}: page {Page} with {Count} voices, next cursor present: {HasNext}")]
    public static partial void VoicePage(ILogger logger, string operation, int page, int count, bool hasNext);
}
