using System.CommandLine;
using AsyncAI.TextToSpeech.Cli.Audio;
using AsyncAI.TextToSpeech.Cli.Speech;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary><c>asyncai-tts speak "TEXT"</c>: one text to a WAV file or stdout, over WebSocket (default) or HTTP.</summary>
internal static class SpeakCommand
{
    /// <summary>The <c>--transport</c> value for the WebSocket API.</summary>
    public const string WebSocketTransport = "ws";

    /// <summary>The <c>--transport</c> value for the HTTP streaming API.</summary>
    public const string HttpTransport = "http";

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var text = new Argument<string>("TEXT") { Description = "The text to speak" };
        var transport = new Option<string>("--transport")
        {
            Description = "ws: the WebSocket API (streams sentences); http: the HTTP streaming endpoint",
            DefaultValueFactory = _ => WebSocketTransport,
        };
        transport.AcceptOnlyFromAmong(WebSocketTransport, HttpTransport);
        var speech = new SpeechOptions();
        var connection = new ConnectionOptions();

        var command = new Command("speak", "Speak a text into a WAV file (or raw PCM on stdout with -o -)");
        command.Arguments.Add(text);
        speech.AddTo(command);
        command.Options.Add(transport);
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var input = parseResult.GetRequiredValue(text);
            if (string.IsNullOrWhiteSpace(input))
            {
                throw CliException.Usage("TEXT is empty. Pass the text to speak in quotes: asyncai-tts speak \"Hello.\"");
            }

            var settings = speech.ReadSettings(parseResult);
            var useHttp = parseResult.GetValue(transport) == HttpTransport;
            var outputPath = parseResult.GetRequiredValue(speech.Output);
            AudioOutput.Validate(outputPath, console);
            await using var target = await connection.ResolveAsync(parseResult, console, cancellationToken);
            return await SpeechRun.RunAsync(
                settings,
                outputPath,
                parseResult.GetValue(verbose),
                console,
                (loggerFactory, output, clock, ct) => useHttp
                    ? Speaker.SpeakOverHttpAsync(target, settings, loggerFactory, input, output, clock, ct)
                    : Speaker.SpeakOverWebSocketAsync(target, settings, loggerFactory, (context, token) => SendAsync(context, input, clock, token), output, clock, ct),
                cancellationToken);
        });
        return command;
    }

    private static async Task SendAsync(AsyncAIWebSocketContext context, string text, SpeechClock clock, CancellationToken cancellationToken)
    {
        clock.MarkTextSent();
        await context.SendTextAsync(text, cancellationToken: cancellationToken);
    }
}
