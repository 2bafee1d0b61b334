namespace AsyncAI.TextToSpeech.Cli;

/// <summary>Placeholder entry point: the asyncai-tts commands are implemented in issue #4.</summary>
internal static class Program
{
    private static int Main() => 0;
}
