using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>The emulator's built-in voices (all <c>PREDEFINED</c>), in listing order. The documented example voice comes first.</summary>
public static class VoiceCatalogue
{
    /// <summary>The voice the Async docs use in every example.</summary>
    public const string DefaultVoiceId = "e0f39dc4-f691-4e78-bba5-5c636692cc04";

    private static readonly Dictionary<string, Voice> ById;

    static VoiceCatalogue()
    {
        Voices =
        [
            Make(DefaultVoiceId, "Sam", "Warm, clear narrator (the documented example voice).", "en", "Male", "American", "narration,conversational"),
            Make("cab5c9a4-a4ee-43ef-830c-99a4cd20b591", "Ava", "Friendly assistant voice.", "en", "Female", "American", "conversational,friendly"),
            Make("1adbacab-cbd2-4bc3-a89b-a4b6a0db2553", "Ben", "Calm British presenter.", "en", "Male", "British", "narration,calm"),
            Make("524ad049-ff30-4f78-bc2a-ce5506487eb6", "Clara", "Bright and upbeat.", "en,fr", "Female", "British", "conversational,energetic"),
            Make("672ba4c5-a43c-4e31-9253-9dbd40ed1827", "Dmitri", "Deep news reader.", "ru,en", "Male", "Russian", "news,narration"),
            Make("80f80ff9-3afe-4b6a-a64d-7134ccc39ae4", "Elena", "Soft storyteller.", "es,en", "Female", "Castilian", "storytelling,calm"),
            Make("e0b592e5-7dfa-4a69-bf0c-f4d6734eb1e9", "Farid", "Measured and formal.", "ar,en", "Male", "Gulf", "news,formal"),
            Make("6909a201-b376-4fb1-989a-de5c1304cb26", "Greta", "Crisp German voice.", "de,en", "Female", "German", "conversational,formal"),
            Make("1d4c840c-8bca-4c21-9f02-740723d4025c", "Hiro", "Polite customer service.", "ja,en", "Male", "Tokyo", "conversational,customer-service"),
            Make("3e969669-06d2-4797-b03c-998897cbb0e1", "Ines", "Lively Portuguese voice.", "pt,es", "Female", "European", "energetic,conversational"),
            Make("ef0417b3-e235-48ca-9221-abc0c8904e1a", "Jonas", "Relaxed Dutch voice.", "nl,de,en", "Male", "Dutch", "calm,conversational"),
            Make("b4ec3168-dd51-4f95-b3ff-2972dda034b5", "Keiko", "Gentle narrator.", "ja", "Female", "Tokyo", "narration,calm"),
            Make("77d24240-a168-48ea-8bf2-09dbfec8ccce", "Luca", "Expressive Italian voice.", "it,en", "Male", "Roman", "storytelling,energetic"),
            Make("837848fb-0b70-43d8-b3de-6063fbc7eab3", "Maya", "Clear Hindi and English.", "hi,en", "Female", "Indian", "conversational,news"),
            Make("9cb2290a-705f-49b5-beba-bd77adfd414a", "Noah", "Neutral explainer.", "en", "Neutral", "American", "educational,calm"),
            Make("23863a79-f796-483c-bb72-bf2acad38e34", "Olga", "Steady Romanian voice.", "ro,ru", "Female", "Romanian", "narration,formal"),
            Make("063b76a8-c2d2-4a4b-b31d-b70784c12964", "Pedro", "Warm Brazilian voice.", "pt,en", "Male", "Brazilian", "conversational,friendly"),
            Make("e237b131-f7a4-439f-9d91-5ab6066127e0", "Quinn", "Unassuming assistant.", "en,de,es,fr,it", "Unspecified", "American", "conversational"),
            Make("96c16ac4-1623-42ab-861e-a04410264991", "Rosa", "Mexican Spanish narrator.", "es", "Female", "Mexican", "narration,storytelling"),
            Make("1b1575df-6395-4f50-89f4-32ea9b55e153", "Sami", "Hebrew and English.", "he,en", "Male", "Israeli", "conversational,news"),
            Make("8fdfa3ec-dcad-4493-8e9b-569f6f57aebb", "Talia", "Turkish presenter.", "tr,en", "Female", "Istanbul", "news,energetic"),
            Make("864dac5f-7dda-4c99-a976-10f2ccdd5d21", "Umar", "Arabic storyteller.", "ar", "Male", "Levantine", "storytelling,calm"),
            Make("8631437a-f04e-4efc-b8ec-964300a0d827", "Vera", "Armenian and Russian.", "hy,ru", "Female", "Armenian", "formal,narration"),
            Make("a195a897-a494-4bb7-9000-49ea77a141e7", "Wen", "Mandarin assistant.", "zh,en", "Female", "Beijing", "conversational,customer-service"),
            Make("eb5ca505-e46e-4e1f-ab27-fa5db103eae4", "Ximena", "Energetic Spanish voice.", "es,pt", "Female", "Argentine", "energetic,advertising"),
            Make("a7a04722-f21d-453f-956f-b3fc671687f1", "Yusuf", "Turkish and Arabic.", "tr,ar", "Male", "Anatolian", "calm,narration"),
            Make("6459a0cd-3f88-4c76-a86e-471d85d17e3c", "Zoe", "French narrator.", "fr,en", "Female", "Parisian", "narration,storytelling"),
            Make("d9b952b5-a516-47fb-8e2e-a66e59fdf766", "Arman", "Armenian voice.", "hy", "Male", "Armenian", "conversational"),
            Make("90d6984b-662b-4012-bed1-6a6cd51b8d1b", "Lena", "German and Dutch.", "de,nl", "Neutral", "Austrian", "educational,formal"),
        ];
        ById = Voices.ToDictionary(v => v.VoiceId, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets every voice, in listing order.</summary>
    public static IReadOnlyList<Voice> Voices { get; }

    /// <summary>Finds a voice by id (case-insensitive).</summary>
    /// <param name="voiceId">The id.</param>
    /// <returns>The voice, or null.</returns>
    public static Voice? Find(string? voiceId) => voiceId is not null && ById.TryGetValue(voiceId, out var v) ? v : null;

    internal static int IndexOf(string voiceId)
    {
        for (var i = 0; i < Voices.Count; i++)
        {
            if (string.Equals(Voices[i].VoiceId, voiceId, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static Voice Make(string id, string name, string description, string language, string gender, string accent, string style) => new()
    {
        VoiceId = id,
        Name = name,
        Description = description,
        Language = language,
        Gender = gender,
        Accent = accent,
        Style = style,
        CreatedAt = "2025-03-30T11:15:32Z",
        UpdatedAt = "2025-05-19T14:37:07Z",
        VoiceType = "PREDEFINED",
    };
}
