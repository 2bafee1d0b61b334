namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>Placeholder entry point: the emulator executable is implemented in issue #3.</summary>
internal static class Program
{
    private static int Main() => 0;
}
