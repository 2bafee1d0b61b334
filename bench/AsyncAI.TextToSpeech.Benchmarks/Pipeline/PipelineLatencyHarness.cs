using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace AsyncAI.TextToSpeech.Benchmarks.Pipeline;

/// <summary>
/// <c>pipeline-latency</c>: one pipeline (TTS service → <see cref="ProbeSink"/>), a <c>TtsSpeakFrame</c> queued on the
/// <c>PipelineTask</c> → the first <c>TtsAudioRawFrame</c> at the sink, paced and burst; and process CPU per audio-second
/// with pacing off. Turns run one after another (the next is queued when the previous turn's <c>TtsStoppedFrame</c>
/// reached the sink), so nothing queues behind a measurement.
/// </summary>
internal static class PipelineLatencyHarness
{
    public const string Command = "pipeline-latency";

    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxWarmupTime = TimeSpan.FromSeconds(90);
    private const int QuietTurns = 40;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = PipelineBenchSettings.Parse(args);
        if (settings is null || settings.Mode is not ("all" or "latency" or "cpu"))
        {
            Console.Error.WriteLine("""
                usage: pipeline-latency [--mode all|latency|cpu] [--url URL] [--transport ws|http] [--spawn-emulator]
                                        [--turns N] [--warmup N] [--text TEXT] [--gap-ms MS] [--cpu-turns N] [--cpu-chars N] [--api-key KEY] [--voice ID]
                  default: the emulator in this process (paced run: pacing 1, burst and cpu runs: pacing 0; 20 ms chunks;
                  time to first audio 0). --spawn-emulator runs it as a child process, so process CPU is the client's alone.
                  turns run one after another with --gap-ms (default 2) idle between them; default text "Hi." (0.1 s).
                  --url: any Async-compatible server, as it is configured (ws:// or wss:// picks the WebSocket service).
                  --inline-completions: socket completions run on the epoll thread in this process (not a child emulator).
                """);
            return 2;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pipeline-latency: transport {settings.Transport}, {BenchRuntime.Describe()}"));
        using var http = PipelineBenchSettings.CreateHttpClient();
        if (settings.Mode is "all" or "latency")
        {
            await RunLatencyAsync(settings, http, "paced (pacing 1)", pacing: 1);
            await RunLatencyAsync(settings, http, "burst (pacing 0)", pacing: 0);
        }

        if (settings.Mode is "all" or "cpu")
        {
            await RunCpuAsync(settings, http);
        }

        return 0;
    }

    private static async Task RunLatencyAsync(PipelineBenchSettings settings, HttpClient http, string label, double pacing)
    {
        var servers = await settings.StartServersAsync(pacing);
        try
        {
            await using var pipeline = BenchPipeline.Start(settings.CreateService(servers[0], http));
            await pipeline.Started.WaitAsync(TimeSpan.FromSeconds(30));

            // Warm up until tiered compilation has promoted the hot path: at least the given turns and time, and then until
            // this process has compiled nothing for QuietTurns turns in a row. A paced turn calls its per-turn methods once,
            // and each tier (instrumented, then optimized) needs its own 30 calls, so a fixed 50 turns left ~300 methods
            // (≈ 0.3 s of JIT on these 2 cores) to be compiled during the paced measurement.
            var warmup = Stopwatch.StartNew();
            var warmupTurns = 0;
            var quietTurns = 0;
            while (warmupTurns < settings.Warmup || warmup.Elapsed < WarmupTime || (quietTurns < QuietTurns && warmup.Elapsed < MaxWarmupTime))
            {
                var compiled = JitInfo.GetCompiledMethodCount();
                await Task.Delay(settings.Gap);
                var (_, result) = pipeline.Speak(settings.Text);
                await result.WaitAsync(TimeSpan.FromSeconds(30));
                warmupTurns++;
                quietTurns = JitInfo.GetCompiledMethodCount() == compiled ? quietTurns + 1 : 0;
            }

            await Task.Delay(1000);
            var gc0 = GC.CollectionCount(0);
            var jitted0 = JitInfo.GetCompiledMethodCount();
            var jitTime0 = JitInfo.GetCompilationTime();
            var latencies = new List<double>(settings.Turns);
            var quietLatencies = new List<double>(settings.Turns);
            var noAudio = 0;
            for (var i = 0; i < settings.Turns; i++)
            {
                // Idle a little between turns, as between real turns (and so the service's pause after a turn has lifted).
                await Task.Delay(settings.Gap);
                var jitted = JitInfo.GetCompiledMethodCount();
                var collections = GC.CollectionCount(0);
                var (queued, result) = pipeline.Speak(settings.Text);
                var turn = await result.WaitAsync(TimeSpan.FromSeconds(30));
                if (turn.FirstAudioTimestamp == 0)
                {
                    noAudio++;
                    continue;
                }

                var latency = Stopwatch.GetElapsedTime(queued, turn.FirstAudioTimestamp).TotalMilliseconds;
                latencies.Add(latency);
                if (turn.CompiledMethodsAtFirstAudio == jitted && turn.Gen0CollectionsAtFirstAudio == collections)
                {
                    quietLatencies.Add(latency); // no JIT compile and no gen-0 GC finished inside this turn's window
                }
            }

            latencies.Sort();
            quietLatencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

                first audio, {label}: {servers[0].Kind}; "{settings.Text}", {latencies.Count} turns ({noAudio} without audio), warm-up {warmupTurns} turns in {warmup.Elapsed.TotalSeconds:0.0} s, {GC.CollectionCount(0) - gc0} gen-0 GCs, {JitInfo.GetCompiledMethodCount() - jitted0} methods compiled ({(JitInfo.GetCompilationTime() - jitTime0).TotalMilliseconds:0.0} ms), pipeline errors {pipeline.Errors}
                  TtsSpeakFrame queued -> first TtsAudioRawFrame at the sink, ms: p50 {P(latencies, 0.50):0.000}  p90 {P(latencies, 0.90):0.000}  p99 {P(latencies, 0.99):0.000}  max {latencies[^1]:0.000}
                  the {quietLatencies.Count} turns with no JIT compile or gen-0 GC finishing inside that window, ms: {(quietLatencies.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"p50 {P(quietLatencies, 0.50):0.000}  p90 {P(quietLatencies, 0.90):0.000}  p99 {P(quietLatencies, 0.99):0.000}  max {quietLatencies[^1]:0.000}"))}
                """));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static async Task RunCpuAsync(PipelineBenchSettings settings, HttpClient http)
    {
        var servers = await settings.StartServersAsync(pacing: 0);
        try
        {
            await using var pipeline = BenchPipeline.Start(settings.CreateService(servers[0], http));
            await pipeline.Started.WaitAsync(TimeSpan.FromSeconds(30));
            var text = PipelineBenchSettings.BuildText(settings.CpuChars);
            // Warm up as long as the measurement itself, then give tiered compilation time to finish: a shorter warm-up
            // measures the JIT (hot loops still running quick-jitted or instrumented code), not the steady state.
            for (var i = 0; i < Math.Max(5, settings.CpuTurns); i++)
            {
                await pipeline.Speak(text).Result.WaitAsync(TimeSpan.FromSeconds(60));
            }

            await Task.Delay(2000);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var serverCpu0 = servers[0].ChildCpu;
            var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
            int[] gc0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var wall = Stopwatch.StartNew();
            long bytes = 0;
            long chunks = 0;
            for (var i = 0; i < settings.CpuTurns; i++)
            {
                var turn = await pipeline.Speak(text).Result.WaitAsync(TimeSpan.FromSeconds(60));
                bytes += turn.Bytes;
                chunks += turn.Chunks;
            }

            wall.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpu0;
            var serverCpu = servers[0].ChildCpu - serverCpu0;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
            var audioSeconds = bytes / (2.0 * PipelineBenchSettings.SampleRate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

                CPU, pacing 0, one pipeline: {servers[0].Kind}; {settings.CpuTurns} turns of {settings.CpuChars} characters = {audioSeconds:0.0} audio-s in {chunks} chunks, {wall.Elapsed.TotalSeconds:0.00} s wall ({audioSeconds / wall.Elapsed.TotalSeconds:0}x real time)
                  process CPU {cpu.TotalMilliseconds:0} ms -> {cpu.TotalMilliseconds / audioSeconds:0.000} ms per audio-second ({cpu.TotalMicroseconds / chunks:0.0} µs per chunk); server child process {serverCpu.TotalMilliseconds:0} ms
                  allocated {allocated / audioSeconds / 1024:0.0} KiB per audio-second ({(double)allocated / chunks:0} B per chunk); GCs gen0/1/2: {GC.CollectionCount(0) - gc0[0]}/{GC.CollectionCount(1) - gc0[1]}/{GC.CollectionCount(2) - gc0[2]}; pipeline errors {pipeline.Errors}
                """));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static double P(List<double> sorted, double p) => PipelineBenchSettings.Percentile(sorted, p);
}
