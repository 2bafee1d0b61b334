using AsyncAI.TextToSpeech.Cli.Service;

namespace AsyncAI.TextToSpeech.Cli;

/// <summary>Turns any failure into one line on standard error and an exit code; the stack trace only with <c>--verbose</c>.</summary>
internal static class ErrorReporter
{
    /// <summary>Writes <c>error: …</c> for the exception and returns the exit code.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="verbose">Whether to add the full exception after the line.</param>
    /// <param name="secrets">Strings never to print (the API key), replaced wherever they occur.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="commandOptions">
    /// The names of the failed command's options, so the advice names only flags it has (<c>voices</c> has no
    /// <c>--voice</c>); null names every flag the advice may give.
    /// </param>
    /// <returns>The exit code.</returns>
    public static int Report(Exception exception, bool verbose, IReadOnlyCollection<string> secrets, TextWriter error, IReadOnlyCollection<string>? commandOptions = null)
    {
        var (message, exitCode) = Describe(exception, commandOptions);
        try
        {
            error.WriteLine("error: " + Redact(OneLine(message), secrets));
            if (verbose)
            {
                error.WriteLine(Redact(exception.ToString(), secrets));
            }

            error.Flush();
        }
        catch (IOException)
        {
            // Standard error is gone: a terminal that closed (SIGHUP, which takes Ctrl+C's path) fails every write
            // with EIO. No one is there to read the line; thrown out of Main it made the process abort (SIGABRT)
            // after its cleanup, instead of exiting with the run's code.
        }

        return exitCode;
    }

    /// <summary>Replaces every secret in the text with <c>***</c>.</summary>
    public static string Redact(string text, IReadOnlyCollection<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static (string Message, int ExitCode) Describe(Exception exception, IReadOnlyCollection<string>? commandOptions) => exception switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        AsyncAIException asyncAI => (ForCliUser(asyncAI.Message) + Advice(asyncAI, commandOptions), ExitCodes.RuntimeError),
        OperationCanceledException => ("interrupted.", ExitCodes.Interrupted),
        ArgumentException argument => (argument.Message + " Run with --help for the allowed values.", ExitCodes.UsageError),
        HttpRequestException http => ($"cannot reach the service: {http.Message} Check --url and the network.", ExitCodes.RuntimeError),
        IOException io => (io.Message, ExitCodes.RuntimeError),
        UnauthorizedAccessException access => (access.Message, ExitCodes.RuntimeError),
        _ => ($"unexpected {exception.GetType().Name}: {exception.Message} Run with --verbose for details.", ExitCodes.RuntimeError),
    };

    /// <summary>
    /// The library's wording for code that uses it, as its messages put it (Http/HttpErrors.cs,
    /// WebSockets/AsyncAIWebSocketClient*.cs, WebSockets/Internal/WebSocketConnection.cs and ServerErrors.cs), and what
    /// the CLI's line says instead. The advice names options and calls a CLI user cannot set or make
    /// (<c>AsyncAIHttpOptions.ApiKey</c>, <c>BaseUrl</c>, <c>HttpClient.Timeout</c>, "create a new client"), so it is
    /// dropped, and <see cref="Advice"/> says what to do for the category with the CLI's flags; the option names that
    /// explain a timeout become plain words.
    /// </summary>
    /// <remarks>
    /// <see cref="AsyncAIException"/> carries the category, the service's code and the HTTP status, but neither its
    /// advice nor an option name apart from the message, and the message also holds what the service said (which
    /// voice was not found), so the wording is replaced in the text. ErrorAdviceWordingTests make the library say each
    /// entry for real (through the CLI, or through the library against the emulator; one entry the emulator never
    /// sends is built by the library's own code), so a rewording in the library fails a test there, and check that
    /// every entry has such a case.
    /// </remarks>
    internal static readonly (string Library, string Cli)[] CodeWording =
    [
        ("Check AsyncAIHttpOptions.ApiKey: the key is missing, invalid or expired.", ""),
        ("Fix the request (voice id, model, language, output format, API version); retrying will not help.", ""),
        ("Check the network and BaseUrl; the client retries where that is safe.", ""),
        ("did not complete within the HttpClient's Timeout. Raise HttpClient.Timeout (streams of long texts take a while) or retry.", "did not complete in time."),
        (" (AsyncAIHttpOptions.StreamIdleTimeout). Retry; raise StreamIdleTimeout if the service is only slow.", "."),
        ("Check ApiKey; the client will not retry and is now unusable.", ""),
        ("Check the API key.", ""),
        ("Check the voice, model, language and output format options.", ""),
        ("Fix the options and create a new client.", ""),
        ("; check the options and create a new client.", "."),
        ("Call ConnectAsync to try again.", ""),
        ("took longer than ConnectTimeout (", "took longer than the connect timeout ("),
        (" s (ResponseTimeout) while", " s while"),
        (" (a dead peer is detected by PING/PONG within PingInterval + KeepAliveTimeout)", ""),
    ];

    private static string ForCliUser(string message)
    {
        foreach (var (library, cli) in CodeWording)
        {
            message = message.Replace(library, cli, StringComparison.Ordinal);
        }

        // Advice dropped from inside parentheses (a refused WebSocket session quotes the service's error whole) left a space before them.
        return message.Replace(" )", ")", StringComparison.Ordinal).TrimEnd();
    }

    private static string Advice(AsyncAIException exception, IReadOnlyCollection<string>? commandOptions) => exception.Category switch
    {
        AsyncAIErrorCategory.Authentication => $" Check the key passed with --api-key or in {ServiceTarget.ApiKeyEnvironmentVariable}.",
        AsyncAIErrorCategory.Connectivity => " Check --url and the network.",
        AsyncAIErrorCategory.InvalidRequest => RequestAdvice(commandOptions),
        AsyncAIErrorCategory.Timeout => " Retry; if it keeps happening, check --url and the network.",
        _ => string.Empty,
    };

    /// <summary>
    /// Names the flags that shape a request, those the command has: <c>voices</c> has only <c>--language</c> of them,
    /// <c>bench</c> no <c>--language</c>. Every client command has <c>--url</c> and <c>--api-key</c>.
    /// </summary>
    private static string RequestAdvice(IReadOnlyCollection<string>? commandOptions)
    {
        string[] requestOptions = ["--voice", "--model", "--language", "--sample-rate", "--encoding"];
        var named = commandOptions is null ? requestOptions : Array.FindAll(requestOptions, commandOptions.Contains);
        return named.Length switch
        {
            0 => string.Empty,
            1 => $" Check {named[0]}.",
            _ => $" Check {string.Join(", ", named[..^1])} and {named[^1]}.",
        };
    }

    /// <summary>Folds a message onto one line: line breaks and runs of whitespace become single spaces.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
