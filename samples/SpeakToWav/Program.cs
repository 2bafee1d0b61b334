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
    public static Task<int> Main(string[] args) => RunAsync(
        args, Console.In, Console.Out, Environment.GetEnvironmentVariable("ASYNCAI_API_KEY"), Console.Error, Environment.GetEnvironmentVariable("ASYNCAI_VOICE_ID"));

    /// <param name="apiKey">An Async API key for the real service, or null/empty for the in-process emulator.</param>
    /// <param name="voiceId">The voice, or null for the default one.</param>
    /// <returns>0 when all the audio was written; 1 when the pipeline reported an error (no WAV is written); 2 for bad arguments or input.</returns>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, string? apiKey, TextWriter? stderr = null, string? voiceId = null)
    {
        stderr ??= Console.Error;
        if (args.Length > 2 || args is ["-h" or "--help", ..])
        {
            await stdout.WriteLineAsync("usage: SpeakToWav [<text file> | -] [<output.wav>]   (default: stdin, speech.wav)");
            return 2;
        }

        var outputPath = Path.GetFullPath(args.Length > 1 ? args[1] : "speech.wav");
        if (!Directory.Exists(Path.GetDirectoryName(outputPath)))
        {
            await stderr.WriteLineAsync($"error: the folder of {outputPath} does not exist; create it or pick another output path.");
            return 2;
        }

        var lines = new List<string>();
        try
        {
            using var file = args.Length > 0 && args[0] != "-" ? File.OpenText(args[0]) : null;
            var input = file ?? stdin;
            while (await input.ReadLineAsync() is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    lines.Add(line.Trim());
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: cannot read {args[0]}: {e.Message}");
            return 2;
        }

        if (lines.Count == 0)
        {
            await stderr.WriteLineAsync("error: nothing to speak: the input has no line with text. No WAV file was written.");
            return 2;
        }

        // The real service when a key is set; otherwise an Async-compatible emulator inside this process.
        await using var emulator = string.IsNullOrEmpty(apiKey) ? await AsyncAIEmulator.StartAsync() : null;

        var tts = new AsyncAITtsService(new AsyncAITtsServiceOptions
        {
            ApiKey = emulator is null ? apiKey! : "sk_emulator",
            VoiceId = voiceId ?? "e0f39dc4-f691-4e78-bba5-5c636692cc04",
            Url = emulator?.WebSocketUrl ?? new Uri("wss://api.async.com/text_to_speech/websocket/ws"),
        });

        // The WAV goes to a file beside the output and replaces it only after a run without errors: the sink creates
        // its file at once and completes the header even without audio, so a failed run would leave a 0-second or
        // cut-short WAV at the path.
        var partialPath = outputPath + ".part";
        var wav = new WavFileSink(partialPath);

        // TTS service -> WAV file. Each line is one TtsSpeakFrame (one turn); the EndFrame ends the run after the audio.
        var task = new PipelineTask(new Pipeline(tts, wav));
        var failed = false;
        task.ErrorReceived += (_, e) =>
        {
            failed = true;
            stderr.WriteLine($"error: {e.Error.Message}");
        };
        task.QueueFrames(lines.Select(line => new TtsSpeakFrame(line)));
        task.QueueFrame(new EndFrame());
        await new PipelineRunner(handleSignals: true).RunAsync(task);
        if (failed)
        {
            File.Delete(partialPath);
            return 1;
        }

        File.Move(partialPath, outputPath, overwrite: true);
        var seconds = wav.BytesWritten / (2.0 * PipelineParams.DefaultAudioOutSampleRate); // 16-bit mono
        await stdout.WriteLineAsync($"{outputPath}: {seconds:0.00} s of audio from {lines.Count} line(s){(emulator is null ? "" : " (emulator)")}");
        return 0;
    }
}
