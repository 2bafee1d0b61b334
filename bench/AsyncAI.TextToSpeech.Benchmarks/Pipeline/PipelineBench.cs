using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Benchmarks.Pipeline;

using Pipeline = AsyncAI.TextToSpeech.Pipeline.Pipelines.Pipeline;

/// <summary>Options shared by <c>pipeline-latency</c> and <c>pipeline-capacity</c>, and the pipeline they build.</summary>
internal sealed class PipelineBenchSettings
{
    public const int SampleRate = 24000;

    public Uri? Url { get; set; }

    public string ApiKey { get; set; } = Environment.GetEnvironmentVariable("ASYNCAI_API_KEY") ?? "sk_bench";

    public string VoiceId { get; set; } = AsyncAIHttpOptions.DefaultVoiceId;

    /// <summary>ws or http: which service; from the URL's scheme when --url is given.</summary>
    public string Transport { get; set; } = "ws";

    public bool SpawnEmulator { get; set; }

    public int Emulators { get; set; } = 1;

    public int Turns { get; set; } = 200;

    public int Warmup { get; set; } = 50;

    public string Text { get; set; } = "Hi.";

    public TimeSpan Gap { get; set; } = TimeSpan.FromMilliseconds(2);

    public int CpuChars { get; set; } = 600;

    public int CpuTurns { get; set; } = 200;

    public string Mode { get; set; } = "all";

    public IReadOnlyList<int> Pipelines { get; set; } = [100, 250, 500, 1000, 1500, 2000];

    public int CapacityChars { get; set; } = 100;

    public int CapacityTurns { get; set; } = 2;

    public double StartSpreadSeconds { get; set; } = 1;

    public double LatenessBudgetMs { get; set; } = 100;

    /// <summary>Pipelines per WebSocket through an <c>AsyncAIWebSocketConnectionPool</c>; 0 = one socket per pipeline, as Pipecat has.</summary>
    public int PipelinesPerSocket { get; set; }

    public static PipelineBenchSettings? Parse(string[] args)
    {
        var settings = new PipelineBenchSettings();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
                switch (args[i])
                {
                    case "--url":
                        settings.Url = new Uri(Value());
                        settings.Transport = settings.Url.Scheme is "ws" or "wss" ? "ws" : "http";
                        break;
                    case "--transport":
                        settings.Transport = Value();
                        if (settings.Transport is not ("ws" or "http"))
                        {
                            return null;
                        }

                        break;
                    case "--api-key": settings.ApiKey = Value(); break;
                    case "--voice": settings.VoiceId = Value(); break;
                    case "--spawn-emulator": settings.SpawnEmulator = true; break;
                    case "--emulators": settings.Emulators = Int(); settings.SpawnEmulator = true; break;
                    case "--turns": settings.Turns = Int(); break;
                    case "--warmup": settings.Warmup = Int(); break;
                    case "--text": settings.Text = Value(); break;
                    case "--gap-ms": settings.Gap = TimeSpan.FromMilliseconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
                    case "--cpu-chars": settings.CpuChars = Int(); break;
                    case "--cpu-turns": settings.CpuTurns = Int(); break;
                    case "--mode": settings.Mode = Value(); break;
                    case "--pipelines": settings.Pipelines = [.. Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                    case "--chars": settings.CapacityChars = Int(); break;
                    case "--capacity-turns": settings.CapacityTurns = Int(); break;
                    case "--spread-s": settings.StartSpreadSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--budget-ms": settings.LatenessBudgetMs = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--pipelines-per-socket": settings.PipelinesPerSocket = Int(); break;
                    default: return null;
                }
            }
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }

        return settings;
    }

    /// <summary>Starts the server(s) for a pacing: --url as configured, child emulators, or the emulator in process.</summary>
    public async Task<List<BenchServer>> StartServersAsync(double pacing, bool forceChildProcess = false)
    {
        if (Url is not null)
        {
            return [BenchServer.External(Url)];
        }

        var servers = new List<BenchServer>();
        if (SpawnEmulator || forceChildProcess)
        {
            for (var i = 0; i < Emulators; i++)
            {
                servers.Add(await BenchServer.SpawnAsync(pacing));
            }
        }
        else
        {
            servers.Add(await BenchServer.InProcessAsync(pacing));
        }

        return servers;
    }

    /// <summary>The service under test against a server: <c>AsyncAIHttpTtsService</c> (http) or <c>AsyncAITtsService</c> (ws).</summary>
    public TtsService CreateService(BenchServer server, HttpClient http, AsyncAIWebSocketConnectionPool? pool = null) => Transport switch
    {
        "ws" => pool is null ? new AsyncAITtsService(WebSocketOptions(server)) : new AsyncAITtsService(pool, WebSocketOptions(server)),
        _ => new AsyncAIHttpTtsService(http, new AsyncAIHttpTtsServiceOptions
        {
            ApiKey = ApiKey,
            VoiceId = VoiceId,
            Url = server.HttpBaseUrl ?? throw new ArgumentException("the HTTP service needs an http:// URL"),
        }),
    };

    /// <summary>A pool sharing sockets among --pipelines-per-socket pipelines, or null for one socket per pipeline.</summary>
    public AsyncAIWebSocketConnectionPool? CreatePool() => Transport == "ws" && PipelinesPerSocket > 0
        ? new AsyncAIWebSocketConnectionPool(new AsyncAIWebSocketConnectionPoolOptions { MaxLeasesPerConnection = PipelinesPerSocket })
        : null;

    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromMinutes(5),
        };

    private AsyncAITtsServiceOptions WebSocketOptions(BenchServer server) => new()
    {
        ApiKey = ApiKey,
        VoiceId = VoiceId,
        Url = server.WebSocketUrl ?? throw new ArgumentException("the WebSocket service needs a ws:// URL"),
    };

    public static string BuildText(int characters)
    {
        const string sentence = "The quick brown fox jumps over the lazy dog. ";
        var builder = new StringBuilder(characters + sentence.Length);
        while (builder.Length < characters)
        {
            builder.Append(sentence);
        }

        return builder.ToString(0, characters).Trim();
    }

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string Describe(BenchServer server) => server.Kind;
}

/// <summary>One running pipeline: the service under test and a <see cref="ProbeSink"/>, run by a <see cref="PipelineTask"/>.</summary>
internal sealed class BenchPipeline : IAsyncDisposable
{
    private readonly Task _run;
    private int _errors;

    private BenchPipeline(TtsService service)
    {
        Sink = new ProbeSink(PipelineBenchSettings.SampleRate);
        Task = new PipelineTask(new Pipeline(service, Sink), new PipelineParams { AudioOutSampleRate = PipelineBenchSettings.SampleRate });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Started = started.Task;
        Task.Started += (_, _) => started.TrySetResult();
        Task.ErrorReceived += (_, e) =>
        {
            if (Interlocked.Increment(ref _errors) == 1)
            {
                Console.Error.WriteLine($"pipeline error: {e.Error.Category} {e.Error.Message}");
            }
        };
        _run = Task.RunAsync();
    }

    public ProbeSink Sink { get; }

    public PipelineTask Task { get; }

    public Task Started { get; }

    public int Errors => Volatile.Read(ref _errors);

    public static BenchPipeline Start(TtsService service) => new(service);

    /// <summary>Queues one TtsSpeakFrame and returns the queue timestamp and the turn's result.</summary>
    public (long Queued, Task<TurnResult> Result) Speak(string text)
    {
        var result = Sink.BeginTurn();
        var queued = Stopwatch.GetTimestamp();
        Task.QueueFrame(new TtsSpeakFrame(text));
        return (queued, result);
    }

    public async ValueTask DisposeAsync()
    {
        Task.QueueFrame(new EndFrame());
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Task.Cancel("benchmark teardown");
        }

        await Task.DisposeAsync();
    }
}
