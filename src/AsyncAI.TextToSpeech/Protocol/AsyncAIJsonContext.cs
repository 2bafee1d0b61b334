using System.Text.Json.Serialization;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>Source-generated System.Text.Json metadata for every Async wire type (no reflection serialization).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(InitializeConnectionMessage))]
[JsonSerializable(typeof(TextMessage))]
[JsonSerializable(typeof(CloseContextMessage))]
[JsonSerializable(typeof(TerminateMessage))]
[JsonSerializable(typeof(CloseConnectionMessage))]
[JsonSerializable(typeof(AudioOutputMessage))]
[JsonSerializable(typeof(ErrorMessage))]
[JsonSerializable(typeof(TextToSpeechRequest))]
[JsonSerializable(typeof(TimestampsResponse))]
[JsonSerializable(typeof(ListVoicesRequest))]
[JsonSerializable(typeof(ListVoicesResponse))]
[JsonSerializable(typeof(Voice))]
[JsonSerializable(typeof(IReadOnlyList<Voice>))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(VoiceBatchRequest))]
[JsonSerializable(typeof(UpdateVoiceRequest))]
[JsonSerializable(typeof(VoicePreviewResponse))]
public sealed partial class AsyncAIJsonContext : JsonSerializerContext;
