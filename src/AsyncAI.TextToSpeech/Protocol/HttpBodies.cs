using System.Text.Json;
using System.Text.Json.Serialization;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>The JSON body of <c>/text_to_speech</c>, <c>/text_to_speech/streaming</c> and <c>/text_to_speech/with_timestamps</c>.</summary>
public sealed record TextToSpeechRequest
{
    /// <summary>Gets the model id.</summary>
    [JsonPropertyName("model_id")]
    public required string ModelId { get; init; }

    /// <summary>Gets the text to speak.</summary>
    [JsonPropertyName("transcript")]
    public required string Transcript { get; init; }

    /// <summary>Gets the voice.</summary>
    [JsonPropertyName("voice")]
    public required VoiceSpecifier Voice { get; init; }

    /// <summary>Gets the output format (container and sample rate are required by the service).</summary>
    [JsonPropertyName("output_format")]
    public required OutputFormat OutputFormat { get; init; }

    /// <summary>Gets the forced language code, or null to auto-detect.</summary>
    [JsonPropertyName("language")]
    public string? Language { get; init; }

    /// <summary>Gets the speed (0.7–2.0); only <c>async_flash_v1.0</c> honours it.</summary>
    [JsonPropertyName("speed_control")]
    public double? SpeedControl { get; init; }

    /// <summary>Gets the stability (0–100); only <c>async_flash_v1.0</c> honours it.</summary>
    [JsonPropertyName("stability")]
    public int? Stability { get; init; }
}

/// <summary>Word alignment returned by <c>/text_to_speech/with_timestamps</c>.</summary>
public sealed record WordAlignment
{
    /// <summary>Gets the words.</summary>
    [JsonPropertyName("words")]
    public IReadOnlyList<string> Words { get; init; } = [];

    /// <summary>Gets each word's start, in milliseconds.</summary>
    [JsonPropertyName("word_start_times_milliseconds")]
    public IReadOnlyList<double> WordStartTimesMilliseconds { get; init; } = [];

    /// <summary>Gets each word's end, in milliseconds.</summary>
    [JsonPropertyName("word_end_times_milliseconds")]
    public IReadOnlyList<double> WordEndTimesMilliseconds { get; init; } = [];
}

/// <summary>The 200 body of <c>/text_to_speech/with_timestamps</c>.</summary>
public sealed record TimestampsResponse
{
    /// <summary>Gets the audio, base64, in the requested output format.</summary>
    [JsonPropertyName("audio_base64")]
    public required string AudioBase64 { get; init; }

    /// <summary>Gets the word alignment.</summary>
    [JsonPropertyName("alignment")]
    public required WordAlignment Alignment { get; init; }
}

/// <summary>The JSON body of <c>POST /voices</c> (list and search). Every field is optional.</summary>
public sealed record ListVoicesRequest
{
    /// <summary>Gets the page size (1–100; the service defaults to 10).</summary>
    [JsonPropertyName("limit")]
    public int? Limit { get; init; }

    /// <summary>Gets the model filter.</summary>
    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }

    /// <summary>Gets the language filter (ISO 639-1).</summary>
    [JsonPropertyName("language")]
    public string? Language { get; init; }

    /// <summary>Gets the accent filter.</summary>
    [JsonPropertyName("accent")]
    public string? Accent { get; init; }

    /// <summary>Gets the style filter.</summary>
    [JsonPropertyName("style")]
    public string? Style { get; init; }

    /// <summary>Gets the gender filter: <c>Male</c>, <c>Female</c>, <c>Neutral</c> or <c>Unspecified</c>.</summary>
    [JsonPropertyName("gender")]
    public string? Gender { get; init; }

    /// <summary>Gets whether to list only the caller's own voices.</summary>
    [JsonPropertyName("my_voice")]
    public bool? MyVoice { get; init; }

    /// <summary>Gets the cursor: the <c>next_cursor</c> of the previous page.</summary>
    [JsonPropertyName("after")]
    public string? After { get; init; }
}

/// <summary>A voice as the Voices API describes it.</summary>
public sealed record Voice
{
    /// <summary>Gets the voice id (UUID).</summary>
    [JsonPropertyName("voice_id")]
    public required string VoiceId { get; init; }

    /// <summary>Gets the display name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Gets the description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Gets the languages, comma-separated ISO codes (e.g. <c>de,en</c>).</summary>
    [JsonPropertyName("language")]
    public string? Language { get; init; }

    /// <summary>Gets the gender.</summary>
    [JsonPropertyName("gender")]
    public string? Gender { get; init; }

    /// <summary>Gets the accent.</summary>
    [JsonPropertyName("accent")]
    public string? Accent { get; init; }

    /// <summary>Gets the styles, comma-separated.</summary>
    [JsonPropertyName("style")]
    public string? Style { get; init; }

    /// <summary>Gets the creation time as the service wrote it (formats vary).</summary>
    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; init; }

    /// <summary>Gets the update time as the service wrote it (formats vary).</summary>
    [JsonPropertyName("updated_at")]
    public string? UpdatedAt { get; init; }

    /// <summary>Gets the voice type: <c>PREDEFINED</c> or <c>CUSTOM</c>.</summary>
    [JsonPropertyName("voice_type")]
    public string? VoiceType { get; init; }
}

/// <summary>The 200 body of <c>POST /voices</c>.</summary>
public sealed record ListVoicesResponse
{
    /// <summary>Gets this page's voices.</summary>
    [JsonPropertyName("voices")]
    public IReadOnlyList<Voice> Voices { get; init; } = [];

    /// <summary>Gets the cursor for the next page, or null/empty on the last page.</summary>
    [JsonPropertyName("next_cursor")]
    public string? NextCursor { get; init; }
}

/// <summary>An HTTP error body in the documented FastAPI shape: <c>{"detail": {error_code, message, extra}}</c>.</summary>
/// <remarks><c>detail</c> is an object in the documented shape and a string in the 500 example, hence <see cref="JsonElement"/>.</remarks>
public sealed record ErrorEnvelope
{
    /// <summary>Gets the wrapped error (an object or a string).</summary>
    [JsonPropertyName("detail")]
    public JsonElement? Detail { get; init; }

    /// <summary>Gets the flat error code, when the body is not wrapped.</summary>
    [JsonPropertyName("error_code")]
    public string? ErrorCode { get; init; }

    /// <summary>Gets the flat message, when the body is not wrapped (also the 500 body's message).</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Gets the flat extra object, when the body is not wrapped.</summary>
    [JsonPropertyName("extra")]
    public JsonElement? Extra { get; init; }

    /// <summary>Gets the flat request id, when the body is not wrapped and the service sent one.</summary>
    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }

    /// <summary>Gets the HTTP method the service echoes in its 500 body.</summary>
    [JsonPropertyName("method")]
    public string? Method { get; init; }

    /// <summary>Gets the URL the service echoes in its 500 body.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>Gets <c>detail</c> when it is a string (the 500 body's <c>"Error: Traceback #42"</c>), otherwise null.</summary>
    [JsonIgnore]
    public string? DetailText => Detail is { ValueKind: JsonValueKind.String } detail ? detail.GetString() : null;

    /// <summary>
    /// Gets the error from whichever shape the body has: the <c>detail</c> object, the flat fields, or the 500 body
    /// (its message, with the <c>detail</c> string appended in parentheses).
    /// </summary>
    /// <returns>The error, or null when the body carries neither an error code nor a message.</returns>
    public ErrorMessage? ToErrorMessage()
    {
        if (Detail is { ValueKind: JsonValueKind.Object } detailObject)
        {
            try
            {
                var wrapped = detailObject.Deserialize(AsyncAIJsonContext.Default.ErrorMessage);
                if (wrapped is not null && (wrapped.ErrorCode is not null || wrapped.Message is not null))
                {
                    return wrapped;
                }
            }
            catch (JsonException)
            {
                // A detail object of an unexpected shape: fall back to the flat fields below.
            }
        }

        var detailText = DetailText;
        var message = (Message, detailText) switch
        {
            (null, null) => null,
            (null, _) => detailText,
            (_, null) => Message,
            _ => $"{Message} ({detailText})",
        };

        return ErrorCode is null && message is null
            ? null
            : new ErrorMessage { ErrorCode = ErrorCode, Message = message, Extra = Extra, RequestId = RequestId };
    }
}

/// <summary>The JSON body of <c>POST /voices/batch</c>.</summary>
public sealed record VoiceBatchRequest
{
    /// <summary>Gets the ids of the voices to fetch.</summary>
    [JsonPropertyName("voice_ids")]
    public IReadOnlyList<string> VoiceIds { get; init; } = [];
}

/// <summary>The JSON body of <c>PUT /voices/{id}</c>; only the fields set are changed.</summary>
public sealed record UpdateVoiceRequest
{
    /// <summary>Gets the new display name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Gets the new description.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Gets the new gender: <c>Male</c>, <c>Female</c>, <c>Neutral</c> or <c>Unspecified</c>.</summary>
    [JsonPropertyName("gender")]
    public string? Gender { get; init; }

    /// <summary>Gets the new style.</summary>
    [JsonPropertyName("style")]
    public string? Style { get; init; }

    /// <summary>Gets the new accent.</summary>
    [JsonPropertyName("accent")]
    public string? Accent { get; init; }
}

/// <summary>The 200 body of <c>GET /voices/preview/{id}</c>.</summary>
public sealed record VoicePreviewResponse
{
    /// <summary>Gets the signed URL of the preview audio.</summary>
    [JsonPropertyName("signed_url")]
    public string? SignedUrl { get; init; }
}

/// <summary>The body of <c>GET /</c>.</summary>
public sealed record StatusResponse
{
    /// <summary>Gets the status, <c>ok</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>Gets the API version, <c>v1</c>.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }
}
