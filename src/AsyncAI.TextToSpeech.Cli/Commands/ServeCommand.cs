using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary><c>asyncai-tts serve</c>: runs the Async emulator until Ctrl+C, for other programs (or other <c>asyncai-tts</c> runs with <c>--url</c>).</summary>
internal static class ServeCommand
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 8765;

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0 = any free port)", HelpName = "N", DefaultValueFactory = _ => DefaultPort };
        port.AcceptOnlyBetween(0, 65535, "--port must be between 0 and 65535.");
        var host = new Option<string>("--host") { Description = "Address to bind (0.0.0.0 for every interface)", HelpName = "ADDRESS", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeys = new Option<string[]>("--api-key") { Description = "Accept only this key (repeatable; default: any non-empty key)", HelpName = "KEY" };
        var pacing = new Option<double>("--pacing") { Description = "Audio speed: 0 = as fast as possible, 1 = real time, 2 = twice real time", HelpName = "RATE", DefaultValueFactory = _ => 0 };
        var timeToFirstAudio = new Option<double>("--time-to-first-audio-ms") { Description = "Delay before a context's first audio", HelpName = "MS", DefaultValueFactory = _ => 0 };
        var chunk = new Option<double>("--chunk-ms") { Description = "Audio per message or stream write", HelpName = "MS", DefaultValueFactory = _ => 20 };
        var secondsPerCharacter = new Option<double>("--seconds-per-char") { Description = "Seconds of audio per non-whitespace character", HelpName = "S", DefaultValueFactory = _ => 0.05 };

        var command = new Command("serve", "Run the local Async emulator (WebSocket + HTTP) until Ctrl+C");
        command.Options.Add(port);
        command.Options.Add(host);
        command.Options.Add(apiKeys);
        command.Options.Add(pacing);
        command.Options.Add(timeToFirstAudio);
        command.Options.Add(chunk);
        command.Options.Add(secondsPerCharacter);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            EmulatorOptions options;
            try
            {
                options = new EmulatorOptions
                {
                    Host = parseResult.GetRequiredValue(host),
                    Port = parseResult.GetValue(port),
                    PacingRate = parseResult.GetValue(pacing),
                    TimeToFirstAudio = TimeSpan.FromMilliseconds(parseResult.GetValue(timeToFirstAudio)),
                    ChunkDuration = TimeSpan.FromMilliseconds(parseResult.GetValue(chunk)),
                    SecondsPerCharacter = parseResult.GetValue(secondsPerCharacter),
                    EnableLogging = parseResult.GetValue(verbose),
                };
            }
            catch (ArgumentException ex)
            {
                // The emulator names its own properties; say which flag that is.
                var flag = ex.ParamName switch
                {
                    nameof(EmulatorOptions.PacingRate) => pacing.Name,
                    nameof(EmulatorOptions.TimeToFirstAudio) => timeToFirstAudio.Name,
                    nameof(EmulatorOptions.ChunkDuration) => chunk.Name,
                    nameof(EmulatorOptions.SecondsPerCharacter) => secondsPerCharacter.Name,
                    _ => host.Name,
                };
                throw CliException.Usage($"{flag}: {ex.Message}");
            }
            foreach (var key in parseResult.GetValue(apiKeys) ?? [])
            {
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw CliException.Usage($"{apiKeys.Name} is empty. Pass the key clients must send, or leave {apiKeys.Name} out to accept any non-empty key.");
                }

                options.ApiKeys.Add(key);
            }

            AsyncAIEmulator emulator;
            try
            {
                emulator = await AsyncAIEmulator.StartAsync(options, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or FormatException or SocketException)
            {
                throw new CliException($"cannot listen on {options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)}: {ex.Message} Pick another --port or --host.", ExitCodes.RuntimeError, ex);
            }

            await using (emulator)
            {
                var output = console.Out;
                await output.WriteLineAsync("Async emulator listening (Ctrl+C to stop).");
                await output.WriteLineAsync($"  HTTP:      {emulator.HttpBaseUrl}");
                await output.WriteLineAsync($"  WebSocket: {emulator.WebSocketUrl}");
                await output.WriteLineAsync(options.ApiKeys.Count == 0
                    ? "  Keys:      any non-empty key"
                    : string.Create(CultureInfo.InvariantCulture, $"  Keys:      {options.ApiKeys.Count} configured"));
                await output.WriteLineAsync($"Try: asyncai-tts speak \"Hello.\" --url {emulator.HttpBaseUrl}");
                await output.FlushAsync(cancellationToken);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop cleanly.
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
