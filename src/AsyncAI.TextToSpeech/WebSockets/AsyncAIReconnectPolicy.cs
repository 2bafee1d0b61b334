namespace AsyncAI.TextToSpeech.WebSockets;

/// <summary>How an <see cref="AsyncAIWebSocketClient"/> replaces a socket that died unexpectedly.</summary>
/// <remarks>
/// <para>
/// A socket that closes without the caller asking (server close, network error, dead peer) is replaced with
/// exponential backoff: the first attempt is immediate, then <see cref="InitialDelay"/>, doubling up to
/// <see cref="MaxDelay"/>. There is no jitter: one client holds one socket, so there is no herd to spread.
/// </para>
/// <para>
/// Connections that die soon after opening usually mean the service rejects something about the session (the
/// voice, the model, the account), which retrying cannot fix. After <see cref="MaxShortLivedConnections"/>
/// connections in a row each lived less than <see cref="MinHealthyConnectionLifetime"/>, the client fails for
/// good; one connection that lives longer resets the count. A handshake refused with 401 or 403 is never retried.
/// </para>
/// </remarks>
public sealed class AsyncAIReconnectPolicy
{
    /// <summary>Gets or sets whether the client reconnects at all.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets how many connect attempts one outage may use before the client gives up and becomes <see cref="AsyncAIWebSocketState.Disconnected"/>.</summary>
    /// <value>The default value is 5. Allowed: 1 to 100.</value>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Gets or sets the delay before the second attempt; later attempts double it.</summary>
    /// <value>The default value is 500 ms. Allowed: 0 to <see cref="MaxDelay"/>.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest delay between attempts.</summary>
    /// <value>The default value is 10 s (Pipecat's cap as well). Allowed: 0 to 24 days.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a connection must live to count as healthy and reset the short-lived streak.</summary>
    /// <value>The default value is 5 s.</value>
    public TimeSpan MinHealthyConnectionLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many short-lived connections in a row make the client fail for good.</summary>
    /// <value>The default value is 3. Allowed: 1 to 100.</value>
    public int MaxShortLivedConnections { get; set; } = 3;

    /// <summary>Gets the delay before a connect attempt, given how many attempts in a row have failed before it.</summary>
    /// <param name="failuresSoFar">Failed attempts (and short-lived connections) immediately before this attempt.</param>
    /// <returns>Zero for the first attempt, then <see cref="InitialDelay"/> doubling up to <see cref="MaxDelay"/>.</returns>
    public TimeSpan GetDelay(int failuresSoFar)
    {
        if (failuresSoFar <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failuresSoFar - 1, 30);
        var ticks = InitialDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    internal AsyncAIReconnectPolicy Clone() => (AsyncAIReconnectPolicy)MemberwiseClone();

    internal void Validate()
    {
        const string Prefix = nameof(AsyncAIWebSocketOptions.Reconnect) + ".";
        if (MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(MaxAttempts), MaxAttempts, "Reconnect.MaxAttempts must be between 1 and 100.");
        }

        if (MaxShortLivedConnections is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(MaxShortLivedConnections), MaxShortLivedConnections, "Reconnect.MaxShortLivedConnections must be between 1 and 100.");
        }

        if (MaxDelay < TimeSpan.Zero || MaxDelay > AsyncAIWebSocketOptions.MaxTimeSpan)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(MaxDelay), MaxDelay, "Reconnect.MaxDelay must not be negative nor exceed 24 days.");
        }

        if (InitialDelay < TimeSpan.Zero || InitialDelay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(InitialDelay), InitialDelay, "Reconnect.InitialDelay must be between zero and Reconnect.MaxDelay.");
        }

        if (MinHealthyConnectionLifetime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(Prefix + nameof(MinHealthyConnectionLifetime), MinHealthyConnectionLifetime, "Reconnect.MinHealthyConnectionLifetime must not be negative.");
        }
    }
}
