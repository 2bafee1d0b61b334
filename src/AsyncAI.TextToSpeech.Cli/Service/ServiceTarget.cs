using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.WebSockets;

namespace AsyncAI.TextToSpeech.Cli.Service;

/// <summary>
/// The service a command talks to, and with which key: Async itself when there is a key, the server at
/// <c>--url</c> when one is given, or an emulator started in this process when there is neither.
/// </summary>
internal sealed class ServiceTarget : IAsyncDisposable
{
    /// <summary>The environment variable the API key is read from when <c>--api-key</c> is absent.</summary>
    public const string ApiKeyEnvironmentVariable = "ASYNCAI_API_KEY";

    /// <summary>The key sent to a server at <c>--url</c> (or the in-process emulator) when the user gave none; the emulator accepts any key by default.</summary>
    public const string PlaceholderKey = "local-emulator";

    private const string WebSocketPath = "/text_to_speech/websocket/ws";
    private static readonly Uri AsyncHttpBaseUrl = new("https://api.async.com");

    private ServiceTarget(string apiKey, Uri webSocketUrl, Uri httpBaseUrl, AsyncAIEmulator? emulator)
    {
        ApiKey = apiKey;
        WebSocketUrl = webSocketUrl;
        HttpBaseUrl = httpBaseUrl;
        Emulator = emulator;
    }

    /// <summary>Gets the API key to send.</summary>
    public string ApiKey { get; }

    /// <summary>Gets the WebSocket endpoint.</summary>
    public Uri WebSocketUrl { get; }

    /// <summary>Gets the HTTP base address.</summary>
    public Uri HttpBaseUrl { get; }

    /// <summary>Gets the in-process emulator, when one was started.</summary>
    public AsyncAIEmulator? Emulator { get; }

    /// <summary>Reads the key from <c>--api-key</c> or <see cref="ApiKeyEnvironmentVariable"/>; null when neither has one.</summary>
    /// <exception cref="CliException"><c>--api-key</c> was given but blank.</exception>
    public static string? ResolveApiKey(string? apiKeyOption)
    {
        if (apiKeyOption is not null)
        {
            return string.IsNullOrWhiteSpace(apiKeyOption)
                ? throw CliException.Usage($"--api-key is empty. Pass your async.com key, or leave it out to use {ApiKeyEnvironmentVariable} or the built-in emulator.")
                : apiKeyOption.Trim();
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment.Trim();
    }

    /// <summary>Decides where to connect, starting the emulator when there is neither a key nor a URL.</summary>
    /// <param name="apiKeyOption">The <c>--api-key</c> value, or null.</param>
    /// <param name="url">The <c>--url</c> value, or null.</param>
    /// <param name="console">Where to say that the emulator is used.</param>
    /// <param name="cancellationToken">Cancels starting the emulator.</param>
    /// <returns>The target; dispose it to stop the emulator.</returns>
    public static async Task<ServiceTarget> ResolveAsync(string? apiKeyOption, string? url, CliConsole console, CancellationToken cancellationToken)
    {
        var apiKey = ResolveApiKey(apiKeyOption);
        if (url is not null)
        {
            var (webSocketUrl, httpBaseUrl) = ParseUrl(url);
            return new ServiceTarget(apiKey ?? PlaceholderKey, webSocketUrl, httpBaseUrl, null);
        }

        if (apiKey is not null)
        {
            return new ServiceTarget(apiKey, new Uri(AsyncAIWebSocketOptions.DefaultUrl), AsyncHttpBaseUrl, null);
        }

        var emulator = await AsyncAIEmulator.StartAsync(cancellationToken: cancellationToken);
        await console.Error.WriteLineAsync(
            $"No API key (--api-key or {ApiKeyEnvironmentVariable}): using the built-in emulator at {emulator.HttpBaseUrl} (its audio is a test tone).");
        return new ServiceTarget(PlaceholderKey, emulator.WebSocketUrl, emulator.HttpBaseUrl, emulator);
    }

    /// <summary>
    /// Derives both endpoints from one <c>--url</c>: a base address (<c>http://127.0.0.1:8765</c>) or a WebSocket URL
    /// (<c>ws://127.0.0.1:8765/text_to_speech/websocket/ws</c>); the scheme pairs http with ws and https with wss.
    /// </summary>
    /// <exception cref="CliException">The URL is not an absolute http, https, ws or wss URL.</exception>
    public static (Uri WebSocketUrl, Uri HttpBaseUrl) ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw CliException.Usage($"--url '{url}' is not an absolute http(s) or ws(s) URL, e.g. http://127.0.0.1:8765.");
        }

        var secure = uri.Scheme is "https" or "wss";
        var authority = uri.GetLeftPart(UriPartial.Authority)[(uri.Scheme.Length + 3)..];
        var path = uri.AbsolutePath.TrimEnd('/');
        var httpBase = new Uri($"{(secure ? "https" : "http")}://{authority}");
        if (uri.Scheme is "ws" or "wss")
        {
            var webSocket = path.Length == 0 ? new Uri($"{uri.Scheme}://{authority}{WebSocketPath}") : uri;
            return (webSocket, httpBase);
        }

        return (new Uri($"{(secure ? "wss" : "ws")}://{authority}{path}{WebSocketPath}"), path.Length == 0 ? httpBase : uri);
    }

    /// <summary>Stops the emulator, if one was started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
