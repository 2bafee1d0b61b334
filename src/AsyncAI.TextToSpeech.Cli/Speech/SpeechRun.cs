using System.Globalization;
using AsyncAI.TextToSpeech.Cli.Audio;
using AsyncAI.TextToSpeech.Cli.Service;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Cli.Speech;

/// <summary>The part <c>speak</c> and <c>stream</c> share: open the output, synthesize into it, report the timings on stderr.</summary>
internal static class SpeechRun
{
    /// <summary>The synthesis itself, writing into the output and marking the clock.</summary>
    public delegate Task Synthesis(ILoggerFactory loggerFactory, AudioOutput output, SpeechClock clock, CancellationToken cancellationToken);

    /// <summary>Runs a synthesis into the output path and prints the time to first audio and the audio duration.</summary>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(
        SpeechSettings settings,
        string outputPath,
        bool verbose,
        CliConsole console,
        Synthesis synthesis,
        CancellationToken cancellationToken)
    {
        using var loggerFactory = CliLogging.Create(verbose);
        var clock = new SpeechClock();
        long bytes;
        string description;
        await using (var output = await AudioOutput.OpenAsync(outputPath, settings.SampleRate, settings.Encoding, console, cancellationToken))
        {
            try
            {
                await synthesis(loggerFactory, output, clock, cancellationToken);
            }
            catch (OperationCanceledException) when (output.Bytes > 0)
            {
                // Ctrl+C: the user stopped the run, and keeps the audio received so far as a valid WAV (replacing a
                // file that was at the path). Anything else that ends the run early (a failure, or Ctrl+C before any
                // audio) is not kept: disposing the output leaves the path as it was.
                await output.KeepAsync();
                throw;
            }

            if (output.Bytes == 0)
            {
                throw new CliException("the service sent no audio. Check the text, --voice and --language.", ExitCodes.RuntimeError);
            }

            await output.KeepAsync();
            bytes = output.Bytes;
            description = output.Description;
        }

        var seconds = (double)bytes / (AudioEncodings.BytesPerSample(settings.Encoding) * settings.SampleRate);
        var firstAudio = clock.TimeToFirstAudio is { } ttfa
            ? string.Create(CultureInfo.InvariantCulture, $"{ttfa.TotalMilliseconds:0.0} ms")
            : "n/a";
        await console.Error.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{seconds:0.00} s of audio ({bytes} bytes, {settings.Encoding} {settings.SampleRate} Hz) to {description}; time to first audio {firstAudio}."));
        return ExitCodes.Success;
    }
}
