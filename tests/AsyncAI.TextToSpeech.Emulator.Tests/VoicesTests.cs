using System.Net;
using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator.Tests;

public sealed class VoicesTests
{
    private static async Task<JsonElement> ListAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/voices", Http.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task List_Default_ReturnsTenWithCursor()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var page = await ListAsync(client, "{}");

        var voices = page.GetProperty("voices").EnumerateArray().ToList();
        Assert.Equal(10, voices.Count);
        Assert.Equal(VoiceCatalogue.DefaultVoiceId, voices[0].GetProperty("voice_id").GetString());
        Assert.Equal(voices[^1].GetProperty("voice_id").GetString(), page.GetProperty("next_cursor").GetString());
        foreach (var field in new[] { "voice_id", "name", "description", "language", "gender", "accent", "style", "created_at", "updated_at", "voice_type" })
        {
            Assert.Equal(JsonValueKind.String, voices[0].GetProperty(field).ValueKind);
        }
    }

    [Fact]
    public async Task List_EmptyBody_IsAccepted()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/voices", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task List_PagingWithCursor_VisitsEveryVoiceOnce_LastPageCursorIsNull()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = cursor is null ? """{"limit":7}""" : $$"""{"limit":7,"after":"{{cursor}}"}""";
            var page = await ListAsync(client, body);
            seen.AddRange(page.GetProperty("voices").EnumerateArray().Select(v => v.GetProperty("voice_id").GetString()!));
            var next = page.GetProperty("next_cursor");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.True(VoiceCatalogue.Voices.Count >= 25);
        Assert.Equal(VoiceCatalogue.Voices.Select(v => v.VoiceId), seen);
        Assert.Equal((VoiceCatalogue.Voices.Count + 6) / 7, pages);
    }

    [Fact]
    public async Task List_ExactlyFullLastPage_HasNullCursor()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var page = await ListAsync(client, $$"""{"limit":{{VoiceCatalogue.Voices.Count}}}""");

        Assert.Equal(VoiceCatalogue.Voices.Count, page.GetProperty("voices").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("language", "de")]
    [InlineData("language", "nl")]
    [InlineData("gender", "Female")]
    [InlineData("accent", "American")]
    [InlineData("style", "narration")]
    public async Task List_Filter_ReturnsOnlyMatchingVoices(string field, string value)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var page = await ListAsync(client, $$"""{"limit":100,"{{field}}":"{{value}}"}""");

        var voices = page.GetProperty("voices").EnumerateArray().ToList();
        Assert.NotEmpty(voices);
        Assert.All(voices, v => Assert.Contains(value, v.GetProperty(field).GetString()!.Split(',')));
        var expected = VoiceCatalogue.Voices.Count(v => (field switch
        {
            "language" => v.Language,
            "gender" => v.Gender,
            "accent" => v.Accent,
            _ => v.Style,
        })!.Split(',').Contains(value));
        Assert.Equal(expected, voices.Count);
    }

    [Fact]
    public async Task List_ModelFilterAndMyVoice_Work()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var byModel = await ListAsync(client, """{"limit":100,"model_id":"async_flash_v1.0"}""");
        var mine = await ListAsync(client, """{"my_voice":true}""");

        Assert.Equal(VoiceCatalogue.Voices.Count, byModel.GetProperty("voices").GetArrayLength());
        Assert.Equal(0, mine.GetProperty("voices").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"limit":0}""", "VALIDATION_ERROR")]
    [InlineData("""{"limit":101}""", "VALIDATION_ERROR")]
    [InlineData("""{"language":"xx"}""", "INVALID_LANGUAGE")]
    [InlineData("""{"gender":"robot"}""", "VALIDATION_ERROR")]
    [InlineData("""{"after":"not-a-voice"}""", "VALIDATION_ERROR")]
    [InlineData("""{"model_id":"nope"}""", "VALIDATION_ERROR")]
    public async Task List_InvalidBody_Returns400(string body, string errorCode)
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/voices", Http.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(errorCode, (await Http.ErrorDetailAsync(response)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Get_KnownVoice_ReturnsIt()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        var voice = JsonDocument.Parse(await client.GetStringAsync($"/voices/{VoiceCatalogue.DefaultVoiceId}")).RootElement;

        Assert.Equal(VoiceCatalogue.DefaultVoiceId, voice.GetProperty("voice_id").GetString());
        Assert.Equal("PREDEFINED", voice.GetProperty("voice_type").GetString());
    }

    [Fact]
    public async Task Get_UnknownVoice_Returns404VoiceNotFound()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.GetAsync("/voices/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("VOICE_NOT_FOUND", (await Http.ErrorDetailAsync(response)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Batch_ReturnsKnownVoicesOnly()
    {
        await using var emulator = await AsyncAIEmulator.StartAsync();
        using var client = Http.Client(emulator);

        using var response = await client.PostAsync("/voices/batch", Http.Json($$"""{"voice_ids":["{{VoiceCatalogue.DefaultVoiceId}}","nope"]}"""));
        var voices = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, voices.GetArrayLength());
    }
}
