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

    // The emulator's own limits (EmulatorOptions.ChunkDuration, SecondsPerCharacter), checked here so the error names the flag.
    // The chunk is checked after the conversion the action makes: TimeSpan.FromMilliseconds cuts to whole 100 ns
    // ticks, so 0.00001 ms becomes zero (which the emulator refuses) and 10000.00009 ms becomes 10 s (which it accepts).
    private static readonly TimeSpan MaxChunk = TimeSpan.FromSeconds(10);
    private const double MaxSecondsPerCharacter = 10;

    // Our limit: the emulator sets none, but a TimeSpan overflows past ~9.2e14 ms and a timer's delay has its own
    // limit (~49 days); an hour is far beyond any test's need.
    private const double MaxTimeToFirstAudioMs = 3_600_000;

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0 = any free port)", HelpName = "N", DefaultValueFactory = _ => DefaultPort };
        port.AcceptOnlyBetween(0, 65535, "--port must be between 0 and 65535.");
        var host = new Option<string>("--host") { Description = "Address to bind (0.0.0.0 for every interface)", HelpName = "ADDRESS", DefaultValueFactory = _ => "127.0.0.1" };
        host.AcceptOnlyNonBlank("--host is empty. Pass an address to bind, e.g. 127.0.0.1 or 0.0.0.0.");
        var apiKeys = new Option<string[]>("--api-key") { Description = "Accept only this key (repeatable; default: any non-empty key)", HelpName = "KEY" };
        var pacing = new Option<double>("--pacing") { Description = "Audio speed: 0 = as fast as possible, 1 = real time, 2 = twice real time", HelpName = "RATE", DefaultValueFactory = _ => 0 };
        pacing.AcceptOnly(v => v >= 0, "--pacing must be 0 or more: 0 = as fast as possible, 1 = real time, 2 = twice real time.");
        var timeToFirstAudio = new Option<double>("--time-to-first-audio-ms") { Description = "Delay before a context's first audio (0 to 3600000)", HelpName = "MS", DefaultValueFactory = _ => 0 };
        timeToFirstAudio.AcceptOnly(v => v is >= 0 and <= MaxTimeToFirstAudioMs, "--time-to-first-audio-ms must be between 0 and 3600000 (one hour).");
        var chunk = new Option<double>("--chunk-ms") { Description = "Audio per message or stream write (0.0001 to 10000)", HelpName = "MS", DefaultValueFactory = _ => 20 };
        chunk.AcceptOnly(IsChunkAccepted, "--chunk-ms must be at least 0.0001 (100 ns) and at most 10000 (10 s).");
        var secondsPerCharacter = new Option<double>("--seconds-per-char") { Description = "Seconds of audio per non-whitespace character (more than 0, at most 10)", HelpName = "S", DefaultValueFactory = _ => 0.05 };
        secondsPerCharacter.AcceptOnly(v => v is > 0 and <= MaxSecondsPerCharacter, "--seconds-per-char must be greater than 0 and at most 10.");

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
                // A backstop: the validators above refuse every value the emulator does. The emulator's message names
                // its own property, so the line names the flag and leaves that message to --verbose.
                var flag = ex.ParamName switch
                {
                    nameof(EmulatorOptions.PacingRate) => pacing.Name,
                    nameof(EmulatorOptions.TimeToFirstAudio) => timeToFirstAudio.Name,
                    nameof(EmulatorOptions.ChunkDuration) => chunk.Name,
                    nameof(EmulatorOptions.SecondsPerCharacter) => secondsPerCharacter.Name,
                    _ => host.Name,
                };
                throw new CliException($"{flag}: the emulator does not accept this value. Run 'asyncai-tts serve --help' for the allowed range, or --verbose for its reason.", ExitCodes.UsageError, ex);
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

    /// <summary>Whether the emulator takes <paramref name="milliseconds"/> as its chunk, converted as the action converts it.</summary>
    private static bool IsChunkAccepted(double milliseconds)
    {
        // A rough range first: FromMilliseconds throws on NaN and on values past what a TimeSpan holds.
        if (milliseconds is not (> 0 and < 20_000))
        {
            return false;
        }

        var chunk = TimeSpan.FromMilliseconds(milliseconds);
        return chunk > TimeSpan.Zero && chunk <= MaxChunk;
    }
}
