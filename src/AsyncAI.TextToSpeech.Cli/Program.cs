namespace AsyncAI.TextToSpeech.Cli;

/// <summary>The <c>asyncai-tts</c> entry point.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => CliApplication.RunAsync(args, CliConsole.System);
}
