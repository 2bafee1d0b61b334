using AsyncAI.TextToSpeech.Protocol;
using AsyncAI.TextToSpeech.WebSockets.Internal;

namespace AsyncAI.TextToSpeech.Tests.WebSockets;

public class ServerErrorsTests
{
    private const string Key = "sk_ws_code_echo";

    private static string Redact(string text) => text.Replace(Key, "REDACTED", StringComparison.Ordinal);

    [Fact]
    public void ToException_KeyEchoedAsErrorCode_AppearsNowhere()
    {
        var error = new ErrorMessage { ErrorCode = Key, Message = "rejected " + Key };

        var exception = ServerErrors.ToException(error, Redact);

        Assert.DoesNotContain(Key, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, exception.ErrorCode ?? string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToException_KnownCode_KeepsCodeAndCategory()
    {
        var error = new ErrorMessage { ErrorCode = AsyncAIErrorCodes.InvalidApiKey, Message = "Invalid key." };

        var exception = ServerErrors.ToException(error, Redact);

        Assert.Equal(AsyncAIErrorCodes.InvalidApiKey, exception.ErrorCode);
        Assert.Equal(AsyncAIErrorCategory.Authentication, exception.Category);
        Assert.Contains("Invalid key.", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Invalid key.", "Invalid key. Check")]
    [InlineData("Invalid key", "Invalid key. Check")]
    [InlineData("Invalid key?", "Invalid key? Check")]
    public void ToException_MessageEndingOrNotInAPeriod_OneSentenceEnd(string serverMessage, string expected)
    {
        var error = new ErrorMessage { ErrorCode = AsyncAIErrorCodes.InvalidApiKey, Message = serverMessage };

        var exception = ServerErrors.ToException(error, Redact);

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("..", exception.Message, StringComparison.Ordinal);
    }
}
