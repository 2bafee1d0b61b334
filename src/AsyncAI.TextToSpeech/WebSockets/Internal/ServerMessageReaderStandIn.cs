// TEMPORARY stand-in for the protocol helper's ServerMessageReader (contract in HELPERS.md).
// Delete this file once the protocol branch lands on main.
using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Protocol;

internal enum ServerMessageKind
{
    Audio = 0,
    Error = 1,
}

internal readonly ref struct ServerMessage
{
    internal ServerMessage(ServerMessageKind kind, ReadOnlySpan<byte> contextId, bool hasContextId, int audioByteCount, bool isFinal, ErrorMessage? error)
    {
        Kind = kind;
        ContextIdUtf8 = contextId;
        HasContextId = hasContextId;
        AudioByteCount = audioByteCount;
        IsFinal = isFinal;
        Error = error;
    }

    public ServerMessageKind Kind { get; }

    public ReadOnlySpan<byte> ContextIdUtf8 { get; }

    public bool HasContextId { get; }

    public int AudioByteCount { get; }

    public bool IsFinal { get; }

    public ErrorMessage? Error { get; }

    public string? GetContextId() => HasContextId ? Encoding.UTF8.GetString(ContextIdUtf8) : null;
}

internal static class ServerMessageReader
{
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    public static int GetMaxAudioByteCount(int messageByteCount) => Base64.GetMaxDecodedFromUtf8Length(messageByteCount) + 4;

    public static ServerMessage Read(ReadOnlySpan<byte> utf8Json, Span<byte> audioDestination, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        if (utf8Json.Length > maxMessageBytes)
        {
            throw Fail("MESSAGE_TOO_LARGE", "The server message is larger than the limit.");
        }

        ReadOnlySpan<byte> contextId = default;
        bool hasContextId = false, hasAudio = false, isFinal = false, isError = false;
        int audioBytes = 0;
        string? errorCode = null, message = null, requestId = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Fail("MALFORMED_JSON", "The server message is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("context_id"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        hasContextId = true;
                        contextId = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                    }
                }
                else if (reader.ValueTextEquals("audio"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        hasAudio = true;
                        var encoded = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
                        var status = Base64.DecodeFromUtf8(encoded, audioDestination, out _, out audioBytes);
                        if (status == OperationStatus.DestinationTooSmall)
                        {
                            throw Fail("DESTINATION_TOO_SMALL", "The audio destination is too small.");
                        }

                        if (status != OperationStatus.Done)
                        {
                            throw Fail("INVALID_BASE64", "The audio field is not valid base64.");
                        }
                    }
                }
                else if (reader.ValueTextEquals("final"u8))
                {
                    reader.Read();
                    isFinal = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("error_code"u8))
                {
                    reader.Read();
                    isError = true;
                    errorCode = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("request_id"u8))
                {
                    reader.Read();
                    requestId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Fail("MALFORMED_JSON", "The server message is not a single JSON object.");
            }
        }
        catch (JsonException ex)
        {
            throw new AsyncAIException("The server message is not valid JSON: " + ex.Message, AsyncAIErrorCategory.Protocol, "MALFORMED_JSON", innerException: ex);
        }

        if (isError)
        {
            var error = new ErrorMessage { ErrorCode = errorCode, Message = message, RequestId = requestId, ContextId = hasContextId ? Encoding.UTF8.GetString(contextId) : null };
            return new ServerMessage(ServerMessageKind.Error, contextId, hasContextId, 0, false, error);
        }

        if (!hasAudio && !isFinal)
        {
            throw Fail("MISSING_FIELD", "The server message has neither audio nor error_code.");
        }

        return new ServerMessage(ServerMessageKind.Audio, contextId, hasContextId, audioBytes, isFinal, null);
    }

    private static AsyncAIException Fail(string code, string message) => new(message, AsyncAIErrorCategory.Protocol, code);
}
