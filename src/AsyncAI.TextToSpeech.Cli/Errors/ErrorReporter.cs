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
    /// <returns>The exit code.</returns>
    public static int Report(Exception exception, bool verbose, IReadOnlyCollection<string> secrets, TextWriter error)
    {
        var (message, exitCode) = Describe(exception);
        error.WriteLine("error: " + Redact(OneLine(message), secrets));
        if (verbose)
        {
            error.WriteLine(Redact(exception.ToString(), secrets));
        }

        error.Flush();
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

    private static (string Message, int ExitCode) Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        AsyncAIException asyncAI => (asyncAI.Message + Advice(asyncAI), ExitCodes.RuntimeError),
        OperationCanceledException => ("interrupted.", ExitCodes.Interrupted),
        ArgumentException argument => (argument.Message + " Run with --help for the allowed values.", ExitCodes.UsageError),
        HttpRequestException http => ($"cannot reach the service: {http.Message} Check --url and the network.", ExitCodes.RuntimeError),
        IOException io => (io.Message, ExitCodes.RuntimeError),
        UnauthorizedAccessException access => (access.Message, ExitCodes.RuntimeError),
        _ => ($"unexpected {exception.GetType().Name}: {exception.Message} Run with --verbose for details.", ExitCodes.RuntimeError),
    };

    private static string Advice(AsyncAIException exception) => exception.Category switch
    {
        AsyncAIErrorCategory.Authentication => $" Check the key passed with --api-key or in {ServiceTarget.ApiKeyEnvironmentVariable}.",
        AsyncAIErrorCategory.Connectivity => " Check --url and the network.",
        AsyncAIErrorCategory.InvalidRequest => " Check --voice, --model, --language, --sample-rate and --encoding.",
        _ => string.Empty,
    };

    /// <summary>Folds a message onto one line: line breaks and runs of whitespace become single spaces.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
