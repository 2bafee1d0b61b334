using System.Diagnostics;
using System.Globalization;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Benchmarks.Http;

/// <summary>
/// Measures the HTTP streaming client: the delay between a read completing (the chunk's arrival timestamp) and the
/// chunk reaching the consumer, and process CPU per second of audio, against a bare HttpClient body read as baseline.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/AsyncAI.TextToSpeech.Benchmarks -- http-latency [options]</c>.
/// Without <c>--url</c> the emulator runs in this process, so its CPU is included in both figures; the difference
/// between the client run and the baseline is the client's own cost.
/// </remarks>
public static class HttpLatencyHarness
{
    public const string Command = "http-latency";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("""
                usage: http-latency [--url <base url>] [--key <api key>] [--requests <n>] [--chars <n>] [--pacing <rate>]
                                    [--http-chunk <bytes>] [--encoding pcm_s16le|pcm_f32le|pcm_mulaw] [--sample-rate <hz>] [--warmup <n>] [--rounds <n>]
                  --url         an Async-compatible service; default: the emulator, in process
                  --pacing      emulator pacing (0 = as fast as possible, 1 = real time); in-process emulator only
                  --http-chunk  make the emulator write the body in pieces of this many bytes (x-emulator-fault)
                """);
            return 2;
        }

        AsyncAIEmulator? emulator = null;
        if (settings.Url is null)
        {
            emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = settings.Pacing });
        }

        try
        {
            var baseUrl = settings.Url ?? emulator!.HttpBaseUrl;
            using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromMinutes(5) };
            if (settings.HttpChunk is { } chunkBytes)
            {
                http.DefaultRequestHeaders.Add("x-emulator-fault", string.Create(CultureInfo.InvariantCulture, $"http-chunk:{chunkBytes}"));
            }

            var options = new AsyncAIHttpOptions(settings.Key)
            {
                BaseUrl = baseUrl,
                Encoding = settings.Encoding,
                SampleRate = settings.SampleRate,
                MaxRetries = 0,
            };
            var client = new AsyncAIHttpClient(http, options);
            var text = BuildText(settings.Chars);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HTTP client latency: {(emulator is null ? baseUrl.ToString() : "in-process emulator " + baseUrl)}, {settings.Rounds} rounds of {settings.Requests} requests of {settings.Chars} characters, {settings.Encoding} {settings.SampleRate} Hz, pacing {settings.Pacing}, http-chunk {settings.HttpChunk?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
            Console.WriteLine(BenchRuntime.Describe());

            for (var i = 0; i < settings.Warmup; i++)
            {
                await RunClientAsync(client, text, delays: null);
                await RunBaselineAsync(http, baseUrl, settings, text);
            }

            // The machine may be shared: alternate client and baseline rounds and report medians, so drift hits both.
            var delays = new List<double>(settings.Rounds * settings.Requests * 512);
            var clientRuns = new List<Run>();
            var baselineRuns = new List<Run>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                var clientFirst = round % 2 == 0;
                for (var pass = 0; pass < 2; pass++)
                {
                    if ((pass == 0) == clientFirst)
                    {
                        clientRuns.Add(await MeasureAsync(async () =>
                        {
                            double seconds = 0;
                            for (var i = 0; i < settings.Requests; i++)
                            {
                                seconds += await RunClientAsync(client, text, delays);
                            }

                            return seconds;
                        }));
                    }
                    else
                    {
                        baselineRuns.Add(await MeasureAsync(async () =>
                        {
                            double seconds = 0;
                            for (var i = 0; i < settings.Requests; i++)
                            {
                                seconds += await RunBaselineAsync(http, baseUrl, settings, text);
                            }

                            return seconds;
                        }));
                    }
                }
            }

            delays.Sort();
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hand-out delay (read completed -> consumer has the chunk), {delays.Count} chunks, µs:"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p50 {Percentile(delays, 0.50):0.0}  p90 {Percentile(delays, 0.90):0.0}  p99 {Percentile(delays, 0.99):0.0}  p99.9 {Percentile(delays, 0.999):0.0}  max {delays[^1]:0.0}"));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process CPU per audio-second, median of {settings.Rounds} alternating rounds (emulator included when in process):"));
            Print("  AsyncAIHttpClient.StreamAsync", clientRuns);
            Print("  bare HttpClient body read    ", baselineRuns);
            var cpuOverhead = Median(clientRuns.Zip(baselineRuns, (c, b) => c.CpuMsPerAudioSecond - b.CpuMsPerAudioSecond));
            var allocOverhead = Median(clientRuns.Zip(baselineRuns, (c, b) => c.AllocatedPerAudioSecond - b.AllocatedPerAudioSecond));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  client overhead over the bare read (median of per-round differences): {cpuOverhead:0.000} ms CPU, {allocOverhead / 1024.0:0.0} KiB allocated per audio-second"));
            return 0;
        }
        finally
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }
        }
    }

    private static async Task<double> RunClientAsync(AsyncAIHttpClient client, string text, List<double>? delays)
    {
        double seconds = 0;
        await foreach (var chunk in client.StreamAsync(text))
        {
            var handedOut = Stopwatch.GetTimestamp();
            delays?.Add(Stopwatch.GetElapsedTime(chunk.ArrivalTimestamp, handedOut).TotalMicroseconds);
            seconds += chunk.Duration?.TotalSeconds ?? 0;
        }

        return seconds;
    }

    /// <summary>The same request read with nothing but HttpClient: the floor any client pays.</summary>
    private static async Task<double> RunBaselineAsync(HttpClient http, Uri baseUrl, Settings settings, string text)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new TextToSpeechRequest
            {
                ModelId = AsyncAIModels.FlashV10,
                Transcript = text,
                Voice = new VoiceSpecifier(AsyncAIHttpOptions.DefaultVoiceId),
                OutputFormat = new OutputFormat { Container = "raw", Encoding = settings.Encoding, SampleRate = settings.SampleRate },
            },
            AsyncAIJsonContext.Default.TextToSpeechRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "text_to_speech/streaming"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("x-api-key", settings.Key);
        request.Headers.Add("version", "v1");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[16 * 1024];
        long bytes = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += read;
        }

        var bytesPerSample = AudioEncodings.BytesPerSample(settings.Encoding);
        return (double)bytes / (bytesPerSample * settings.SampleRate);
    }

    private static async Task<Run> MeasureAsync(Func<Task<double>> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        var audioSeconds = await body();
        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new Run(audioSeconds, wall.Elapsed, cpu, allocated);
    }

    private static void Print(string label, List<Run> runs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {runs[0].AudioSeconds:0.0} audio-s per round, median {Median(runs.Select(r => r.Wall.TotalSeconds)):0.00} s wall -> {Median(runs.Select(r => r.CpuMsPerAudioSecond)):0.000} ms CPU (rounds: {string.Join(" ", runs.Select(r => r.CpuMsPerAudioSecond.ToString("0.000", CultureInfo.InvariantCulture)))}) and {Median(runs.Select(r => r.AllocatedPerAudioSecond)) / 1024.0:0.0} KiB allocated per audio-second"));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string BuildText(int characters)
    {
        const string sentence = "The quick brown fox jumps over the lazy dog. ";
        var builder = new System.Text.StringBuilder(characters + sentence.Length);
        while (builder.Length < characters)
        {
            builder.Append(sentence);
        }

        return builder.ToString(0, characters).Trim();
    }

    private sealed record Run(double AudioSeconds, TimeSpan Wall, TimeSpan Cpu, long Allocated)
    {
        public double CpuMsPerAudioSecond => Cpu.TotalMilliseconds / AudioSeconds;

        public double AllocatedPerAudioSecond => Allocated / AudioSeconds;
    }

    private sealed record Settings(Uri? Url, string Key, int Requests, int Chars, double Pacing, int? HttpChunk, string Encoding, int SampleRate, int Warmup, int Rounds)
    {
        public static Settings? Parse(string[] args)
        {
            var settings = new Settings(null, Environment.GetEnvironmentVariable("ASYNCAI_API_KEY") ?? "sk_bench", 40, 600, 0, null, "pcm_s16le", 24000, 30, 5);
            for (var i = 0; i < args.Length; i++)
            {
                if (i + 1 >= args.Length)
                {
                    return null;
                }

                var value = args[++i];
                settings = args[i - 1] switch
                {
                    "--url" => settings with { Url = new Uri(value) },
                    "--key" => settings with { Key = value },
                    "--requests" => settings with { Requests = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--chars" => settings with { Chars = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--pacing" => settings with { Pacing = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--http-chunk" => settings with { HttpChunk = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--encoding" => settings with { Encoding = value },
                    "--sample-rate" => settings with { SampleRate = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--warmup" => settings with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--rounds" => settings with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                    _ => null,
                };
                if (settings is null)
                {
                    return null;
                }
            }

            return settings;
        }
    }
}
