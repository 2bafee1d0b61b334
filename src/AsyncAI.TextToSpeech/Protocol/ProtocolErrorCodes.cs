namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>
/// The <see cref="AsyncAIException.ErrorCode"/> values of <see cref="AsyncAIErrorCategory.Protocol"/> errors: the
/// library's own codes for a server message that breaks the protocol (the service's codes are in
/// <see cref="AsyncAIErrorCodes"/>).
/// </summary>
public static class ProtocolErrorCodes
{
    /// <summary>The message is not valid JSON, not a JSON object, or a known field has the wrong JSON type.</summary>
    public const string MalformedJson = "MALFORMED_JSON";

    /// <summary>A field the message needs is absent (no <c>audio</c> on a non-final message; no audio, final or error field at all).</summary>
    public const string MissingField = "MISSING_FIELD";

    /// <summary>The <c>audio</c> value is not valid base64 (bad character, bad length or bad <c>=</c> padding).</summary>
    public const string InvalidBase64 = "INVALID_BASE64";

    /// <summary>The message is larger than the configured maximum.</summary>
    public const string MessageTooLarge = "MESSAGE_TOO_LARGE";

    /// <summary>The caller's audio destination cannot hold the decoded audio.</summary>
    public const string DestinationTooSmall = "DESTINATION_TOO_SMALL";

    /// <summary>
    /// An audio chunk ends inside a sample (an odd number of bytes of 16-bit PCM). Reported, not fatal: the partial
    /// sample is held back and joined to the context's next chunk, so the audio delivered stays sample-aligned.
    /// </summary>
    public const string OddLengthAudio = "ODD_LENGTH_AUDIO";
}
