using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Tests.Protocol;

public class JsonContextTests
{
    [Fact]
    public void CloseContext_SerializesAsDocumented()
    {
        var json = JsonSerializer.Serialize(new CloseContextMessage { ContextId = "c1" }, AsyncAIJsonContext.Default.CloseContextMessage);
        Assert.Equal("""{"context_id":"c1","close_context":true,"transcript":""}""", json);
    }
}
