using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.AspNetCore.Http;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>The Voices API over the built-in <see cref="VoiceCatalogue"/>.</summary>
internal sealed partial class EmulatorServer
{
    /// <summary>The 16 language codes the voice filter accepts (D-OAS: the TTS 15 plus nl).</summary>
    private static readonly HashSet<string> VoiceLanguages = new(SpeechRequest.TtsLanguages, StringComparer.Ordinal) { "nl" };

    private async Task ListVoicesAsync(HttpContext http)
    {
        using var body = await ReadJsonAsync(http, allowEmpty: true);
        if (body is null)
        {
            return;
        }

        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            await WriteErrorAsync(http, ApiError.Validation("The body must be a JSON object."));
            return;
        }

        var limit = 10;
        if (root.TryGetProperty("limit", out var l) && l.ValueKind != JsonValueKind.Null
            && (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out limit) || limit is < 1 or > 100))
        {
            await WriteErrorAsync(http, ApiError.Validation("'limit' must be an integer from 1 to 100.", "limit"));
            return;
        }

        string? Text(string name, out ApiError? error)
        {
            error = null;
            if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.String)
            {
                error = ApiError.Validation($"'{name}' must be a string.", name);
                return null;
            }

            return e.GetString();
        }

        var language = Text("language", out var err) ;
        var gender = err is null ? Text("gender", out err) : null;
        var accent = err is null ? Text("accent", out err) : null;
        var style = err is null ? Text("style", out err) : null;
        var modelId = err is null ? Text("model_id", out err) : null;
        var after = err is null ? Text("after", out err) : null;
        if (err is null && language is not null && !VoiceLanguages.Contains(language))
        {
            err = ApiError.InvalidLanguage(language);
        }

        if (err is null && gender is not null && gender is not ("Male" or "Female" or "Neutral" or "Unspecified"))
        {
            err = ApiError.Validation("'gender' must be Male, Female, Neutral or Unspecified.", "gender");
        }

        if (err is null && modelId is not null && modelId is not (AsyncAIModels.FlashV10 or AsyncAIModels.FlashV15 or AsyncAIModels.ProV10))
        {
            err = ApiError.Validation($"Unknown model_id '{modelId}'.", "model_id");
        }

        var start = 0;
        if (err is null && !string.IsNullOrEmpty(after))
        {
            var index = VoiceCatalogue.IndexOf(after);
            if (index < 0)
            {
                err = ApiError.Validation($"Unknown cursor '{after}': pass the next_cursor of the previous page.", "after");
            }

            start = index + 1;
        }

        if (err is not null)
        {
            await WriteErrorAsync(http, err);
            return;
        }

        var myVoice = root.TryGetProperty("my_voice", out var mv) && mv.ValueKind == JsonValueKind.True;
        var page = new List<Voice>(limit);
        string? nextCursor = null;
        var voices = VoiceCatalogue.Voices;
        for (var i = start; i < voices.Count && !myVoice; i++)
        {
            var v = voices[i];
            if ((language is null || ContainsItem(v.Language, language))
                && (gender is null || string.Equals(v.Gender, gender, StringComparison.OrdinalIgnoreCase))
                && (accent is null || string.Equals(v.Accent, accent, StringComparison.OrdinalIgnoreCase))
                && (style is null || ContainsItem(v.Style, style)))
            {
                if (page.Count == limit)
                {
                    nextCursor = page[^1].VoiceId; // there is at least one more match
                    break;
                }

                page.Add(v);
            }
        }

        using var output = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("voices");
            JsonSerializer.Serialize(writer, (IReadOnlyList<Voice>)page, AsyncAIJsonContext.Default.IReadOnlyListVoice);
            if (nextCursor is null)
            {
                writer.WriteNull("next_cursor");
            }
            else
            {
                writer.WriteString("next_cursor", nextCursor);
            }

            writer.WriteEndObject();
        }

        await WriteJsonAsync(http, 200, output.WrittenSpan.ToArray());
    }

    private async Task BatchVoicesAsync(HttpContext http)
    {
        using var body = await ReadJsonAsync(http);
        if (body is null)
        {
            return;
        }

        if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("voice_ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            await WriteErrorAsync(http, ApiError.Validation("'voice_ids' is required: an array of voice ids.", "voice_ids"));
            return;
        }

        var found = new List<Voice>();
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind == JsonValueKind.String && VoiceCatalogue.Find(id.GetString()) is { } voice)
            {
                found.Add(voice);
            }
        }

        await WriteJsonAsync(http, 200, JsonSerializer.SerializeToUtf8Bytes((IReadOnlyList<Voice>)found, AsyncAIJsonContext.Default.IReadOnlyListVoice));
    }

    private static async Task GetVoiceAsync(HttpContext http, string voiceId)
    {
        if (VoiceCatalogue.Find(voiceId) is not { } voice)
        {
            await WriteErrorAsync(http, ApiError.VoiceNotFound(voiceId));
            return;
        }

        await WriteJsonAsync(http, 200, JsonSerializer.SerializeToUtf8Bytes(voice, AsyncAIJsonContext.Default.Voice));
    }

    private static bool ContainsItem(string? commaSeparated, string item)
    {
        if (commaSeparated is null)
        {
            return false;
        }

        foreach (var range in commaSeparated.AsSpan().Split(','))
        {
            if (commaSeparated.AsSpan(range).Trim().Equals(item, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
