using System.Buffers;
using System.Net.WebSockets;
using AsyncAI.TextToSpeech.Emulator;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Tests.Protocol;

/// <summary>
/// The writer and the reader against the emulator's real bytes over a raw <see cref="ClientWebSocket"/>:
/// what ClientMessageWriter writes is understood, and what the emulator sends (including its faults) is read.
/// </summary>
public class EmulatorInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<ClientWebSocket> ConnectAsync(AsyncAIEmulator emulator, string? faults, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        var query = "?api_key=sk_test&version=v1" + (faults is null ? "" : "&emulator_fault=" + faults);
        await socket.ConnectAsync(new Uri(emulator.WebSocketUrl + query), cancellationToken);

        var buffer = new ArrayBufferWriter<byte>();
        ClientMessageWriter.WriteInit(buffer, new InitializeConnectionMessage
        {
            ModelId = AsyncAIModels.FlashV10,
            Voice = new VoiceSpecifier("e0f39dc4-f691-4e78-bba5-5c636692cc04"),
            OutputFormat = new OutputFormat { SampleRate = 24000, Encoding = AudioEncodings.PcmS16Le },
        });
        await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
        return socket;
    }

    private static async Task SendAsync(ClientWebSocket socket, Action<ArrayBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
    }

    private static async Task<int> ReceiveAsync(ClientWebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            count += result.Count;
        }
        while (!result.EndOfMessage);
        return count;
    }

    [Fact]
    public async Task WriterAndReader_AgainstEmulator_ReceiveAllAudioThenFinal()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var cts = new CancellationTokenSource(Timeout);
        using var socket = await ConnectAsync(emulator, faults: null, cts.Token);
        const string transcript = "Hello from the protocol tests. ";

        await SendAsync(socket, b => ClientMessageWriter.WriteText(b, "ctx-a", transcript, force: true), cts.Token);
        await SendAsync(socket, b => ClientMessageWriter.WriteCloseContext(b, "ctx-a"), cts.Token);

        var message = new byte[1 << 20];
        var audio = new byte[ServerMessageReader.GetMaxAudioByteCount(message.Length)];
        long total = 0;
        var chunks = 0;
        while (true)
        {
            var count = await ReceiveAsync(socket, message, cts.Token);
            var (isFinal, bytes, contextId) = Read(message.AsSpan(0, count), audio);
            Assert.Equal("ctx-a", contextId);
            total += bytes;
            chunks += bytes > 0 ? 1 : 0;
            if (isFinal)
            {
                break;
            }
        }

        Assert.Equal(EmulatorAudio.ExpectedByteCount(transcript, 24000, AudioEncodings.PcmS16Le, emulator.Options.SecondsPerCharacter), total);
        Assert.Equal(emulator.Journal.AudioBytesSent("ctx-a"), total);
        Assert.True(chunks > 1);

        static (bool IsFinal, int Bytes, string? ContextId) Read(ReadOnlySpan<byte> json, Span<byte> audio)
        {
            var message = ServerMessageReader.Read(json, audio);
            Assert.Equal(ServerMessageKind.Audio, message.Kind);
            return (message.IsFinal, message.AudioByteCount, message.GetContextId());
        }
    }

    [Theory]
    [InlineData("malformed-json", ProtocolErrorCodes.MalformedJson)]
    [InlineData("invalid-base64", ProtocolErrorCodes.InvalidBase64)]
    public async Task Reader_EmulatorFault_GivesTypedProtocolError(string fault, string expectedCode)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var cts = new CancellationTokenSource(Timeout);
        using var socket = await ConnectAsync(emulator, fault, cts.Token);

        await SendAsync(socket, b => ClientMessageWriter.WriteText(b, "ctx-f", "Broken audio please. ", force: true), cts.Token);
        await SendAsync(socket, b => ClientMessageWriter.WriteCloseContext(b, "ctx-f"), cts.Token);

        var message = new byte[1 << 20];
        var audio = new byte[ServerMessageReader.GetMaxAudioByteCount(message.Length)];
        var count = await ReceiveAsync(socket, message, cts.Token);

        // The fault applies to the first audio message of the connection.
        var ex = Assert.Throws<AsyncAIException>(() => { ServerMessageReader.Read(message.AsSpan(0, count), audio); });
        Assert.Equal(AsyncAIErrorCategory.Protocol, ex.Category);
        Assert.Equal(expectedCode, ex.ErrorCode);

        // The next message is normal again.
        count = await ReceiveAsync(socket, message, cts.Token);
        Assert.Equal(ServerMessageKind.Audio, KindOf(message.AsSpan(0, count), audio));

        static ServerMessageKind KindOf(ReadOnlySpan<byte> json, Span<byte> audio) => ServerMessageReader.Read(json, audio).Kind;
    }
}
