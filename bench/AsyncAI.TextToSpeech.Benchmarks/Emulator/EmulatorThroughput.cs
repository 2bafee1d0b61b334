using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Benchmarks.Emulator;

/// <summary>
/// Measures how many 20 ms audio messages per second the emulator sends over one WebSocket with pacing off.
/// Run: <c>dotnet run -c Release --project bench/AsyncAI.TextToSpeech.Benchmarks -- --emulator-throughput [seconds-of-audio] [sample-rate]</c>
/// (pin to one core with <c>taskset -c 0</c>). The client here is a bare ClientWebSocket that only counts messages.
/// </summary>
internal static class EmulatorThroughput
{
    public const string Switch = "--emulator-throughput";

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = new List<string>();
        Uri? url = null;
        int? serverPid = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url": url = new Uri(args[++i]); break;
                case "--server-pid": serverPid = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: positional.Add(args[i]); break;
            }
        }

        var audioSeconds = positional.Count > 0 ? double.Parse(positional[0], CultureInfo.InvariantCulture) : 8000;
        var sampleRate = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 24000;
        AsyncAIEmulator? emulator = null;
        if (url is null)
        {
            emulator = await AsyncAIEmulator.StartAsync(new EmulatorOptions { PacingRate = 0, ChunkDuration = TimeSpan.FromMilliseconds(20), SecondsPerCharacter = 0.05 });
            url = emulator.WebSocketUrl;
        }

        try
        {
            // Warm-up long enough for tiered compilation to reach tier-1 code, then the measured run.
            for (var round = 0; round < 5; round++)
            {
                await RunOnceAsync(url, 400, sampleRate);
                await Task.Delay(300);
            }

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverBefore = serverPid is { } pid ? ProcessCpu(pid) : TimeSpan.Zero;
            var (messages, bytes, elapsed) = await RunOnceAsync(url, audioSeconds, sampleRate);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var who = emulator is null ? "client only" : "emulator + client in this process";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"emulator throughput: {messages} audio messages (20 ms, {sampleRate} Hz pcm_s16le) in {elapsed.TotalSeconds:F2} s wall = {messages / elapsed.TotalSeconds:N0} messages/s; " +
                $"{bytes / elapsed.TotalSeconds / 1e6:F1} MB/s of JSON; this process (processors={Environment.ProcessorCount}, {who}) used {cpu.TotalSeconds:F2} s CPU = {messages / cpu.TotalSeconds:N0} messages per CPU-second"));
            if (serverPid is { } serverProcess)
            {
                var serverCpu = ProcessCpu(serverProcess) - serverBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"emulator process {serverProcess}: {serverCpu.TotalSeconds:F2} s CPU = {messages / serverCpu.TotalSeconds:N0} messages per CPU-second of the emulator"));
            }
        }
        finally
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }
        }

        return 0;
    }

    /// <summary>utime + stime of another process from /proc (Linux).</summary>
    private static TimeSpan ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static async Task<(long Messages, long Bytes, TimeSpan Elapsed)> RunOnceAsync(Uri url, double audioSeconds, int sampleRate)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(url + "?api_key=bench&version=v1"), CancellationToken.None);
        await SendAsync(socket, $$$"""{"model_id":"async_flash_v1.0","voice":{"mode":"id","id":"{{{VoiceCatalogue.DefaultVoiceId}}}"},"output_format":{"container":"raw","encoding":"pcm_s16le","sample_rate":{{{sampleRate}}}}}""");
        var characters = (int)(audioSeconds / 0.05);
        var text = new StringBuilder(characters + 1).Append('a', characters).Append(' ').ToString();

        var buffer = new byte[64 * 1024];
        var stopwatch = Stopwatch.StartNew();
        await SendAsync(socket, $$"""{"context_id":"bench","transcript":"{{text}}","force":true}""");
        await SendAsync(socket, """{"context_id":"bench","transcript":""}""");
        long messages = 0;
        long bytes = 0;
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                count += result.Count;
            }
            while (!result.EndOfMessage);

            bytes += count;
            if (buffer.AsSpan(0, count).EndsWith("\"final\":true}"u8))
            {
                break;
            }

            messages++;
        }

        stopwatch.Stop();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        return (messages, bytes, stopwatch.Elapsed);
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
}
