using System.Diagnostics;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Http;

namespace AsyncAI.TextToSpeech.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task Serve_PrintsItsUrls_AndAnswersAsyncRequestsThere()
    {
        using var process = Process.Start(CliProcess.CreateStartInfo(["serve", "--port", "0", "--api-key", "sk_serve_key"], Path.GetTempPath()))!;
        try
        {
            // A hang guard, not a speed test: a cold CLI process starting Kestrel on a loaded machine once took over 15 s.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Uri? httpUrl = null;
            string? webSocketLine = null;
            while (webSocketLine is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Trim().StartsWith("HTTP:", StringComparison.Ordinal))
                {
                    httpUrl = new Uri(line.Trim()["HTTP:".Length..].Trim());
                }
                else if (line.Trim().StartsWith("WebSocket:", StringComparison.Ordinal))
                {
                    webSocketLine = line;
                }
            }

            Assert.NotNull(httpUrl);
            Assert.Contains("/text_to_speech/websocket/ws", webSocketLine, StringComparison.Ordinal);

            using var httpClient = new HttpClient();
            var client = new AsyncAIHttpClient(httpClient, new AsyncAIHttpOptions("sk_serve_key") { BaseUrl = httpUrl });
            var audio = await client.SynthesizeAsync("Served.", cancellationToken: timeout.Token);
            Assert.NotEqual(0, audio.Audio.Length);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_HostThatIsNotALocalAddress_ExitCode1WithAdviceNamingHost()
    {
        // 192.0.2.1 (TEST-NET-1) is never assigned to a local interface: binding fails with a SocketException,
        // which used to come out as "unexpected SocketException: … Run with --verbose for details."
        var result = await InProcessCli.RunAsync(["serve", "--host", "192.0.2.1", "--port", "0"]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: cannot listen on 192.0.2.1", line, StringComparison.Ordinal);
        Assert.Contains("--host", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--chunk-ms", "0.0001")] // one TimeSpan tick, the emulator's smallest chunk
    [InlineData("--chunk-ms", "10000.00009")] // still 10 s once cut to whole ticks
    [InlineData("--seconds-per-char", "1e-300")] // the emulator makes at least one sample per character
    [InlineData("--time-to-first-audio-ms", "0.00001")] // no delay once cut to whole ticks, which the emulator accepts
    public async Task Serve_EdgeValueTheEmulatorAccepts_PassesTheFlagCheck(string flag, string value)
    {
        // The flag checks refuse exactly what EmulatorOptions refuses (the same TimeSpan conversion): a value they let
        // through reaches the listen step (here failing on purpose, on an address no interface has), not the backstop
        // "the emulator does not accept this value".
        var result = await InProcessCli.RunAsync(["serve", "--host", "192.0.2.1", "--port", "0", flag, value]).WaitAsync(TimeSpan.FromSeconds(60));

        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: cannot listen on 192.0.2.1", line, StringComparison.Ordinal);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Serve_EmptyApiKey_ExitCode2NamingTheFlag()
    {
        // Used to be "error: The value cannot be an empty string. (Parameter 'ApiKeys') Run with --help …",
        // naming the emulator's property instead of the flag.
        var result = await InProcessCli.RunAsync(["serve", "--port", "0", "--api-key", ""]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: --api-key", line, StringComparison.Ordinal);
        Assert.DoesNotContain("ApiKeys", line, StringComparison.Ordinal);
    }
}
