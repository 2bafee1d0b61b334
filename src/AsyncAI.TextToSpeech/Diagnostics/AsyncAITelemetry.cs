using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AsyncAI.TextToSpeech.Diagnostics;

/// <summary>The library's one <see cref="Meter"/> and <see cref="ActivitySource"/>, named once for OpenTelemetry.</summary>
/// <remarks>Add <see cref="Name"/> to <c>AddMeter</c> and <c>AddSource</c> to collect everything the library emits.</remarks>
public static class AsyncAITelemetry
{
    /// <summary>The meter and activity source name: <c>AsyncAI.TextToSpeech</c>.</summary>
    public const string Name = "AsyncAI.TextToSpeech";

    /// <summary>Gets the library's meter.</summary>
    public static Meter Meter { get; } = new(Name, "1.0");

    /// <summary>Gets the library's activity source.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, "1.0");
}
