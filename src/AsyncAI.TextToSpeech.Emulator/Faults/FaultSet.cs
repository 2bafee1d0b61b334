using System.Globalization;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>
/// The faults in force for one connection or request: the server-wide switches merged with the per-exchange
/// <c>emulator_fault</c> / <c>x-emulator-fault</c> list (<c>name[:value][,name[:value]…]</c>).
/// </summary>
internal sealed record FaultSet
{
    public bool BlackHole { get; init; }
    public bool CloseMidContext { get; init; }
    public TimeSpan? CloseAfterIdle { get; init; }
    public int? RejectHandshakeStatus { get; init; }
    public bool MalformedJson { get; init; }
    public bool InvalidBase64 { get; init; }
    public bool OddLengthChunk { get; init; }
    public TimeSpan Delay { get; init; }
    public int? QuotaAfterBytes { get; init; }
    public bool WithholdFinal { get; init; }
    public int? HttpChunkBytes { get; init; }

    /// <summary>Emulator extension (HTTP only): answer this request with this status.</summary>
    public int? FailStatus { get; init; }

    /// <summary>Emulator extension (HTTP only): the error code used with <see cref="FailStatus"/>.</summary>
    public string? FailErrorCode { get; init; }

    /// <summary>Emulator extension (HTTP only): the retry hint used with <see cref="FailStatus"/>.</summary>
    public TimeSpan? FailRetryAfter { get; init; }

    /// <summary>Applies a fault list on top of this set.</summary>
    /// <param name="spec">The list, e.g. <c>delay:50,odd-length-chunk</c>; null or empty changes nothing.</param>
    /// <returns>The merged set.</returns>
    /// <exception cref="FormatException">An unknown name or a bad value; the message names it.</exception>
    public FaultSet Apply(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return this;
        }

        var result = this;
        foreach (var rawItem in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = rawItem.IndexOf(':', StringComparison.Ordinal);
            var name = (colon < 0 ? rawItem : rawItem[..colon]).ToLowerInvariant();
            var value = colon < 0 ? null : rawItem[(colon + 1)..];
            result = name switch
            {
                "black-hole" => result with { BlackHole = true },
                "close-mid-context" => result with { CloseMidContext = true },
                "close-after-idle" => result with { CloseAfterIdle = TimeSpan.FromMilliseconds(Positive(name, value)) },
                "reject-handshake" => result with { RejectHandshakeStatus = Status(name, value) },
                "malformed-json" => result with { MalformedJson = true },
                "invalid-base64" => result with { InvalidBase64 = true },
                "odd-length-chunk" => result with { OddLengthChunk = true },
                "delay" => result with { Delay = TimeSpan.FromMilliseconds(NonNegative(name, value)) },
                "quota-after" => result with { QuotaAfterBytes = NonNegative(name, value) },
                "withhold-final" => result with { WithholdFinal = true },
                "http-chunk" => result with { HttpChunkBytes = Positive(name, value) },
                "status" => result with { FailStatus = Status(name, value) },
                "error-code" => result with { FailErrorCode = Required(name, value) },
                "retry-after" => result with { FailRetryAfter = TimeSpan.FromMilliseconds(NonNegative(name, value)) },
                _ => throw new FormatException(
                    $"Unknown emulator fault '{name}'. Known: black-hole, close-mid-context, close-after-idle:<ms>, reject-handshake:<status>, " +
                    "malformed-json, invalid-base64, odd-length-chunk, delay:<ms>, quota-after:<bytes>, withhold-final, http-chunk:<bytes>, " +
                    "status:<status>, error-code:<code>, retry-after:<ms>."),
            };
        }

        return result;
    }

    private static string Required(string name, string? value) =>
        string.IsNullOrEmpty(value) ? throw new FormatException($"Emulator fault '{name}' needs a value ('{name}:<value>').") : value;

    private static int NonNegative(string name, string? value) =>
        int.TryParse(Required(name, value), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"Emulator fault '{name}' needs a non-negative integer, not '{value}'.");

    private static int Positive(string name, string? value)
    {
        var n = NonNegative(name, value);
        return n > 0 ? n : throw new FormatException($"Emulator fault '{name}' needs a positive integer, not '{value}'.");
    }

    private static int Status(string name, string? value)
    {
        var n = NonNegative(name, value);
        return n is >= 400 and <= 599 ? n : throw new FormatException($"Emulator fault '{name}' needs an HTTP error status 400–599, not '{value}'.");
    }
}
