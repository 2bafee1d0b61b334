using AsyncAI.TextToSpeech.Cli.Audio;
using AsyncAI.TextToSpeech.Cli.Service;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.WebSockets;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Cli.Speech;

/// <summary>Runs one synthesis over WebSocket or HTTP and writes the audio to an <see cref="AudioOutput"/> as it arrives.</summary>
internal static class Speaker
{
    /// <summary>
    /// Speaks over one WebSocket context: <paramref name="sendText"/> feeds it, then the input is completed and the
    /// audio read until the server's final. Audio is read concurrently with sending, and if either side fails the
    /// other is cancelled, so a failed write never leaves the sender waiting (or the other way round).
    /// </summary>
    public static async Task SpeakOverWebSocketAsync(
        ServiceTarget target,
        SpeechSettings settings,
        ILoggerFactory loggerFactory,
        Func<AsyncAIWebSocketContext, CancellationToken, Task> sendText,
        AudioOutput output,
        SpeechClock clock,
        CancellationToken cancellationToken)
    {
        var options = new AsyncAIWebSocketOptions
        {
            ApiKey = target.ApiKey,
            Url = target.WebSocketUrl,
            VoiceId = settings.VoiceId,
            Model = settings.Model,
            Language = settings.Language,
            SampleRate = settings.SampleRate,
            Encoding = settings.Encoding,
            LoggerFactory = loggerFactory,
        };

        await using var client = new AsyncAIWebSocketClient(options);
        await client.ConnectAsync(cancellationToken);
        await using var context = client.CreateContext();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reading = CancelOthersOnFailureAsync(ReadAsync(context, output, clock, stop.Token), stop);
        var sending = CancelOthersOnFailureAsync(SendAsync(context, sendText, stop.Token), stop);
        await Task.WhenAll(reading, sending);

        static async Task ReadAsync(AsyncAIWebSocketContext context, AudioOutput output, SpeechClock clock, CancellationToken cancellationToken)
        {
            await foreach (var chunk in context.ReadAudioAsync(cancellationToken))
            {
                clock.MarkAudio(chunk);
                await output.WriteAsync(chunk.Audio, cancellationToken);
            }
        }

        static async Task SendAsync(AsyncAIWebSocketContext context, Func<AsyncAIWebSocketContext, CancellationToken, Task> sendText, CancellationToken cancellationToken)
        {
            await sendText(context, cancellationToken);
            await context.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>Speaks one text through the HTTP streaming endpoint.</summary>
    public static async Task SpeakOverHttpAsync(
        ServiceTarget target,
        SpeechSettings settings,
        ILoggerFactory loggerFactory,
        string text,
        AudioOutput output,
        SpeechClock clock,
        CancellationToken cancellationToken)
    {
        using var httpClient = new HttpClient();
        var client = new AsyncAIHttpClient(httpClient, CreateHttpOptions(target, settings), loggerFactory);
        clock.MarkTextSent();
        await foreach (var chunk in client.StreamAsync(text, cancellationToken: cancellationToken))
        {
            clock.MarkAudio(chunk);
            await output.WriteAsync(chunk.Audio, cancellationToken);
        }
    }

    /// <summary>Builds HTTP client options for the target and settings.</summary>
    public static AsyncAIHttpOptions CreateHttpOptions(ServiceTarget target, SpeechSettings? settings = null)
    {
        var options = new AsyncAIHttpOptions(target.ApiKey) { BaseUrl = target.HttpBaseUrl };
        if (settings is not null)
        {
            options.VoiceId = settings.VoiceId;
            options.Model = settings.Model;
            options.Language = settings.Language;
            options.SampleRate = settings.SampleRate;
            options.Encoding = settings.Encoding;
        }

        return options;
    }

    private static async Task CancelOthersOnFailureAsync(Task task, CancellationTokenSource stop)
    {
        try
        {
            await task;
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }
}
