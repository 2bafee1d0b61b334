using System.CommandLine;
using AsyncAI.TextToSpeech.Cli.Speech;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>The voice, format and output options shared by <c>speak</c> and <c>stream</c>.</summary>
internal sealed class SpeechOptions
{
    /// <summary>The default output file.</summary>
    public const string DefaultOutputPath = "speech.wav";

    /// <summary>Initializes the options and their validation.</summary>
    public SpeechOptions()
    {
        SampleRate.AcceptOnlyBetween(8000, 48000, "--sample-rate must be between 8000 and 48000 Hz (e.g. 8000, 16000, 24000, 44100, 48000).");
        Encoding.AcceptOnlyFromAmong(AudioEncodings.PcmS16Le, AudioEncodings.PcmF32Le, AudioEncodings.PcmMulaw);

        // Blank ids used to reach the client options, whose errors name their properties ("VoiceId is required …
        // (Parameter 'VoiceId')"), and only after the emulator had started.
        Voice.AcceptOnlyNonBlank("--voice is empty. Pass a voice id (see 'asyncai-tts voices').");
        Model.AcceptOnlyNonBlank($"--model is empty. Pass a model id, e.g. {AsyncAIModels.FlashV10}.");
    }

    /// <summary>Gets <c>--output</c>.</summary>
    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = $"WAV file to write, or - for raw PCM on stdout",
        HelpName = "FILE",
        DefaultValueFactory = _ => DefaultOutputPath,
    };

    /// <summary>Gets <c>--voice</c>.</summary>
    public Option<string> Voice { get; } = new("--voice")
    {
        Description = "Voice id (see 'asyncai-tts voices')",
        HelpName = "ID",
        DefaultValueFactory = _ => AsyncAIHttpOptions.DefaultVoiceId,
    };

    /// <summary>Gets <c>--model</c>.</summary>
    public Option<string> Model { get; } = new("--model")
    {
        Description = "Model id",
        HelpName = "ID",
        DefaultValueFactory = _ => AsyncAIModels.FlashV10,
    };

    /// <summary>Gets <c>--language</c>.</summary>
    public Option<string?> Language { get; } = new("--language")
    {
        Description = "Language code (en, de, fr-FR, …; default: detected by the service)",
        HelpName = "CODE",
    };

    /// <summary>Gets <c>--sample-rate</c>.</summary>
    public Option<int> SampleRate { get; } = new("--sample-rate")
    {
        Description = "Sample rate in Hz",
        HelpName = "N",
        DefaultValueFactory = _ => 24000,
    };

    /// <summary>Gets <c>--encoding</c>.</summary>
    public Option<string> Encoding { get; } = new("--encoding")
    {
        Description = "Sample encoding",
        DefaultValueFactory = _ => AudioEncodings.PcmS16Le,
    };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Output);
        command.Options.Add(Voice);
        command.Options.Add(Model);
        command.Options.Add(Language);
        command.Options.Add(SampleRate);
        command.Options.Add(Encoding);
    }

    /// <summary>Reads the settings from the parsed values.</summary>
    public SpeechSettings ReadSettings(ParseResult parseResult)
    {
        var language = parseResult.GetValue(Language);
        return new SpeechSettings(
            parseResult.GetRequiredValue(Voice),
            parseResult.GetRequiredValue(Model),
            string.IsNullOrWhiteSpace(language) ? null : AsyncAILanguages.Normalize(language.Trim()),
            parseResult.GetValue(SampleRate),
            parseResult.GetRequiredValue(Encoding));
    }
}
