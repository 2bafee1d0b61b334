namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>Options of an <see cref="AsyncAIWebSocketConnectionPool"/>; validated (and copied) when the pool is constructed.</summary>
public sealed class AsyncAIWebSocketConnectionPoolOptions
{
    /// <summary>
    /// Gets or sets how many leases one connection serves at once (default 16). A pipeline's WebSocket service holds one
    /// lease from its start to its end (two for a moment while a settings update moves it to another socket), so this is
    /// also how many pipelines share a socket; more share more of the socket's sends and wake-ups, fewer limit how much
    /// one socket's trouble affects.
    /// </summary>
    public int MaxLeasesPerConnection { get; set; } = 16;

    /// <summary>
    /// Gets or sets how long a connection without leases stays open for the next one (default 30 s; the client's
    /// keepalive holds it meanwhile; at most 24 days). <see cref="TimeSpan.Zero"/> closes it as soon as its last lease is returned.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock for <see cref="IdleTimeout"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal AsyncAIWebSocketConnectionPoolOptions Clone() => (AsyncAIWebSocketConnectionPoolOptions)MemberwiseClone();

    internal void Validate()
    {
        if (MaxLeasesPerConnection < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLeasesPerConnection), MaxLeasesPerConnection, "MaxLeasesPerConnection must be at least 1.");
        }

        if (IdleTimeout < TimeSpan.Zero || IdleTimeout == Timeout.InfiniteTimeSpan || IdleTimeout > AsyncAIWebSocketOptions.MaxTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "IdleTimeout must be zero or a positive, finite time span of at most 24 days.");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "TimeProvider must not be null; use TimeProvider.System.");
        }
    }
}
