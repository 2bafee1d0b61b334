using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using AsyncAI.TextToSpeech.Cli.Commands;
using AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets;
using AsyncAI.TextToSpeech.WebSockets.Internal;
using Microsoft.Extensions.Time.Testing;

namespace AsyncAI.TextToSpeech.Cli.Tests;

/// <summary>
/// ErrorReporter drops the library's advice to code ("Check AsyncAIHttpOptions.ApiKey", "Raise HttpClient.Timeout") by
/// its exact wording, a table of entries (<see cref="ErrorReporter.CodeWording"/>). Were the library to reword one, the
/// entry would stop matching and the advice would be back on the CLI's line, with no error anywhere. So each entry has
/// a case here that makes the library say it for real, and checks three things: the library's message still holds the
/// entry's text (a rewording fails here), the CLI's line does not, and the line names the flag to change. Through the
/// CLI where a run provokes the error at once; through the library on the emulator where it takes a timeout or a
/// reconnect policy the CLI does not let a test shorten; and the one error the emulator never sends (an in-band
/// INVALID_API_KEY: it refuses a key at the handshake) is built by the library's own code.
/// </summary>
public class ErrorAdviceWordingTests
{
    private const string WrongKey = "sk_wrong_secret_key_31337";
    private const string RightKey = "sk_the_right_key";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void EveryEntryOfTheTable_HasACaseHere()
    {
        var covered = typeof(ErrorAdviceWordingTests).GetMethods()
            .SelectMany(m => m.GetCustomAttributes<InlineDataAttribute>())
            .SelectMany(a => a.GetData(null!))
            .Select(row => (string)row[0])
            .Order(StringComparer.Ordinal);

        Assert.Equal(ErrorReporter.CodeWording.Select(e => e.Library).Order(StringComparer.Ordinal), covered);
    }

    [Theory]
    [InlineData("Check AsyncAIHttpOptions.ApiKey: the key is missing, invalid or expired.", "--api-key", "strict", "speak", "Hello.", "-o", "-", "--transport", "http", "--api-key", WrongKey)]
    [InlineData("Fix the request (voice id, model, language, output format, API version); retrying will not help.", "--voice", "", "speak", "Hello.", "-o", "-", "--transport", "http", "--voice", "no-such-voice")]
    [InlineData("Check the network and BaseUrl; the client retries where that is safe.", "--url", "unreachable", "voices")]
    [InlineData("Check ApiKey; the client will not retry and is now unusable.", "--api-key", "strict", "speak", "Hello.", "-o", "-", "--api-key", WrongKey)]
    [InlineData("Check the voice, model, language and output format options.", "--voice", "", "speak", "Hello.", "-o", "-", "--voice", "no-such-voice")]
    [InlineData(" (a dead peer is detected by PING/PONG within PingInterval + KeepAliveTimeout)", "--url", "drop", "speak", "Hello from Async.", "-o", "-")]
    public async Task Cli_LibrarySaysTheEntry_TheLineDropsItAndNamesTheFlag(string wording, string flag, string server, params string[] args)
    {
        // strict: the emulator accepts only RightKey; drop: it aborts the connection after a context's first audio, which
        // comes 0.5 s late so that the client has written all it writes by then: a write that fails on the aborted socket
        // would be the connection's first end cause, and its message is not the entry's.
        var options = new EmulatorOptions { ApiKeys = { RightKey } };
        if (server == "drop")
        {
            options.TimeToFirstAudio = TimeSpan.FromMilliseconds(500);
        }

        await using var emulator = await AsyncAIEmulator.StartAsync(options);
        emulator.Options.Faults.CloseAbruptlyMidContext = server == "drop";
        var url = server == "unreachable" ? "http://127.0.0.1:1" : emulator.HttpBaseUrl.ToString();
        string[] key = server == "strict" ? [] : ["--api-key", RightKey];

        // --verbose adds the library's exception after the line: what the library said.
        var result = await CliProcess.RunAsync([.. args, .. key, "--url", url, "--verbose"]);

        Assert.Equal(1, result.ExitCode);
        var line = result.ErrorLines.First(l => l.StartsWith("error: ", StringComparison.Ordinal));

        // On failure, the line (Contains would show only the start of stderr, the debug log): the "drop" case failed once in
        // a stress run (two busy loops) before its first audio was delayed, with a message the log cut off.
        Assert.True(result.StandardError.Contains(wording, StringComparison.Ordinal), $"the library did not say \"{wording}\"; the error line: {line}");
        AssertLine(line, wording, flag);
    }

    [Theory]
    [InlineData("did not complete within the HttpClient's Timeout. Raise HttpClient.Timeout (streams of long texts take a while) or retry.", "--url")]
    [InlineData(" (AsyncAIHttpOptions.StreamIdleTimeout). Retry; raise StreamIdleTimeout if the service is only slow.", "--url")]
    [InlineData("Fix the options and create a new client.", "--voice")]
    [InlineData("; check the options and create a new client.", "--url")]
    [InlineData("Call ConnectAsync to try again.", "--url")]
    [InlineData("took longer than ConnectTimeout (", "--url")]
    [InlineData(" s (ResponseTimeout) while", "--url")]
    public async Task Library_SaysTheEntry_TheSpeakLineDropsItAndNamesTheFlag(string wording, string flag)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();

        var exception = await (wording switch
        {
            _ when wording.Contains("HttpClient's Timeout", StringComparison.Ordinal) => HttpClientTimeoutAsync(emulator),
            _ when wording.Contains("StreamIdleTimeout", StringComparison.Ordinal) => StreamIdleTimeoutAsync(emulator),
            "Fix the options and create a new client." => SessionRejectedAsync(emulator),
            "; check the options and create a new client." => ShortLivedConnectionsAsync(emulator),
            "Call ConnectAsync to try again." => ReconnectsExhaustedAsync(emulator),
            "took longer than ConnectTimeout (" => ConnectTimeoutAsync(),
            _ => ResponseTimeoutAsync(emulator),
        }).WaitAsync(Patience);

        Assert.Contains(wording, exception.Message, StringComparison.Ordinal);
        AssertLine(Report(exception), wording, flag);
    }

    [Theory]
    [InlineData("Check the API key.", "--api-key")]
    public void Library_BuildsTheEntryForAnInBandError_TheSpeakLineDropsItAndNamesTheFlag(string wording, string flag)
    {
        // The WebSocket client's own translation of an error message the service sends on an open socket.
        var exception = ServerErrors.ToException(new ErrorMessage { ErrorCode = AsyncAIErrorCodes.InvalidApiKey, Message = "Invalid or expired API key." }, text => text);

        Assert.Contains(wording, exception.Message, StringComparison.Ordinal);
        AssertLine(Report(exception), wording, flag);
    }

    private static void AssertLine(string line, string wording, string flag)
    {
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(wording.Trim(), line, StringComparison.Ordinal);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" )", line, StringComparison.Ordinal);
    }

    /// <summary>The line <c>speak</c> prints for the exception (the advice names only flags the command has).</summary>
    private static string Report(AsyncAIException exception)
    {
        var console = new CliConsole(TextReader.Null, TextWriter.Null, TextWriter.Null, () => Stream.Null);
        var speakOptions = SpeakCommand.Create(console, new Option<bool>("--verbose")).Options.Select(o => o.Name).ToArray();
        var error = new StringWriter();
        Assert.Equal(ExitCodes.RuntimeError, ErrorReporter.Report(exception, verbose: false, [], error, speakOptions));
        return Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>The emulator answers after 2 s, the caller's HttpClient gives up after 50 ms (the CLI's waits 100 s).</summary>
    private static async Task<AsyncAIException> HttpClientTimeoutAsync(AsyncAIEmulator emulator)
    {
        emulator.Options.Faults.ExtraDelay = TimeSpan.FromSeconds(2);
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(50) };
        var client = new AsyncAIHttpClient(http, new AsyncAIHttpOptions("sk_test") { BaseUrl = emulator.HttpBaseUrl, MaxRetries = 0 });
        return await Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var _ in client.StreamAsync("Hello."))
            {
            }
        });
    }

    /// <summary>Paced at 1/10,000 of real time, the body stalls after its first chunk; the idle timeout (30 s) runs on fake time.</summary>
    private static async Task<AsyncAIException> StreamIdleTimeoutAsync(AsyncAIEmulator emulator)
    {
        emulator.Options.PacingRate = 0.0001;
        using var http = new HttpClient();
        var time = new FakeTimeProvider();
        var options = new AsyncAIHttpOptions("sk_test") { BaseUrl = emulator.HttpBaseUrl, MaxRetries = 0 };
        var client = new AsyncAIHttpClient(http, options, timeProvider: time);
        await using var chunks = client.StreamAsync("Hello there.").GetAsyncEnumerator();
        Assert.True(await chunks.MoveNextAsync());
        var next = chunks.MoveNextAsync().AsTask(); // waits for bytes the server will not send for minutes
        time.Advance(options.StreamIdleTimeout);
        return await Assert.ThrowsAsync<AsyncAIException>(() => next);
    }

    /// <summary>
    /// The emulator does not know the voice: it rejects the session, and the client gives up for good. The CLI's speak
    /// gets this error, or the service's nested in it, depending on whether its context came before the rejection;
    /// here the context comes after, once the socket is gone.
    /// </summary>
    private static async Task<AsyncAIException> SessionRejectedAsync(AsyncAIEmulator emulator)
    {
        await using var client = new AsyncAIWebSocketClient(WebSocketOptions(emulator.WebSocketUrl, o => o.VoiceId = "no-such-voice"));
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, _) => disconnected.TrySetResult();
        await client.ConnectAsync();
        await disconnected.Task;
        return Assert.Throws<AsyncAIException>(() => client.CreateContext());
    }

    /// <summary>The emulator closes a socket that stays silent for 50 ms, and one short-lived socket is the limit.</summary>
    private static async Task<AsyncAIException> ShortLivedConnectionsAsync(AsyncAIEmulator emulator)
    {
        await using var client = new AsyncAIWebSocketClient(WebSocketOptions(emulator.WebSocketUrl, o => o.Reconnect.MaxShortLivedConnections = 1));
        await client.ConnectAsync();
        var context = client.CreateContext(); // before the close, which would leave no session to create it on
        emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(50);
        return await ReadUntilFailureAsync(context);
    }

    /// <summary>The socket is closed (silent for 50 ms), and the one reconnect allowed is refused with 503.</summary>
    private static async Task<AsyncAIException> ReconnectsExhaustedAsync(AsyncAIEmulator emulator)
    {
        await using var client = new AsyncAIWebSocketClient(WebSocketOptions(emulator.WebSocketUrl, o =>
        {
            o.Reconnect.MaxAttempts = 1;
            o.Reconnect.InitialDelay = TimeSpan.Zero;
            o.Reconnect.MaxShortLivedConnections = 100;
        }));
        await client.ConnectAsync();
        var context = client.CreateContext();
        emulator.Options.Faults.RejectHandshakeStatus = 503;
        emulator.Options.Faults.CloseAfterIdle = TimeSpan.FromMilliseconds(50);
        return await ReadUntilFailureAsync(context);
    }

    /// <summary>
    /// A listener that never accepts: the system completes the TCP handshake, and the WebSocket handshake is never
    /// answered. The connect timeout (10 s) runs on fake time.
    /// </summary>
    private static async Task<AsyncAIException> ConnectTimeoutAsync()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var time = new FakeTimeProvider();
        var url = new Uri($"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/text_to_speech/websocket/ws");
        var options = WebSocketOptions(url, o => o.TimeProvider = time);
        await using var client = new AsyncAIWebSocketClient(options);
        var connecting = client.ConnectAsync(); // starts the connect timeout's timer before its first wait
        time.Advance(options.ConnectTimeout);
        return await Assert.ThrowsAsync<AsyncAIException>(() => connecting);
    }

    /// <summary>
    /// The emulator stops answering after the text is sent; the response watchdog (5 s) runs on fake time. PINGs are
    /// off, so only the watchdog can see the silence. The keepalive stays on: the same advance of fake time sends it
    /// as the watchdog aborts the socket, and its failed write must not replace the watchdog's error.
    /// </summary>
    private static async Task<AsyncAIException> ResponseTimeoutAsync(AsyncAIEmulator emulator)
    {
        var time = new FakeTimeProvider();
        var options = WebSocketOptions(emulator.WebSocketUrl, o =>
        {
            o.TimeProvider = time;
            o.PingInterval = Timeout.InfiniteTimeSpan;
            o.Reconnect.Enabled = false;
        });
        await using var client = new AsyncAIWebSocketClient(options);
        await client.ConnectAsync();
        emulator.Options.Faults.BlackHole = true;
        var context = client.CreateContext();
        await context.SendTextAsync("Into the void.");
        var failure = ReadUntilFailureAsync(context);
        time.Advance(options.ResponseTimeout * 2); // the watchdog looks four times per ResponseTimeout
        return await failure;
    }

    private static AsyncAIWebSocketOptions WebSocketOptions(Uri url, Action<AsyncAIWebSocketOptions> configure)
    {
        var options = new AsyncAIWebSocketOptions { ApiKey = "sk_test", Url = url, VoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04" };
        configure(options);
        return options;
    }

    /// <summary>Reads the context's audio as the CLI does, and returns the error it ends with.</summary>
    private static Task<AsyncAIException> ReadUntilFailureAsync(AsyncAIWebSocketContext context) =>
        Assert.ThrowsAsync<AsyncAIException>(async () =>
        {
            await foreach (var _ in context.ReadAudioAsync())
            {
            }
        });
}
