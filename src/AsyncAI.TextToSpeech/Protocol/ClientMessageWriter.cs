using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Protocol;

/// <summary>
/// Writes the client's WebSocket messages as UTF-8 JSON into an <see cref="IBufferWriter{T}"/> without allocating:
/// one <see cref="Utf8JsonWriter"/> per thread is reused.
/// </summary>
/// <remarks>
/// <para>
/// The text is escaped for JSON only, not for HTML (<see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>):
/// the messages go to a JSON API and are never embedded in a web page, and this keeps non-ASCII transcripts
/// (Japanese, Hindi, Armenian…) as plain UTF-8 instead of six-byte <c>\uXXXX</c> escapes. Quotes, backslashes and
/// control characters are still escaped.
/// </para>
/// <para>
/// Each method writes exactly one message and nothing else, so the written bytes can be sent as one WebSocket text
/// message. A lone surrogate in a transcript (text split between the two halves of a surrogate pair) is written as
/// U+FFFD, as <see cref="Utf8JsonWriter"/> does, so the message is always valid JSON and valid UTF-8; callers that
/// split text should split between code points.
/// </para>
/// </remarks>
public static class ClientMessageWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// Writes a text message (<c>sendText</c>): <c>{"transcript":…,"context_id":…,"force":…}</c>.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="contextId">The context, or null for the default context (the key is then omitted).</param>
    /// <param name="transcript">The text. Whitespace-only text flushes; <c>""</c> ends the context's input.</param>
    /// <param name="force">Whether the server should synthesize now even if its buffer is small (Pipecat and LiveKit always send true).</param>
    public static void WriteText(IBufferWriter<byte> destination, string? contextId, ReadOnlySpan<char> transcript, bool force)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = Rent(destination);
        writer.WriteStartObject();
        writer.WriteString("transcript"u8, transcript);
        if (contextId is not null)
        {
            writer.WriteString("context_id"u8, contextId);
        }

        writer.WriteBoolean("force"u8, force);
        writer.WriteEndObject();
        Return(writer);
    }

    /// <summary>
    /// Writes a keepalive (undocumented; what Pipecat sends every 10 s): <c>{"transcript":" ","context_id":…}</c>.
    /// A single space produces no audio and resets the service's 60 s idle timeout.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="contextId">The active context, or null when none is active (the key is then omitted).</param>
    public static void WriteKeepalive(IBufferWriter<byte> destination, string? contextId)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = Rent(destination);
        writer.WriteStartObject();
        writer.WriteString("transcript"u8, " "u8);
        if (contextId is not null)
        {
            writer.WriteString("context_id"u8, contextId);
        }

        writer.WriteEndObject();
        Return(writer);
    }

    /// <summary>
    /// Writes a flush (there is no dedicated message; Pipecat sends this): <c>{"transcript":" ","context_id":…,"force":true}</c>.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="contextId">The context, or null for the default context.</param>
    public static void WriteFlush(IBufferWriter<byte> destination, string? contextId) =>
        WriteText(destination, contextId, " ", force: true);

    /// <summary>
    /// Writes an end of input without closing (what LiveKit sends): <c>{"transcript":"","context_id":…}</c>.
    /// The service then finishes the context's audio and sends <c>final</c>.
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="contextId">The context, or null for the default context.</param>
    public static void WriteEndOfInput(IBufferWriter<byte> destination, string? contextId)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = Rent(destination);
        writer.WriteStartObject();
        writer.WriteString("transcript"u8, ""u8);
        if (contextId is not null)
        {
            writer.WriteString("context_id"u8, contextId);
        }

        writer.WriteEndObject();
        Return(writer);
    }

    /// <summary>
    /// Writes <c>closeContext</c>: <c>{"context_id":…,"close_context":true,"transcript":""}</c> (the same bytes as
    /// serializing <see cref="CloseContextMessage"/>).
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="contextId">The context to close.</param>
    public static void WriteCloseContext(IBufferWriter<byte> destination, string contextId)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(contextId);
        var writer = Rent(destination);
        writer.WriteStartObject();
        writer.WriteString("context_id"u8, contextId);
        writer.WriteBoolean("close_context"u8, true);
        writer.WriteString("transcript"u8, ""u8);
        writer.WriteEndObject();
        Return(writer);
    }

    /// <summary>Writes <c>closeConnection</c> in its <c>{"terminate":true}</c> form.</summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    public static void WriteTerminate(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = Rent(destination);
        writer.WriteStartObject();
        writer.WriteBoolean("terminate"u8, true);
        writer.WriteEndObject();
        Return(writer);
    }

    /// <summary>
    /// Writes <c>initializeConnection</c> through the source-generated <see cref="AsyncAIJsonContext"/> (null
    /// members omitted, so an unset <c>language</c> is left out as LiveKit does).
    /// </summary>
    /// <param name="destination">Where the UTF-8 JSON is written.</param>
    /// <param name="message">The init message.</param>
    public static void WriteInit(IBufferWriter<byte> destination, InitializeConnectionMessage message)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(message);
        var writer = Rent(destination);
        JsonSerializer.Serialize(writer, message, AsyncAIJsonContext.Default.InitializeConnectionMessage);
        Return(writer);
    }

    private static Utf8JsonWriter Rent(IBufferWriter<byte> destination)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(destination, WriterOptions);
            t_writer = writer;
        }
        else
        {
            // Also clears whatever an earlier call left behind if it threw half-way.
            writer.Reset(destination);
        }

        return writer;
    }

    private static void Return(Utf8JsonWriter writer)
    {
        writer.Flush();

        // Drop the reference to the caller's buffer so the thread-static writer does not keep it alive.
        writer.Reset(DetachedBufferWriter.Instance);
    }

    /// <summary>A placeholder output for the idle writer; nothing is ever written to it.</summary>
    private sealed class DetachedBufferWriter : IBufferWriter<byte>
    {
        public static readonly DetachedBufferWriter Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("The idle JSON writer must not be written to.");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("The idle JSON writer must not be written to.");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("The idle JSON writer must not be written to.");
    }
}
