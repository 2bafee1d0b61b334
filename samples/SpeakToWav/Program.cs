using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Pipelines;
using AsyncAI.TextToSpeech.Pipeline.Services;
using AsyncAI.TextToSpeech.Pipeline.Sinks;

namespace SpeakToWav;

/// <summary>
/// Reads lines of text (from a file, or stdin), speaks each one through Async's WebSocket TTS service in a pipeline,
/// and writes the audio into a WAV file.
/// <code>
/// dotnet run --project samples/SpeakToWav -- lines.txt speech.wav
/// echo "Hello there." | dotnet run --project samples/SpeakToWav
/// </code>
/// Offline on the in-process emulator unless ASYNCAI_API_KEY is set (then api.async.com; ASYNCAI_VOICE_ID picks the voice).
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        RunAsync(args, Console.In, Console.Out, Environment.GetEnvironmentVariable("ASYNCAI_API_KEY"));

    /// <param name="apiKey">An Async API key for the real service, or null/empty for the in-process emulator.</param>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, string? apiKey)
    {
        if (args.Length > 2 || args is ["-h" or "--help", ..])
        {
            await stdout.WriteLineAsync("usage: SpeakToWav [<text file> | -] [<output.wav>]   (default: stdin, speech.wav)");
            return 2;
        }

        using var file = args.Length > 0 && args[0] != "-" ? File.OpenText(args[0]) : null;
        var input = file ?? stdin;
        var outputPath = Path.GetFullPath(args.Length > 1 ? args[1] : "speech.wav");
        var lines = new List<string>();
        while (await input.ReadLineAsync() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                lines.Add(line.Trim());
            }
        }

        // The real service when a key is set; otherwise an Async-compatible emulator inside this process.
        await using var emulator = string.IsNullOrEmpty(apiKey) ? await AsyncAIEmulator.StartAsync() : null;

        var tts = new AsyncAITtsService(new AsyncAITtsServiceOptions
        {
            ApiKey = emulator is null ? apiKey! : "sk_emulator",
            VoiceId = Environment.GetEnvironmentVariable("ASYNCAI_VOICE_ID") ?? "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Url = emulator?.WebSocketUrl ?? new Uri("wss://api.async.com/text_to_speech/websocket/ws"),
        });
        var wav = new WavFileSink(outputPath);

        // TTS service -> WAV file. Each line is one TtsSpeakFrame (one turn); the EndFrame ends the run after the audio.
        var task = new PipelineTask(new Pipeline(tts, wav));
        var failed = false;
        task.ErrorReceived += (_, e) =>
        {
            failed = true;
            Console.Error.WriteLine($"error: {e.Error.Message}");
        };
        task.QueueFrames(lines.Select(line => new TtsSpeakFrame(line)));
        task.QueueFrame(new EndFrame());
        await new PipelineRunner(handleSignals: true).RunAsync(task);

        var seconds = wav.BytesWritten / (2.0 * PipelineParams.DefaultAudioOutSampleRate); // 16-bit mono
        await stdout.WriteLineAsync($"{outputPath}: {seconds:0.00} s of audio from {lines.Count} line(s){(emulator is null ? "" : " (emulator)")}");
        return failed ? 1 : 0;
    }
}
