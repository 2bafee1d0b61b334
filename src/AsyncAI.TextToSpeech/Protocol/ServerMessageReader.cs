using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>
/// Reads one server WebSocket message (audio, final or error) in a single <see cref="Utf8JsonReader"/> pass,
/// decoding the base64 <c>audio</c> value straight into the caller's buffer.
/// </summary>
/// <remarks>
/// <para>
/// The audio path allocates nothing: no string for the base64 text, no array for the decoded bytes, no object for
/// the message. Only the rare cases allocate: an error message (its <see cref="ErrorMessage"/>), a
/// <c>context_id</c> written with JSON escapes (a small array), and an <c>audio</c> value written with JSON
/// escapes such as <c>\/</c> (a pooled buffer, returned before the call ends).
/// </para>
/// <para>
/// The reader is liberal where the sources differ: <c>final</c> with or without <c>audio</c>, no
/// <c>context_id</c> (the old single-context protocol), unknown fields (skipped, nested values included),
/// <c>null</c> for an optional field. Every problem with the bytes themselves throws
/// <see cref="AsyncAIException"/> with <see cref="AsyncAIErrorCategory.Protocol"/> and one of the
/// <see cref="ProtocolErrorCodes"/>; no other exception type escapes for bad input.
/// </para>
/// </remarks>
public static class ServerMessageReader
{
    /// <summary>The default largest message accepted, in bytes (4 MiB: about 44 s of 24 kHz 16-bit audio).</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Gets a destination size that always suffices for the audio of a message of the given size: the decoded
    /// size of base64 text as long as the whole message.
    /// </summary>
    /// <param name="messageByteCount">The size of the UTF-8 JSON message (or the largest message accepted).</param>
    /// <returns>The destination size in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="messageByteCount"/> is negative.</exception>
    public static int GetMaxAudioByteCount(int messageByteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageByteCount);
        return Base64.GetMaxDecodedFromUtf8Length(messageByteCount);
    }

    /// <summary>Reads one server message.</summary>
    /// <param name="utf8Json">The whole text message as UTF-8 JSON.</param>
    /// <param name="audioDestination">
    /// Where the decoded audio is written (from index 0). <see cref="GetMaxAudioByteCount"/> of the message size
    /// always suffices.
    /// </param>
    /// <param name="maxMessageBytes">The largest message accepted, in bytes.</param>
    /// <returns>The message; its spans point into <paramref name="utf8Json"/> and <paramref name="audioDestination"/>.</returns>
    /// <exception cref="AsyncAIException">
    /// The message is not a valid server message. <see cref="AsyncAIException.Category"/> is
    /// <see cref="AsyncAIErrorCategory.Protocol"/> and <see cref="AsyncAIException.ErrorCode"/> is
    /// <see cref="ProtocolErrorCodes.MalformedJson"/>, <see cref="ProtocolErrorCodes.MissingField"/>,
    /// <see cref="ProtocolErrorCodes.InvalidBase64"/>, <see cref="ProtocolErrorCodes.MessageTooLarge"/> or
    /// <see cref="ProtocolErrorCodes.DestinationTooSmall"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageBytes"/> is not positive.</exception>
    public static ServerMessage Read(ReadOnlySpan<byte> utf8Json, Span<byte> audioDestination, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        if (utf8Json.Length > maxMessageBytes)
        {
            throw ProtocolError(
                ProtocolErrorCodes.MessageTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The server message is {utf8Json.Length} bytes, over the limit of {maxMessageBytes} bytes. Raise the maximum message size if the service legitimately sends larger messages."));
        }

        try
        {
            return ReadCore(utf8Json, audioDestination);
        }
        catch (JsonException ex)
        {
            throw ProtocolError(ProtocolErrorCodes.MalformedJson, $"The server message is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader/JsonSerializer report invalid UTF-8 inside strings this way.
            throw ProtocolError(ProtocolErrorCodes.MalformedJson, $"The server message is not valid JSON: {ex.Message}", ex);
        }
    }

    private static ServerMessage ReadCore(ReadOnlySpan<byte> utf8Json, Span<byte> audioDestination)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw ProtocolError(ProtocolErrorCodes.MalformedJson, "The server message is not a JSON object; expected {\"audio\":...,\"final\":...} or {\"error_code\":...,\"message\":...}.");
        }

        ReadOnlySpan<byte> contextId = default;
        var hasContextId = false;
        var hasAudio = false;
        var audioByteCount = 0;
        bool? final = null;
        var hasErrorCode = false;
        var hasErrorText = false;

        // A complete buffer: Read() either returns a token or throws JsonException, so the loop always ends.
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("audio"u8))
            {
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        audioByteCount = DecodeAudio(ref reader, audioDestination);
                        hasAudio = true;
                        break;
                    case JsonTokenType.Null:
                        hasAudio = false;
                        audioByteCount = 0;
                        break;
                    default:
                        throw WrongType("audio", "a base64 string", reader.TokenType);
                }
            }
            else if (reader.ValueTextEquals("context_id"u8))
            {
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        contextId = reader.ValueIsEscaped ? UnescapeToNewArray(ref reader) : reader.ValueSpan;
                        hasContextId = true;
                        break;
                    case JsonTokenType.Null:
                        contextId = default;
                        hasContextId = false;
                        break;
                    default:
                        throw WrongType("context_id", "a string", reader.TokenType);
                }
            }
            else if (reader.ValueTextEquals("final"u8))
            {
                reader.Read();
                final = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw WrongType("final", "true or false", reader.TokenType),
                };
            }
            else if (reader.ValueTextEquals("error_code"u8))
            {
                reader.Read();
                hasErrorCode = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                hasErrorText = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else
            {
                // Unknown field: skip its value, nested objects and arrays included.
                reader.Skip();
            }
        }

        // Reading past the end object makes the reader reject anything after it.
        reader.Read();

        if (hasErrorCode || (hasErrorText && !hasAudio && final is null))
        {
            var error = JsonSerializer.Deserialize(utf8Json, AsyncAIJsonContext.Default.ErrorMessage)
                ?? throw ProtocolError(ProtocolErrorCodes.MalformedJson, "The server error message deserialized to null.");
            return new ServerMessage(ServerMessageKind.Error, contextId, hasContextId, default, isFinal: false, error);
        }

        if (!hasAudio && final != true)
        {
            throw final is null
                ? ProtocolError(ProtocolErrorCodes.MissingField, "The server message has none of the fields 'audio', 'final' and 'error_code', so it is neither an audio, a final nor an error message.")
                : ProtocolError(ProtocolErrorCodes.MissingField, "The server message has \"final\": false but no 'audio' field; an audio message must carry 'audio'.");
        }

        return new ServerMessage(
            ServerMessageKind.Audio,
            contextId,
            hasContextId,
            audioDestination[..audioByteCount],
            isFinal: final == true,
            error: null);
    }

    private static int DecodeAudio(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (!reader.ValueIsEscaped)
        {
            return DecodeBase64(reader.ValueSpan, destination);
        }

        // Rare: a JSON encoder escaped '/' as "\/" or '+' as "\u002B". Unescaping never lengthens the text.
        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var length = reader.CopyString(rented);
            return DecodeBase64(rented.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int DecodeBase64(ReadOnlySpan<byte> base64, Span<byte> destination)
    {
        var status = Base64.DecodeFromUtf8(base64, destination, out var consumed, out var written, isFinalBlock: true);
        return status switch
        {
            OperationStatus.Done => written,
            OperationStatus.DestinationTooSmall => throw ProtocolError(
                ProtocolErrorCodes.DestinationTooSmall,
                string.Create(CultureInfo.InvariantCulture, $"The audio destination holds {destination.Length} bytes but the message's audio needs up to {Base64.GetMaxDecodedFromUtf8Length(base64.Length)}. Size it with ServerMessageReader.GetMaxAudioByteCount(messageByteCount).")),
            _ => throw ProtocolError(
                ProtocolErrorCodes.InvalidBase64,
                string.Create(CultureInfo.InvariantCulture, $"The 'audio' field of the server message is not valid base64: decoding stopped at character {consumed} of {base64.Length} (only A-Z a-z 0-9 + / are allowed, and the text must be padded with '=' to a multiple of 4).")),
        };
    }

    private static byte[] UnescapeToNewArray(ref Utf8JsonReader reader)
    {
        var buffer = new byte[reader.ValueSpan.Length];
        var length = reader.CopyString(buffer);
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    private static AsyncAIException WrongType(string field, string expected, JsonTokenType actual) =>
        ProtocolError(ProtocolErrorCodes.MalformedJson, $"The server message's '{field}' field must be {expected}, not a JSON {actual}.");

    private static AsyncAIException ProtocolError(string errorCode, string message, Exception? innerException = null) =>
        new(message, AsyncAIErrorCategory.Protocol, errorCode, innerException: innerException);
}
