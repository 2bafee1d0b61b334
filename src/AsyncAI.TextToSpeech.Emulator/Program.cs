namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>The emulator executable: <c>dotnet run --project src/AsyncAI.TextToSpeech.Emulator -- --port 8765</c>.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => EmulatorCommandLine.RunAsync(args, Console.Out, Console.Error);
}
