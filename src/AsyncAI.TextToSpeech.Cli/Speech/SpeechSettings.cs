namespace AsyncAI.TextToSpeech.Cli.Speech;

/// <summary>What to synthesize with: the voice and the audio format.</summary>
/// <param name="VoiceId">The voice id.</param>
/// <param name="Model">The model id.</param>
/// <param name="Language">An Async language code, or null to let the service detect it.</param>
/// <param name="SampleRate">The sample rate in Hz.</param>
/// <param name="Encoding"><c>pcm_s16le</c>, <c>pcm_f32le</c> or <c>pcm_mulaw</c>.</param>
internal sealed record SpeechSettings(string VoiceId, string Model, string? Language, int SampleRate, string Encoding);
