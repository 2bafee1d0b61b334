using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AsyncAI.TextToSpeech.Cli.Service;
using AsyncAI.TextToSpeech.Cli.Speech;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>
/// <c>asyncai-tts bench</c>: a quick latency check — time to first audio over many sequential contexts (WebSocket)
/// or requests (HTTP). The full harnesses (paced/burst, CPU per audio-second, BenchmarkDotNet) are in <c>bench/</c>.
/// </summary>
internal static class BenchCommand
{
    private const string DefaultText = "The quick brown fox jumps over the lazy dog.";

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var count = new Option<int?>("--count", "-n")
        {
            Description = "Contexts (ws) or requests (http) to measure (default: 200; 10 against api.async.com, where each one uses quota)",
            HelpName = "N",
        };
        count.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is < 1 or > 100_000)
            {
                result.AddError("--count must be between 1 and 100000.");
            }
        });
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured runs first (JIT, connection pool)", HelpName = "N", DefaultValueFactory = _ => 5 };
        warmup.AcceptOnlyBetween(0, 10_000, "--warmup must be between 0 and 10000.");
        var text = new Option<string>("--text") { Description = "Text of each context", HelpName = "TEXT", DefaultValueFactory = _ => DefaultText };
        text.AcceptOnlyNonBlank("--text is empty. Pass the text each context speaks, or leave --text out for the default sentence.");
        var transport = new Option<string>("--transport") { Description = "ws: contexts on one WebSocket; http: streaming requests", DefaultValueFactory = _ => SpeakCommand.WebSocketTransport };
        transport.AcceptOnlyFromAmong(SpeakCommand.WebSocketTransport, SpeakCommand.HttpTransport);
        var speech = new SpeechOptions();
        var connection = new ConnectionOptions();

        var command = new Command("bench", "Measure time to first audio over many contexts or requests (full benchmarks: bench/ project)");
        command.Options.Add(count);
        command.Options.Add(warmup);
        command.Options.Add(text);
        command.Options.Add(transport);
        command.Options.Add(speech.Voice);
        command.Options.Add(speech.Model);
        command.Options.Add(speech.SampleRate);
        command.Options.Add(speech.Encoding);
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var input = parseResult.GetRequiredValue(text);
            var settings = speech.ReadSettings(parseResult);
            var useHttp = parseResult.GetValue(transport) == SpeakCommand.HttpTransport;
            await using var target = await connection.ResolveAsync(parseResult, console, cancellationToken);
            var isAsyncService = target.Emulator is null && parseResult.GetValue(connection.Url) is null;
            var runs = parseResult.GetValue(count) ?? (isAsyncService ? 10 : 200);
            var warmupRuns = parseResult.GetValue(warmup);
            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose));

            var samples = new List<TimeSpan>(runs);
            long audioBytes = 0;
            var wall = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            Func<CancellationToken, Task<(TimeSpan FirstAudio, long Bytes)>> runOnce;
            AsyncAIWebSocketClient? webSocketClient = null;
            using var httpClient = new HttpClient();
            if (useHttp)
            {
                var client = new AsyncAIHttpClient(httpClient, Speaker.CreateHttpOptions(target, settings), loggerFactory);
                runOnce = ct => MeasureHttpAsync(client, input, ct);
            }
            else
            {
                webSocketClient = new AsyncAIWebSocketClient(new AsyncAIWebSocketOptions
                {
                    ApiKey = target.ApiKey,
                    Url = target.WebSocketUrl,
                    VoiceId = settings.VoiceId,
                    Model = settings.Model,
                    SampleRate = settings.SampleRate,
                    Encoding = settings.Encoding,
                    LoggerFactory = loggerFactory,
                });
                runOnce = ct => MeasureWebSocketAsync(webSocketClient, input, ct);
            }

            try
            {
                // Inside the try: a connect that fails or is cancelled still disposes the client (its event loop runs
                // from construction).
                if (webSocketClient is not null)
                {
                    await webSocketClient.ConnectAsync(cancellationToken);
                }

                for (var i = 0; i < warmupRuns + runs; i++)
                {
                    if (i == warmupRuns)
                    {
                        wall.Restart();
                        cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    }

                    var (firstAudio, bytes) = await runOnce(cancellationToken);
                    if (i >= warmupRuns)
                    {
                        samples.Add(firstAudio);
                        audioBytes += bytes;
                    }
                }
            }
            finally
            {
                if (webSocketClient is not null)
                {
                    await webSocketClient.DisposeAsync();
                }
            }

            wall.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var audioSeconds = (double)audioBytes / (AudioEncodings.BytesPerSample(settings.Encoding) * settings.SampleRate);
            await console.Out.WriteAsync(FormatReport(samples, audioSeconds, wall.Elapsed, cpu, useHttp, target.Emulator is not null));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Formats the results: percentiles of time to first audio, audio produced, wall and CPU time.</summary>
    internal static string FormatReport(IReadOnlyList<TimeSpan> samples, double audioSeconds, TimeSpan wall, TimeSpan cpu, bool http, bool inProcessEmulator)
    {
        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        var cpuNote = inProcessEmulator ? " (includes the in-process emulator; use --url for the client alone)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"""
            {sorted.Length} {(http ? "HTTP streaming requests" : "contexts on one WebSocket")}, one after another
            time to first audio (ms): p50 {Percentile(50):0.000}  p90 {Percentile(90):0.000}  p99 {Percentile(99):0.000}  max {sorted[^1]:0.000}  mean {sorted.Average():0.000}
            audio: {audioSeconds:0.00} s in {wall.TotalSeconds:0.00} s wall; process CPU {cpu.TotalMilliseconds / Math.Max(audioSeconds, 1e-9):0.000} ms per audio-second{cpuNote}
            Full benchmarks (paced/burst, BenchmarkDotNet): dotnet run -c Release --project bench/AsyncAI.TextToSpeech.Benchmarks; see docs/benchmarks.md.

            """);
    }

    private static async Task<(TimeSpan, long)> MeasureWebSocketAsync(AsyncAIWebSocketClient client, string text, CancellationToken cancellationToken)
    {
        await using var context = client.CreateContext();
        var clock = new SpeechClock();
        clock.MarkTextSent();
        await context.SendTextAsync(text, cancellationToken: cancellationToken);
        var reading = ReadAsync(context, clock, cancellationToken);
        await Task.WhenAll(reading, context.CompleteAsync(cancellationToken));
        return (clock.TimeToFirstAudio ?? throw NoAudio(), await reading);

        static async Task<long> ReadAsync(AsyncAIWebSocketContext context, SpeechClock clock, CancellationToken cancellationToken)
        {
            long bytes = 0;
            await foreach (var chunk in context.ReadAudioAsync(cancellationToken))
            {
                clock.MarkAudio(chunk);
                bytes += chunk.Audio.Length;
            }

            return bytes;
        }
    }

    private static async Task<(TimeSpan, long)> MeasureHttpAsync(AsyncAIHttpClient client, string text, CancellationToken cancellationToken)
    {
        var clock = new SpeechClock();
        long bytes = 0;
        clock.MarkTextSent();
        await foreach (var chunk in client.StreamAsync(text, cancellationToken: cancellationToken))
        {
            clock.MarkAudio(chunk);
            bytes += chunk.Audio.Length;
        }

        return (clock.TimeToFirstAudio ?? throw NoAudio(), bytes);
    }

    private static CliException NoAudio() => new("the service sent no audio for the benchmark text. Check --text and --voice.", ExitCodes.RuntimeError);
}
