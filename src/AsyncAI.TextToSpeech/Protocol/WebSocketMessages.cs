using System.Text.Json;
using System.Text.Json.Serialization;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>Identifies the voice to synthesize with. Async documents only the <c>id</c> mode.</summary>
/// <param name="Id">The voice's UUID.</param>
public sealed record VoiceSpecifier([property: JsonPropertyName("id")] string Id)
{
    /// <summary>Gets the selection mode; always <c>id</c>.</summary>
    [JsonPropertyName("mode")]
    public string Mode { get; init; } = "id";
}

/// <summary>The <c>output_format</c> object of the WebSocket init message and of every HTTP TTS body.</summary>
public sealed record OutputFormat
{
    /// <summary>Gets the container: <c>raw</c>, <c>wav</c> or <c>mp3</c>.</summary>
    [JsonPropertyName("container")]
    public string Container { get; init; } = AudioContainers.Raw;

    /// <summary>Gets the PCM encoding: <c>pcm_s16le</c>, <c>pcm_f32le</c> or <c>pcm_mulaw</c>. Ignored for mp3.</summary>
    [JsonPropertyName("encoding")]
    public string? Encoding { get; init; } = AudioEncodings.PcmS16Le;

    /// <summary>Gets the sample rate in Hz (8000–48000).</summary>
    [JsonPropertyName("sample_rate")]
    public int SampleRate { get; init; } = 24000;

    /// <summary>Gets the mp3 bit rate (32000–320000); only for mp3.</summary>
    [JsonPropertyName("bit_rate")]
    public int? BitRate { get; init; }
}

/// <summary>The first client message on a WebSocket connection (<c>initializeConnection</c>).</summary>
public sealed record InitializeConnectionMessage
{
    /// <summary>Gets the model id, e.g. <c>async_flash_v1.0</c>.</summary>
    [JsonPropertyName("model_id")]
    public required string ModelId { get; init; }

    /// <summary>Gets the voice.</summary>
    [JsonPropertyName("voice")]
    public required VoiceSpecifier Voice { get; init; }

    /// <summary>Gets the output format; the server default is raw pcm_s16le at 44100 Hz.</summary>
    [JsonPropertyName("output_format")]
    public OutputFormat? OutputFormat { get; init; }

    /// <summary>Gets the forced synthesis language (an Async code such as <c>en</c>), or null to auto-detect.</summary>
    [JsonPropertyName("language")]
    public string? Language { get; init; }
}

/// <summary>
/// A text message (<c>sendText</c> / <c>initializeContext</c>): text for a context. The undocumented keepalive is a
/// text message too: <c>{"transcript":" ","context_id":…}</c> (see <see cref="ClientMessageWriter.WriteKeepalive"/>).
/// </summary>
public sealed record TextMessage
{
    /// <summary>Gets the text. Whitespace-only text flushes; an empty string ends the context's input.</summary>
    [JsonPropertyName("transcript")]
    public required string Transcript { get; init; }

    /// <summary>Gets the context id, or null for the default context.</summary>
    [JsonPropertyName("context_id")]
    public string? ContextId { get; init; }

    /// <summary>Gets whether the server should synthesize now even if its buffer is small.</summary>
    [JsonPropertyName("force")]
    public bool? Force { get; init; }
}

/// <summary>Closes one context (<c>closeContext</c>): its pending audio completes, then <c>final</c> is sent.</summary>
public sealed record CloseContextMessage
{
    /// <summary>Gets the context to close.</summary>
    [JsonPropertyName("context_id")]
    public required string ContextId { get; init; }

    /// <summary>Gets the close flag; always true.</summary>
    [JsonPropertyName("close_context")]
    public bool CloseContext { get; init; } = true;

    /// <summary>Gets the transcript; always empty.</summary>
    [JsonPropertyName("transcript")]
    public string Transcript { get; init; } = "";
}

/// <summary>Ends the connection gracefully (<c>closeConnection</c>).</summary>
public sealed record TerminateMessage
{
    /// <summary>Gets the terminate flag; always true.</summary>
    [JsonPropertyName("terminate")]
    public bool Terminate { get; init; } = true;
}

/// <summary>
/// Ends the connection in the other documented form, <c>{"text":""}</c> (<c>closeConnection</c>; the old
/// single-context edition also sent text as <c>{"text":…}</c>). <see cref="TerminateMessage"/> is the form the
/// clients send.
/// </summary>
public sealed record CloseConnectionMessage
{
    /// <summary>Gets the text; always empty.</summary>
    [JsonPropertyName("text")]
    public string Text { get; init; } = "";
}

/// <summary>A server audio message (<c>audioOutput</c> / <c>finalOutput</c>).</summary>
public sealed record AudioOutputMessage
{
    /// <summary>Gets the context the audio belongs to (absent in the old single-context protocol).</summary>
    [JsonPropertyName("context_id")]
    public string? ContextId { get; init; }

    /// <summary>Gets the base64 audio; empty on the final message.</summary>
    [JsonPropertyName("audio")]
    public string? Audio { get; init; }

    /// <summary>Gets whether this message ends the context.</summary>
    [JsonPropertyName("final")]
    public bool Final { get; init; }
}

/// <summary>A server error message on the WebSocket, or the error object of an HTTP error body.</summary>
public sealed record ErrorMessage
{
    /// <summary>Gets the service's error code, e.g. <c>TIMEOUT</c> or <c>INVALID_API_KEY</c>.</summary>
    [JsonPropertyName("error_code")]
    public string? ErrorCode { get; init; }

    /// <summary>Gets the human-readable message.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Gets extra details (limits, retry_after_ms, …), if any.</summary>
    [JsonPropertyName("extra")]
    public JsonElement? Extra { get; init; }

    /// <summary>Gets the request id, if the service sent one.</summary>
    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }

    /// <summary>Gets the context id, if the error concerns one context.</summary>
    [JsonPropertyName("context_id")]
    public string? ContextId { get; init; }
}
