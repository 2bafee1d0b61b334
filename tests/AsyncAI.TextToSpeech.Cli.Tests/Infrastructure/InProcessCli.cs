namespace AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="CliApplication"/> inside the test process with captured streams: cheaper than a child process, for
/// the cases that do not depend on the process itself (environment, real stdout, console logging).
/// </summary>
public static class InProcessCli
{
    public static async Task<CliResult> RunAsync(string[] args, string standardInput = "")
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var audio = new MemoryStream();
        var exitCode = await CliApplication.RunAsync(args, new CliConsole(new StringReader(standardInput), stdout, stderr, () => audio));
        var text = System.Text.Encoding.UTF8.GetBytes(stdout.ToString());
        return new CliResult(exitCode, [.. text, .. audio.ToArray()], stderr.ToString());
    }
}
