using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime;
using System.Text;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Benchmarks.WebSockets;

/// <summary>
/// Latency and CPU harness for <see cref="AsyncAIWebSocketClient"/> (not BenchmarkDotNet: it measures an end-to-end
/// path over a real socket, one context at a time).
/// </summary>
/// <remarks>
/// <para>
/// <b>Latency</b>: time from <see cref="AsyncAIWebSocketContext.SendTextAsync"/> to the first audio chunk handed to a
/// reader that is already waiting in <see cref="AsyncAIWebSocketContext.ReadAudioAsync"/>, p50/p99 over many
/// contexts, sequential so nothing queues. <i>Paced</i>: the server streams in real time; <i>burst</i>: as fast as it
/// can. Server time to first audio is 0 and chunks are 20 ms, so what is left is the client plus loopback plus the
/// server's own message handling.
/// </para>
/// <para>
/// <b>CPU</b>: process CPU time per second of audio delivered, pacing off, several contexts at once. Run it with
/// <c>--spawn-emulator</c> (the emulator in a child process) or <c>--url</c> so the process measured is the client only.
/// </para>
/// </remarks>
internal static class WebSocketLatencyHarness
{
    private const string LatencyText = "Hello there, this is a latency probe.";
    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan TierUpPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxWarmupTime = TimeSpan.FromSeconds(90);
    private const int QuietProbes = 40;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings is null)
        {
            Console.WriteLine("""
                Usage: ws-latency [--mode latency|cpu|all] [--contexts N] [--warmup N] [--url WS_URL] [--api-key KEY]
                                  [--voice ID] [--spawn-emulator] [--baseline] [--cpu-contexts N] [--cpu-parallel N] [--cpu-chars N]
                  --baseline also times a bare ClientWebSocket on the same server (the floor without this library).
                  --gap-ms N idles N ms between probes (threads go to sleep, as between sentences); default 0.
                  --inline-completions: socket completions run on the epoll thread in this process (not a child emulator).
                  default: the in-process emulator; --spawn-emulator runs it as a child process (so process CPU is the
                  client's own); --url uses any Async-compatible server as it is configured (pacing included).
                """);
            return 2;
        }

        Console.WriteLine($"WebSocket client harness: {settings.Describe()}");
        Console.WriteLine(BenchRuntime.Describe());
        if (settings.Mode is "latency" or "all")
        {
            await RunLatencyAsync(settings, "paced (pacing 1)", pacing: 1);
            await RunLatencyAsync(settings, "burst (pacing 0)", pacing: 0);
        }

        if (settings.Mode is "cpu" or "all")
        {
            await RunCpuAsync(settings);
        }

        return 0;
    }

    private static async Task RunLatencyAsync(Settings settings, string label, double pacing)
    {
        await using var server = await Server.StartAsync(settings, pacing);
        await using var client = new AsyncAIWebSocketClient(Options(settings, server.Url));
        await client.ConnectAsync();

        await WarmUpAsync(settings, () => MeasureOneAsync(client, pacing, settings.Gap));
        Report(label, await MeasureAsync(settings.Contexts, () => MeasureOneAsync(client, pacing, settings.Gap)));
        if (settings.Baseline)
        {
            await RunRawBaselineAsync(settings, server.Url, label);
        }
    }

    /// <summary>
    /// The floor: a bare <see cref="ClientWebSocket"/> sends the same text message and times the first server message
    /// on the same server, with no client library (no queue, no send loop, no decoding, no delivery to a reader).
    /// </summary>
    private static async Task RunRawBaselineAsync(Settings settings, Uri url, string label)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"{url}?api_key={settings.ApiKey}&version=v1"), CancellationToken.None);
        var init = Encoding.UTF8.GetBytes("""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":""" + "\"" + settings.VoiceId + "\"" + """},"output_format":{"container":"raw","encoding":"pcm_s16le","sample_rate":24000}}""");
        await socket.SendAsync(init, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];

        async Task<double> OneAsync(int n)
        {
            var id = "raw-" + n.ToString(CultureInfo.InvariantCulture);
            var text = Encoding.UTF8.GetBytes($$"""{"transcript":"{{LatencyText}} ","context_id":"{{id}}","force":true}""");
            var close = Encoding.UTF8.GetBytes($$"""{"context_id":"{{id}}","close_context":true,"transcript":""}""");
            var started = Stopwatch.GetTimestamp();
            await socket.SendAsync(text, WebSocketMessageType.Text, true, CancellationToken.None);
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            }
            while (!result.EndOfMessage);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await socket.SendAsync(close, WebSocketMessageType.Text, true, CancellationToken.None);

            // Drain until this context's final so the next probe starts on a quiet socket.
            var final = Encoding.UTF8.GetBytes("\"final\":true");
            while (true)
            {
                var count = 0;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                var message = buffer.AsSpan(0, count);
                if (message.IndexOf(final) >= 0 && message.IndexOf(Encoding.UTF8.GetBytes(id)) >= 0)
                {
                    if (settings.Gap > TimeSpan.Zero)
                    {
                        await Task.Delay(settings.Gap);
                    }

                    return elapsed;
                }
            }
        }

        var n = 0;
        await WarmUpAsync(settings, () => OneAsync(n++));
        Report("raw " + label, await MeasureAsync(settings.Contexts, () => OneAsync(n++)));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    /// <summary>
    /// Warms up until tiered compilation has promoted the hot path: at least the given probes and time, and then until
    /// this process has compiled nothing for <see cref="QuietProbes"/> probes in a row (a paced probe calls its per-probe
    /// methods once, and each tier needs its own 30 calls); then gives the background compiler time to finish.
    /// </summary>
    private static async Task WarmUpAsync(Settings settings, Func<Task<double>> probe)
    {
        var warmup = Stopwatch.StartNew();
        var probes = 0;
        var quiet = 0;
        while (probes < settings.Warmup || warmup.Elapsed < WarmupTime || (quiet < QuietProbes && warmup.Elapsed < MaxWarmupTime))
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            await probe();
            probes++;
            quiet = JitInfo.GetCompiledMethodCount() == compiled ? quiet + 1 : 0;
        }

        await Task.Delay(TierUpPause);
    }

    /// <summary>
    /// Runs the probes one after another. A probe is <i>quiet</i> when no JIT compile and no gen-0 GC finished in this
    /// process between its start and its end (which includes its drain and gap: a conservative test).
    /// </summary>
    private static async Task<(double[] All, double[] Quiet)> MeasureAsync(int count, Func<Task<double>> probe)
    {
        var samples = new double[count];
        var quiet = new List<double>(count);
        for (var i = 0; i < samples.Length; i++)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var collections = GC.CollectionCount(0);
            samples[i] = await probe();
            if (JitInfo.GetCompiledMethodCount() == compiled && GC.CollectionCount(0) == collections)
            {
                quiet.Add(samples[i]);
            }
        }

        return (samples, [.. quiet]);
    }

    private static void Report(string label, (double[] All, double[] Quiet) samples)
    {
        Report(label, samples.All);
        if (samples.Quiet.Length > 0)
        {
            Report("  quiet", samples.Quiet);
        }
    }

    private static void Report(string label, double[] samples)
    {
        Array.Sort(samples);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"latency {label,-21} n={samples.Length}  p50={Percentile(samples, 0.50):F3} ms  p90={Percentile(samples, 0.90):F3} ms  p99={Percentile(samples, 0.99):F3} ms  min={samples[0]:F3} ms  max={samples[^1]:F3} ms"));
    }

    /// <summary>One context: milliseconds from SendTextAsync to the first chunk reaching an already waiting reader.</summary>
    private static async Task<double> MeasureOneAsync(AsyncAIWebSocketClient client, double pacing, TimeSpan gap)
    {
        var context = client.CreateContext();
        await using var audio = context.ReadAudioAsync().GetAsyncEnumerator();

        // The reader is already parked before the text goes out, as in a pipeline.
        var first = audio.MoveNextAsync();
        var started = Stopwatch.GetTimestamp();
        await context.SendTextAsync(LatencyText);
        if (!await first)
        {
            throw new InvalidOperationException($"context {context.Id} ended without audio");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (pacing > 0)
        {
            // The server truncates on close_context, so the socket is quiet again within a chunk.
            await context.InterruptAsync();
        }
        else
        {
            // The rest of the burst is already on its way: take it all so the next context starts on a quiet socket.
            var completion = context.CompleteAsync();
            while (await audio.MoveNextAsync())
            {
            }

            await completion;
        }

        if (gap > TimeSpan.Zero)
        {
            // Idle between probes: the thread pool goes to sleep, as between the sentences of a conversation.
            await Task.Delay(gap);
        }

        return elapsed.TotalMilliseconds;
    }

    private static async Task RunCpuAsync(Settings settings)
    {
        await using var server = await Server.StartAsync(settings, pacing: 0);
        await using var client = new AsyncAIWebSocketClient(Options(settings, server.Url));
        await client.ConnectAsync();
        var text = new string('a', settings.CpuChars);

        // Warm up the JIT (until tiered compilation has promoted the hot path) and the pools first.
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < WarmupTime)
        {
            await StreamAsync(client, text, contexts: settings.CpuParallel, parallel: settings.CpuParallel);
        }

        await Task.Delay(TierUpPause);
        GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var gcBefore = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var wall = Stopwatch.StartNew();

        var (audioSeconds, chunks) = await StreamAsync(client, text, settings.CpuContexts, settings.CpuParallel);

        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"cpu ({server.Kind}) audio={audioSeconds:F1} s in {chunks} chunks, wall={wall.Elapsed.TotalSeconds:F2} s ({audioSeconds / wall.Elapsed.TotalSeconds:F0}x real time), process CPU={cpu.TotalMilliseconds:F0} ms"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"cpu per audio-second = {cpu.TotalMilliseconds / audioSeconds:F3} ms  ({cpu.TotalMilliseconds * 1000 / chunks:F2} us per 20 ms chunk; {allocated / (double)chunks:F0} B allocated per chunk; gen0 GCs {GC.CollectionCount(0) - gcBefore})"));
    }

    private static async Task<(double AudioSeconds, long Chunks)> StreamAsync(AsyncAIWebSocketClient client, string text, int contexts, int parallel)
    {
        long bytes = 0;
        long chunks = 0;
        var next = -1;

        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) < contexts)
            {
                var context = client.CreateContext();
                await context.SendTextAsync(text);
                var completion = context.CompleteAsync();
                await foreach (var chunk in context.ReadAudioAsync())
                {
                    Interlocked.Add(ref bytes, chunk.Audio.Length);
                    Interlocked.Increment(ref chunks);
                }

                await completion;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(WorkerAsync)));
        return (bytes / 2.0 / 24000, chunks);
    }

    private static AsyncAIWebSocketOptions Options(Settings settings, Uri url) => new()
    {
        ApiKey = settings.ApiKey,
        VoiceId = settings.VoiceId,
        Url = url,
        SampleRate = 24000,
    };

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Round(p * (sorted.Length - 1))];

    private sealed class Settings
    {
        public string Mode { get; private set; } = "all";

        public int Contexts { get; private set; } = 300;

        public int Warmup { get; private set; } = 50;

        public Uri? Url { get; private set; }

        public string ApiKey { get; private set; } = Environment.GetEnvironmentVariable("ASYNCAI_API_KEY") ?? "sk_bench";

        // The emulator's default voice; pass --voice for another server.
        public string VoiceId { get; private set; } = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

        public bool SpawnEmulator { get; private set; }

        public bool Baseline { get; private set; }

        public TimeSpan Gap { get; private set; }

        public int CpuContexts { get; private set; } = 40;

        public int CpuParallel { get; private set; } = 4;

        public int CpuChars { get; private set; } = 400;

        public static Settings? Parse(string[] args)
        {
            var settings = new Settings();
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--mode": settings.Mode = Value(); break;
                    case "--contexts": settings.Contexts = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--warmup": settings.Warmup = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--url": settings.Url = new Uri(Value()); break;
                    case "--api-key": settings.ApiKey = Value(); break;
                    case "--voice": settings.VoiceId = Value(); break;
                    case "--spawn-emulator": settings.SpawnEmulator = true; break;
                    case "--baseline": settings.Baseline = true; break;
                    case "--gap-ms": settings.Gap = TimeSpan.FromMilliseconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
                    case "--cpu-contexts": settings.CpuContexts = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--cpu-parallel": settings.CpuParallel = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--cpu-chars": settings.CpuChars = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    default: return null;
                }
            }

            return settings.Mode is "latency" or "cpu" or "all" ? settings : null;
        }

        public string Describe() =>
            Url is not null ? $"server {Url} (as configured)" : SpawnEmulator ? "emulator in a child process" : "emulator in process";
    }

    /// <summary>The server under test: an external URL, the emulator in this process, or the emulator as a child process.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private AsyncAIEmulator? _inProcess;
        private Process? _child;

        public Uri Url { get; private set; } = null!;

        public string Kind { get; private set; } = "";

        public static async Task<Server> StartAsync(Settings settings, double pacing)
        {
            var server = new Server();
            if (settings.Url is not null)
            {
                server.Url = settings.Url;
                server.Kind = "external server: client only";
            }
            else if (settings.SpawnEmulator)
            {
                await server.SpawnAsync(pacing);
                server.Kind = "emulator in a child process: client only";
            }
            else
            {
                server._inProcess = await AsyncAIEmulator.StartAsync(new EmulatorOptions
                {
                    PacingRate = pacing,
                    ChunkDuration = TimeSpan.FromMilliseconds(20),
                    TimeToFirstAudio = TimeSpan.Zero,
                    CloseContextTruncates = true,
                });
                server.Url = server._inProcess.WebSocketUrl;
                server.Kind = "emulator in process: client + server";
            }

            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (_inProcess is not null)
            {
                await _inProcess.DisposeAsync();
            }

            if (_child is not null)
            {
                _child.Kill();
                await _child.WaitForExitAsync();
                _child.Dispose();
            }
        }

        private async Task SpawnAsync(double pacing)
        {
            var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "AsyncAI.TextToSpeech.Emulator.exe" : "AsyncAI.TextToSpeech.Emulator");
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            BenchRuntime.ConfigureChild(start);

            foreach (var arg in new[] { "--port", "0", "--pacing", pacing.ToString(CultureInfo.InvariantCulture), "--chunk-ms", "20", "--time-to-first-audio-ms", "0", "--close-context-truncates" })
            {
                start.ArgumentList.Add(arg);
            }

            _child = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator");
            while (await _child.StandardOutput.ReadLineAsync() is { } line)
            {
                var at = line.IndexOf("WebSocket:", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var url = line[(at + "WebSocket:".Length)..].Trim();
                    var query = url.IndexOf('?', StringComparison.Ordinal);
                    Url = new Uri(query >= 0 ? url[..query] : url);
                    return;
                }
            }

            throw new InvalidOperationException("the emulator exited without printing its WebSocket URL");
        }
    }
}
