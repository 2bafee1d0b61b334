using System.CommandLine;
using AsyncAI.TextToSpeech.Cli.Service;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>The <c>--url</c> and <c>--api-key</c> options every client command takes.</summary>
internal sealed class ConnectionOptions
{
    /// <summary>Gets <c>--url</c>.</summary>
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "Server to use instead of Async, e.g. http://127.0.0.1:8765 (an emulator from 'asyncai-tts serve'); ws:// URLs work too",
        HelpName = "URL",
    };

    /// <summary>Gets <c>--api-key</c>.</summary>
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"Async API key (default: ${ServiceTarget.ApiKeyEnvironmentVariable}); with neither a key nor --url the built-in emulator is used",
        HelpName = "KEY",
    };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(ApiKey);
    }

    /// <summary>Resolves the target from the parsed values.</summary>
    public Task<ServiceTarget> ResolveAsync(ParseResult parseResult, CliConsole console, CancellationToken cancellationToken) =>
        ServiceTarget.ResolveAsync(parseResult.GetValue(ApiKey), parseResult.GetValue(Url), console, cancellationToken);
}
