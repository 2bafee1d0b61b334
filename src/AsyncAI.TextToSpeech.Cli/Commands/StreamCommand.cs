using System.CommandLine;
using AsyncAI.TextToSpeech.Cli.Audio;
using AsyncAI.TextToSpeech.Cli.Speech;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>
/// <c>asyncai-tts stream</c>: reads lines from stdin and speaks each as it arrives, as one sentence of a single
/// WebSocket context, so the audio of the first line flows while later lines are still being typed or generated.
/// </summary>
internal static class StreamCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var speech = new SpeechOptions();
        var connection = new ConnectionOptions();
        var command = new Command("stream", "Speak lines from stdin as they arrive, through one WebSocket context (end with Ctrl+D)");
        speech.AddTo(command);
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = speech.ReadSettings(parseResult);
            var outputPath = parseResult.GetRequiredValue(speech.Output);
            AudioOutput.Validate(outputPath, console);
            await using var target = await connection.ResolveAsync(parseResult, console, cancellationToken);
            return await SpeechRun.RunAsync(
                settings,
                outputPath,
                parseResult.GetValue(verbose),
                console,
                (loggerFactory, output, clock, ct) => Speaker.SpeakOverWebSocketAsync(
                    target, settings, loggerFactory, (context, token) => SendLinesAsync(context, console.In, clock, token), output, clock, ct),
                cancellationToken);
        });
        return command;
    }

    private static async Task SendLinesAsync(AsyncAIWebSocketContext context, TextReader input, SpeechClock clock, CancellationToken cancellationToken)
    {
        var sentAny = false;
        while (await ReadLineAsync(input, cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            clock.MarkTextSent();
            await context.SendTextAsync(line, cancellationToken: cancellationToken);
            sentAny = true;
        }

        if (!sentAny)
        {
            throw CliException.Usage("stdin had no text to speak. Pipe lines in, e.g. echo \"Hello.\" | asyncai-tts stream");
        }
    }

    /// <summary>
    /// Reads the next line, but stops waiting when cancelled. <see cref="Console.In"/> ignores the token (its
    /// ReadLineAsync blocks in ReadLine), so a Ctrl+C while waiting for input never reached the run: the process
    /// exited without completing the WAV header or writing the buffered audio. The read runs on the thread pool.
    /// </summary>
    private static Task<string?> ReadLineAsync(TextReader input, CancellationToken cancellationToken) =>
        Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(cancellationToken);
}
