namespace AsyncAI.TextToSpeech.AI;

/// <summary>
/// Keys the Async <c>ITextToSpeechClient</c> reads from <c>TextToSpeechOptions.AdditionalProperties</c> and writes to
/// <c>UsageDetails.AdditionalCounts</c>, for settings that have no typed home in Microsoft.Extensions.AI.
/// </summary>
/// <remarks>
/// Values may be any number type (or a string holding a number). For every setting, an
/// <see cref="Http.AsyncAIHttpRequestOptions"/> returned by <c>RawRepresentationFactory</c> takes precedence.
/// </remarks>
public static class AsyncAITextToSpeechPropertyNames
{
    /// <summary>
    /// <c>stability</c>: the voice stability, an integer 0–100 (<c>stability</c> in the request body; only
    /// <c>async_flash_v1.0</c> honours it).
    /// </summary>
    public const string Stability = "stability";

    /// <summary><c>sample_rate</c>: the output sample rate in Hz, 8000–48000 (the client's default otherwise, normally 24000).</summary>
    public const string SampleRate = "sample_rate";

    /// <summary>
    /// <c>bit_rate</c>: the mp3 bit rate in bit/s, 32000–320000 (<c>output_format.bit_rate</c>; the client's
    /// <c>BitRate</c> otherwise, or the service default 192000). Sent only when the container is mp3 and ignored for
    /// other containers, but always range-checked. The WebSocket adapter, which is raw only, checks it and ignores it.
    /// </summary>
    public const string BitRate = "bit_rate";

    /// <summary>
    /// <c>InputCharacterCount</c>: the key in <c>UsageDetails.AdditionalCounts</c> holding the number of characters
    /// (UTF-16 code units) of the text sent, the unit Async bills by.
    /// </summary>
    public const string InputCharacterCount = "InputCharacterCount";
}
