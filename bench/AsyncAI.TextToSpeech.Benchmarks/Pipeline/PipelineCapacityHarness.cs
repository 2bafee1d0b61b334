using System.Diagnostics;
using System.Globalization;

namespace AsyncAI.TextToSpeech.Benchmarks.Pipeline;

/// <summary>
/// <c>pipeline-capacity</c>: K pipelines in this process, each speaking paced turns at once, for growing K; a step passes
/// when the p99 lateness of the turns' last chunk is within the budget (100 ms) and every turn completed without error.
/// Stops at the first failing step.
/// </summary>
/// <remarks>
/// Lateness of a chunk = its arrival at the sink − (the turn's first chunk arrival + the audio duration of the chunks
/// before it): how late it is for a player that started with the first chunk and plays in real time. The server sends a
/// paced context's chunks one chunk-duration apart starting at once, so a perfect system scores 0. The worst chunk of
/// each turn (the jitter buffer a player would have needed) and the first-audio latency are reported too. Without
/// <c>--url</c> the emulator always runs in child process(es) (<c>--emulators N</c>), pacing 1, so this process's CPU is
/// the client's; the emulators' CPU is reported next to it.
/// </remarks>
internal static class PipelineCapacityHarness
{
    public const string Command = "pipeline-capacity";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = PipelineBenchSettings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("""
                usage: pipeline-capacity [--pipelines 100,250,500,1000,1500,2000] [--chars N] [--capacity-turns N] [--spread-s S]
                                         [--budget-ms MS] [--url URL | --emulators N] [--transport ws|http] [--api-key KEY] [--voice ID]
                                         [--pipelines-per-socket N]
                  each pipeline speaks --capacity-turns turns (default 2) of --chars characters (default 100, ~4.4 s of audio),
                  starting at a random offset within --spread-s (default 1 s); the server must pace at real time
                  (the child emulators do: pacing 1, 20 ms chunks, time to first audio 0).
                  --inline-completions: socket completions run on the epoll thread in this process (not the child emulators).
                  --pipelines-per-socket N: pipelines share WebSockets through an AsyncAIWebSocketConnectionPool, N per socket
                  (default 0: one socket per pipeline, as Pipecat has).
                """);
            return 2;
        }

        var text = PipelineBenchSettings.BuildText(settings.CapacityChars);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pipeline-capacity: transport {settings.Transport}, {BenchRuntime.Describe()}, {settings.CapacityTurns} turns of {text.Length} characters each, budget p99 last-chunk lateness <= {settings.LatenessBudgetMs} ms, {(settings.PipelinesPerSocket > 0 ? $"{settings.PipelinesPerSocket} pipelines per socket (pool)" : "one socket per pipeline")}"));
        var servers = await settings.StartServersAsync(pacing: 1, forceChildProcess: true);
        using var http = PipelineBenchSettings.CreateHttpClient();
        try
        {
            Console.WriteLine($"server: {servers.Count} x {servers[0].Kind}");

            // Warm-up: enough pipelines for long enough that tiered compilation has promoted the hot path of both
            // processes, then a pause for its background compiler; otherwise the first step measures the JIT.
            await RunStepAsync(settings, servers, http, text, 200, turns: 2, print: false);
            await Task.Delay(2000);
            foreach (var k in settings.Pipelines)
            {
                if (!await RunStepAsync(settings, servers, http, text, k, settings.CapacityTurns, print: true))
                {
                    Console.WriteLine($"stopped: K = {k} is not real time");
                    break;
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task<bool> RunStepAsync(PipelineBenchSettings settings, List<BenchServer> servers, HttpClient http, string text, int k, int turns, bool print)
    {
        await using var pool = settings.CreatePool();
        var pipelines = new BenchPipeline[k];
        for (var i = 0; i < k; i++)
        {
            pipelines[i] = BenchPipeline.Start(settings.CreateService(servers[i % servers.Count], http, pool));
        }

        var setup = Stopwatch.StartNew();
        await Task.WhenAll(pipelines.Select(p => p.Started)).WaitAsync(TimeSpan.FromSeconds(120));
        setup.Stop();
        await Task.Delay(500);

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var serverCpu0 = servers.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ChildCpu);
        int[] gc0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var wall = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleThreadPoolAsync(sampling.Token);

        var results = new List<(double FirstAudioMs, TurnResult Turn)>[k];
        var incomplete = 0;
        var turnTimeout = TimeSpan.FromSeconds(30 + (text.Length * 0.05 * 3));
        await Task.WhenAll(Enumerable.Range(0, k).Select(async i =>
        {
            results[i] = new(turns);
            await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * settings.StartSpreadSeconds));
            for (var t = 0; t < turns; t++)
            {
                var (queued, result) = pipelines[i].Speak(text);
                try
                {
                    var turn = await result.WaitAsync(turnTimeout);
                    results[i].Add((turn.FirstAudioTimestamp == 0 ? double.NaN : Stopwatch.GetElapsedTime(queued, turn.FirstAudioTimestamp).TotalMilliseconds, turn));
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref incomplete);
                    return;
                }
            }
        }));

        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var serverCpu = servers.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.ChildCpu) - serverCpu0;
        await sampling.CancelAsync();
        var (maxQueue, maxThreads) = await sampler;
        int[] gcs = [GC.CollectionCount(0) - gc0[0], GC.CollectionCount(1) - gc0[1], GC.CollectionCount(2) - gc0[2]];

        var all = results.SelectMany(r => r).ToList();
        var silent = all.Count(r => r.Turn.Chunks == 0);
        var last = all.Where(r => r.Turn.Chunks > 0).Select(r => r.Turn.LastChunkLatenessMs).Order().ToList();
        var worst = all.Where(r => r.Turn.Chunks > 0).Select(r => r.Turn.MaxChunkLatenessMs).Order().ToList();
        var first = all.Where(r => !double.IsNaN(r.FirstAudioMs)).Select(r => r.FirstAudioMs).Order().ToList();
        var errors = pipelines.Sum(p => p.Errors);
        var audioSeconds = all.Sum(r => r.Turn.Bytes) / (2.0 * PipelineBenchSettings.SampleRate);
        var pass = incomplete == 0 && silent == 0 && errors == 0 && last.Count > 0 && P(last, 0.99) <= settings.LatenessBudgetMs;

        var sockets = pool?.ConnectionCount ?? k;
        var teardown = Task.WhenAll(pipelines.Select(p => p.DisposeAsync().AsTask()));
        await teardown.WaitAsync(TimeSpan.FromSeconds(120));
        if (print)
        {
            var cores = Environment.ProcessorCount;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

                K = {k}: {(pass ? "REAL TIME" : "NOT real time")}  ({all.Count} turns, {incomplete} timed out, {silent} silent, {errors} errors; setup {setup.Elapsed.TotalSeconds:0.0} s, window {wall.Elapsed.TotalSeconds:0.0} s)
                  last-chunk lateness ms: p50 {P(last, 0.5):0.0}  p99 {P(last, 0.99):0.0}  max {(last.Count > 0 ? last[^1] : double.NaN):0.0}   worst chunk per turn ms: p50 {P(worst, 0.5):0.0}  p99 {P(worst, 0.99):0.0}
                  first audio ms: p50 {P(first, 0.5):0.00}  p99 {P(first, 0.99):0.00}   client CPU {cpu.TotalSeconds / wall.Elapsed.TotalSeconds / cores * 100:0}% of {cores} cores ({cpu.TotalMilliseconds / audioSeconds:0.00} ms per audio-s), server CPU {serverCpu.TotalSeconds / wall.Elapsed.TotalSeconds / cores * 100:0}%
                  GCs gen0/1/2 {gcs[0]}/{gcs[1]}/{gcs[2]}; thread pool: max queued work items {maxQueue}, max threads {maxThreads}; {sockets} sockets
                """));
        }

        return pass;
    }

    private static async Task<(long MaxQueue, int MaxThreads)> SampleThreadPoolAsync(CancellationToken cancellationToken)
    {
        long maxQueue = 0;
        var maxThreads = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                maxQueue = Math.Max(maxQueue, ThreadPool.PendingWorkItemCount);
                maxThreads = Math.Max(maxThreads, ThreadPool.ThreadCount);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (maxQueue, maxThreads);
    }

    private static double P(List<double> sorted, double p) => PipelineBenchSettings.Percentile(sorted, p);
}
