using System.CommandLine;
using System.Runtime.InteropServices;
using System.CommandLine.Invocation;
using AsyncAI.TextToSpeech.Cli.Commands;
using AsyncAI.TextToSpeech.Cli.Service;

namespace AsyncAI.TextToSpeech.Cli;

/// <summary>Builds the <c>asyncai-tts</c> command tree and runs it: parse errors exit 2, failures exit 1, each with one line on stderr.</summary>
internal static class CliApplication
{
    /// <summary>How long Ctrl+C waits for the command to clean up (close sockets, complete the WAV) before the process exits anyway.</summary>
    internal static readonly TimeSpan ProcessTerminationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">The standard streams.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log the clients' activity and show full errors, on stderr",
            Recursive = true,
        };
        var root = new RootCommand("asyncai-tts: text to speech with Async (async.com), or offline with the built-in emulator.");
        root.Options.Add(verbose);
        root.Subcommands.Add(SpeakCommand.Create(console, verbose));
        root.Subcommands.Add(StreamCommand.Create(console, verbose));
        root.Subcommands.Add(VoicesCommand.Create(console, verbose));
        root.Subcommands.Add(ServeCommand.Create(console, verbose));
        root.Subcommands.Add(BenchCommand.Create(console, verbose));

        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            var command = parseResult.CommandResult.Command;
            var help = command == root ? "asyncai-tts --help" : $"asyncai-tts {command.Name} --help";
            var problems = string.Join("; ", parseResult.Errors.Select(e => ErrorReporter.OneLine(e.Message).TrimEnd('.')));
            await console.Error.WriteLineAsync($"error: {problems}. Run '{help}' for usage.");
            return ExitCodes.UsageError;
        }

        var secrets = new List<string>();
        try
        {
            var apiKeyOption = parseResult.CommandResult.Command.Options.OfType<Option<string?>>().FirstOrDefault(o => o.Name == "--api-key");
            if (apiKeyOption is not null && ServiceTarget.ResolveApiKey(parseResult.GetValue(apiKeyOption)) is { } key)
            {
                secrets.Add(key);
            }

            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = console.Out,
                Error = console.Error,

                // After Ctrl+C the command's own cleanup must finish: closing the WebSocket alone may take its
                // CloseTimeout (2 s, then twice that for a stuck event handler) when the server never answers, and the
                // WAV header is written after it. With the default 2 s System.CommandLine returned 130 itself and the
                // process ended mid-cleanup: header sizes 0, no error line. Every step is bounded, so this is a backstop.
                ProcessTerminationTimeout = ProcessTerminationTimeout,
            };
            // The terminal closing (SIGHUP) would end the process at once, leaving a hidden temporary WAV beside -o's path
            // and no file at it. It takes Ctrl+C's path instead (System.CommandLine handles SIGINT and SIGTERM), without
            // the ProcessTerminationTimeout backstop: each cleanup step has its own bound (README, "CLI").
            using var hangUp = new CancellationTokenSource();
            using var hangUpSignal = OperatingSystem.IsWindows()
                ? null
                : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    try
                    {
                        hangUp.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // the command is over already
                    }
                });
            return await parseResult.InvokeAsync(configuration, hangUp.Token);
        }
        catch (Exception ex)
        {
            var commandOptions = parseResult.CommandResult.Command.Options.Select(o => o.Name).ToArray();
            return ErrorReporter.Report(ex, parseResult.GetValue(verbose), secrets, console.Error, commandOptions);
        }
    }
}
