using System.Diagnostics;
using System.Text;

namespace AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

/// <summary>What a finished <c>asyncai-tts</c> process produced.</summary>
public sealed record CliResult(int ExitCode, byte[] StandardOutput, string StandardError)
{
    public string StandardOutputText => Encoding.UTF8.GetString(StandardOutput);

    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}; stderr: {StandardError}";
}

/// <summary>Runs the real CLI as a child process: <c>dotnet asyncai-tts.dll …</c> (the dll is copied next to the tests by the project reference).</summary>
public static class CliProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "asyncai-tts.dll");

    public static ProcessStartInfo CreateStartInfo(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Never let a real key from the developer's environment reach the service from a test.
        startInfo.Environment.Remove("ASYNCAI_API_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    public static async Task<CliResult> RunAsync(
        string[] args,
        string? workingDirectory = null,
        string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(CreateStartInfo(args, workingDirectory ?? Path.GetTempPath(), environment))!;
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var stdout = new MemoryStream();
            var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
            var readErr = process.StandardError.ReadToEndAsync(timeout.Token);
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), timeout.Token);
            }

            process.StandardInput.Close();
            await Task.WhenAll(readOut, readErr);
            await process.WaitForExitAsync(timeout.Token);
            return new CliResult(process.ExitCode, stdout.ToArray(), await readErr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"asyncai-tts {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.");
        }
    }
}
