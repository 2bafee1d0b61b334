using System.Diagnostics;
using System.Globalization;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Benchmarks.Pipeline;

/// <summary>The server a pipeline benchmark talks to: an external URL, the emulator in this process, or the emulator
/// as a child process (so this process's CPU is the client's alone).</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private AsyncAIEmulator? _inProcess;
    private Process? _child;

    private BenchServer(string kind) => Kind = kind;

    /// <summary>Gets the HTTP base URL (http://host:port), or null when only a WebSocket URL was given.</summary>
    public Uri? HttpBaseUrl { get; private set; }

    /// <summary>Gets the WebSocket URL, or null when only an HTTP URL was given.</summary>
    public Uri? WebSocketUrl { get; private set; }

    /// <summary>Gets a description for the report.</summary>
    public string Kind { get; }

    /// <summary>Gets the child process's CPU time so far (zero for other kinds).</summary>
    public TimeSpan ChildCpu
    {
        get
        {
            if (_child is null || _child.HasExited)
            {
                return TimeSpan.Zero;
            }

            _child.Refresh();
            return _child.TotalProcessorTime;
        }
    }

    public static BenchServer External(Uri url)
    {
        var server = new BenchServer($"{url} (as configured; client only)");
        if (url.Scheme is "ws" or "wss")
        {
            server.WebSocketUrl = url;
        }
        else
        {
            server.HttpBaseUrl = url;
        }

        return server;
    }

    public static async Task<BenchServer> InProcessAsync(double pacing)
    {
        var server = new BenchServer($"emulator in this process, pacing {pacing.ToString(CultureInfo.InvariantCulture)} (its CPU is included)");
        server._inProcess = await AsyncAIEmulator.StartAsync(new EmulatorOptions
        {
            PacingRate = pacing,
            ChunkDuration = TimeSpan.FromMilliseconds(20),
            TimeToFirstAudio = TimeSpan.Zero,
        });
        server.HttpBaseUrl = server._inProcess.HttpBaseUrl;
        server.WebSocketUrl = server._inProcess.WebSocketUrl;
        return server;
    }

    public static async Task<BenchServer> SpawnAsync(double pacing)
    {
        var server = new BenchServer($"emulator in a child process, pacing {pacing.ToString(CultureInfo.InvariantCulture)} (client only)");
        var dll = Path.Combine(AppContext.BaseDirectory, "AsyncAI.TextToSpeech.Emulator.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        BenchRuntime.ConfigureChild(start);

        foreach (var arg in new[] { dll, "--port", "0", "--pacing", pacing.ToString(CultureInfo.InvariantCulture), "--chunk-ms", "20", "--time-to-first-audio-ms", "0", "--max-connections", "100000" })
        {
            start.ArgumentList.Add(arg);
        }

        server._child = Process.Start(start) ?? throw new InvalidOperationException("could not start the emulator");
        while (await server._child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Find(line, "HTTP:") is { } http)
            {
                server.HttpBaseUrl = new Uri(http);
            }
            else if (Find(line, "WebSocket:") is { } ws)
            {
                var query = ws.IndexOf('?', StringComparison.Ordinal);
                server.WebSocketUrl = new Uri(query >= 0 ? ws[..query] : ws);
                return server;
            }
        }

        throw new InvalidOperationException("the emulator exited without printing its URLs");
    }

    public async ValueTask DisposeAsync()
    {
        if (_inProcess is not null)
        {
            await _inProcess.DisposeAsync();
        }

        if (_child is not null)
        {
            if (!_child.HasExited)
            {
                _child.Kill();
            }

            await _child.WaitForExitAsync();
            _child.Dispose();
        }
    }

    private static string? Find(string line, string label)
    {
        var at = line.IndexOf(label, StringComparison.Ordinal);
        return at < 0 ? null : line[(at + label.Length)..].Trim();
    }
}
