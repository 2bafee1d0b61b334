using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>An error the emulator reports: as an HTTP status with a <c>{"detail":{…}}</c> body, or as a WebSocket error message.</summary>
internal sealed record ApiError(int StatusCode, string ErrorCode, string Message, IReadOnlyList<KeyValuePair<string, object?>>? Extra = null)
{
    public static ApiError Validation(string message, string? field = null) =>
        new(400, AsyncAIErrorCodes.ValidationError, message, field is null ? null : [new("field", field)]);

    public static ApiError InvalidApiKey(string? key) =>
        new(401, AsyncAIErrorCodes.InvalidApiKey, "Invalid or expired API key.", [new("api_key", Redact(key))]);

    public static ApiError VoiceNotFound(string voiceId) =>
        new(404, AsyncAIErrorCodes.VoiceNotFound, $"Requested voice with ID {voiceId} not found.", [new("voice_id", voiceId)]);

    public static ApiError VersionNotFound(string version) =>
        new(404, AsyncAIErrorCodes.VersionNotFound, $"API version {version} not found.");

    public static ApiError InvalidLanguage(string language, string? model = null) =>
        new(400, AsyncAIErrorCodes.InvalidLanguage, model is null
            ? $"Language code '{language}' is not supported."
            : $"Language code '{language}' is not supported by model {model}.");

    /// <summary>Writes the WebSocket error message: <c>{"error_code","message","request_id","extra"[,"context_id"]}</c>.</summary>
    public byte[] ToWebSocketMessage(string requestId, string? contextId)
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error_code", ErrorCode);
            writer.WriteString("message", Message);
            writer.WriteString("request_id", requestId);
            WriteExtra(writer);
            if (contextId is not null)
            {
                writer.WriteString("context_id", contextId);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the HTTP body <c>{"detail":{"error_code","message","extra"}}</c>.</summary>
    public byte[] ToHttpBody()
    {
        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("detail");
            writer.WriteString("error_code", ErrorCode);
            writer.WriteString("message", Message);
            WriteExtra(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteExtra(Utf8JsonWriter writer)
    {
        if (Extra is null)
        {
            writer.WriteNull("extra");
            return;
        }

        writer.WriteStartObject("extra");
        foreach (var (name, value) in Extra)
        {
            switch (value)
            {
                case null: writer.WriteNull(name); break;
                case int i: writer.WriteNumber(name, i); break;
                case long l: writer.WriteNumber(name, l); break;
                case bool b: writer.WriteBoolean(name, b); break;
                default: writer.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }

        writer.WriteEndObject();
    }

    // The docs' example shows a key prefix ("sk_33..."); never echo a whole key.
    private static string Redact(string? key) => string.IsNullOrEmpty(key) ? "" : key.Length <= 8 ? "..." : string.Concat(key.AsSpan(0, 5), "...");
}
