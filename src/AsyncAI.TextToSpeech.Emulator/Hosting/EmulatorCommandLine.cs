using System.Globalization;
using System.Runtime.InteropServices;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>Parses the executable's flags into <see cref="EmulatorOptions"/> and runs until Ctrl+C.</summary>
internal static class EmulatorCommandLine
{
    public const string Usage = """
        Async TTS emulator: a local Async-compatible server (WebSocket + HTTP).

        Usage: dotnet run --project src/AsyncAI.TextToSpeech.Emulator -- [options]

          --host <address>              address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)
          --port <n>                    port (default 0 = any free port; the URLs are printed)
          --api-key <key>               accept only this key (repeatable); default: any non-empty key
          --chunk-ms <ms>               audio per WebSocket message / stream write (default 20)
          --seconds-per-char <s>        audio seconds per non-whitespace character (default 0.05)
          --pacing <rate>               0 = as fast as possible (default), 1 = real time, 2 = twice real time
          --time-to-first-audio-ms <ms> delay before a context's first audio (default 0)
          --idle-timeout-ms <ms>        WebSocket idle timeout before TIMEOUT (default 60000)
          --close-context-truncates     close_context drops pending audio instead of finishing it
          --withhold-final              never send final:true
          --default-context-id <id>     context_id written for the default context (default "default"; "" omits it)
          --max-message-bytes <n>       largest client WebSocket message (default 1048576)
          --max-contexts <n>            open contexts per WebSocket (default 256)
          --max-connections <n>         open WebSockets (default 5000)
          --max-concurrent-http <n>     HTTP TTS requests in flight before 429 (default 0 = unlimited)
          --requests-per-minute <n>     HTTP requests per minute before 429 (default 0 = unlimited)
          --fault <list>                server-wide faults, e.g. "delay:50,odd-length-chunk" (repeatable)
          --verbose                     ASP.NET Core console logging (without per-request lines)
          --help                        this text
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        EmulatorOptions options;
        try
        {
            var parsed = Parse(args);
            if (parsed is null)
            {
                await output.WriteLineAsync(Usage);
                return 0;
            }

            options = parsed;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            await error.WriteLineAsync("Run with --help for the options.");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        await using var emulator = await AsyncAIEmulator.StartAsync(options);
        await output.WriteLineAsync($"Async emulator listening.");
        await output.WriteLineAsync($"  HTTP:      {emulator.HttpBaseUrl}");
        await output.WriteLineAsync($"  WebSocket: {emulator.WebSocketUrl}?api_key=<any key>&version=v1");
        await output.WriteLineAsync(options.ApiKeys.Count == 0 ? "  Keys:      any non-empty key" : $"  Keys:      {options.ApiKeys.Count} configured");
        await output.WriteLineAsync("Press Ctrl+C to stop.");
        await output.FlushAsync();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM
        }

        return 0;
    }

    /// <summary>Parses the flags; null means --help.</summary>
    internal static EmulatorOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{flag} needs a value.");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{flag} needs an integer.");
            double Double() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException($"{flag} needs a number.");

            switch (flag)
            {
                case "--help" or "-h" or "-?":
                    return null;
                case "--host": options.Host = Value(); break;
                case "--port": options.Port = Int(); break;
                case "--api-key": options.ApiKeys.Add(Value()); break;
                case "--chunk-ms": options.ChunkDuration = TimeSpan.FromMilliseconds(Double()); break;
                case "--seconds-per-char": options.SecondsPerCharacter = Double(); break;
                case "--pacing": options.PacingRate = Double(); break;
                case "--time-to-first-audio-ms": options.TimeToFirstAudio = TimeSpan.FromMilliseconds(Double()); break;
                case "--idle-timeout-ms": options.IdleTimeout = TimeSpan.FromMilliseconds(Double()); break;
                case "--close-context-truncates": options.CloseContextTruncates = true; break;
                case "--withhold-final": options.WithholdFinal = true; break;
                case "--default-context-id":
                    var id = Value();
                    options.DefaultContextId = id.Length == 0 ? null : id;
                    break;
                case "--max-message-bytes": options.MaxMessageBytes = Int(); break;
                case "--max-contexts": options.MaxContextsPerConnection = Int(); break;
                case "--max-connections": options.MaxConnections = Int(); break;
                case "--max-concurrent-http": options.MaxConcurrentHttpRequests = Int(); break;
                case "--requests-per-minute": options.HttpRequestsPerMinute = Int(); break;
                case "--fault": ApplyServerFaults(options, Value()); break;
                case "--verbose": options.EnableLogging = true; break;
                default: throw new FormatException($"Unknown option '{flag}'.");
            }
        }

        return options;
    }

    /// <summary>Turns a fault list into server-wide switches.</summary>
    internal static void ApplyServerFaults(EmulatorOptions options, string spec)
    {
        var set = new FaultSet().Apply(spec);
        var faults = options.Faults;
        faults.BlackHole |= set.BlackHole;
        faults.CloseAbruptlyMidContext |= set.CloseMidContext;
        faults.CloseAfterIdle = set.CloseAfterIdle ?? faults.CloseAfterIdle;
        faults.RejectHandshakeStatus = set.RejectHandshakeStatus ?? faults.RejectHandshakeStatus;
        faults.MalformedJson |= set.MalformedJson;
        faults.InvalidBase64 |= set.InvalidBase64;
        faults.OddLengthChunk |= set.OddLengthChunk;
        if (set.Delay > TimeSpan.Zero)
        {
            faults.ExtraDelay = set.Delay;
        }

        faults.QuotaExceededAfterBytes = set.QuotaAfterBytes ?? faults.QuotaExceededAfterBytes;
        faults.HttpChunkBytes = set.HttpChunkBytes ?? faults.HttpChunkBytes;
        options.WithholdFinal |= set.WithholdFinal;
        if (set.FailStatus is { } status)
        {
            faults.FailNextHttpRequests(int.MaxValue, status, set.FailErrorCode, set.FailRetryAfter);
        }
    }
}
