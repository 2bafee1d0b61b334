using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// A local Async-compatible text-to-speech server (Kestrel): the WebSocket and HTTP APIs with deterministic audio,
/// fault injection and a journal. Start one per test with <see cref="StartAsync"/> (port 0 picks a free port).
/// </summary>
/// <remarks>Thread-safe. Dispose to stop it; open connections are aborted.</remarks>
public sealed class AsyncAIEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorServer _server;
    private int _disposed;

    private AsyncAIEmulator(WebApplication app, EmulatorServer server, EmulatorOptions options, Uri httpBaseUrl)
    {
        _app = app;
        _server = server;
        Options = options;
        HttpBaseUrl = httpBaseUrl;
        WebSocketUrl = new Uri(
            string.Create(CultureInfo.InvariantCulture, $"ws://{httpBaseUrl.Authority}{EmulatorServer.WebSocketPath}"));
    }

    /// <summary>Gets the HTTP base address, e.g. <c>http://127.0.0.1:PORT</c> (no path).</summary>
    public Uri HttpBaseUrl { get; }

    /// <summary>Gets the WebSocket address, e.g. <c>ws://127.0.0.1:PORT/text_to_speech/websocket/ws</c> (no query).</summary>
    public Uri WebSocketUrl { get; }

    /// <summary>Gets the live options: changes apply to later connections, requests and messages.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>Gets the journal of everything received and sent.</summary>
    public EmulatorJournal Journal => _server.Journal;

    /// <summary>Starts an emulator.</summary>
    /// <param name="options">The options (kept and live); null uses defaults (127.0.0.1, a free port).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator.</returns>
    public static async Task<AsyncAIEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.EnableLogging)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

            // ASP.NET Core's request lines print each URL whole, and a WebSocket client sends its key in the query.
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        }

        var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxMessageBytes, 1024 * 1024);
        });

        // The handlers never block (everything they wait for is awaited), so Kestrel may run them on the socket's
        // completion thread instead of handing each received message to another pool thread: one hop less between a
        // request and its first audio, and per paced chunk.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        var app = builder.Build();
        var server = new EmulatorServer(options, new EmulatorJournal(), app.Lifetime.ApplicationStopping);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        if (address.Equals(IPAddress.Any))
        {
            host = "127.0.0.1";
        }
        else if (address.Equals(IPAddress.IPv6Any))
        {
            host = "[::1]";
        }

        var baseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
        return new AsyncAIEmulator(app, server, options, baseUrl);
    }

    /// <summary>Stops the server; open connections are aborted.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _server.Stop();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // connections that did not finish in time are aborted by Kestrel
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
