namespace AsyncAI.TextToSpeech.Pipeline.Frames;

/// <summary>One measurement in a <see cref="MetricsFrame"/>.</summary>
/// <param name="Processor">The name of the processor that measured.</param>
/// <param name="Model">The model in use, or null.</param>
public abstract record MetricsData(string Processor, string? Model);

/// <summary>Time to first byte: from sending a context's first text to its first audio.</summary>
/// <param name="Processor">The name of the processor that measured.</param>
/// <param name="Model">The model in use, or null.</param>
/// <param name="Value">The time to first byte.</param>
public sealed record TtfbMetricsData(string Processor, string? Model, TimeSpan Value) : MetricsData(Processor, Model);

/// <summary>Processing time: how long a service took to handle one piece of text.</summary>
/// <param name="Processor">The name of the processor that measured.</param>
/// <param name="Model">The model in use, or null.</param>
/// <param name="Value">The processing time.</param>
public sealed record ProcessingMetricsData(string Processor, string? Model, TimeSpan Value) : MetricsData(Processor, Model);

/// <summary>TTS usage: characters sent for synthesis.</summary>
/// <param name="Processor">The name of the processor that measured.</param>
/// <param name="Model">The model in use, or null.</param>
/// <param name="Characters">The number of characters sent.</param>
public sealed record TtsUsageMetricsData(string Processor, string? Model, int Characters) : MetricsData(Processor, Model);
