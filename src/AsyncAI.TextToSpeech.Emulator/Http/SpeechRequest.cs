using System.Globalization;
using System.Text.Json;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>Which endpoint a TTS request arrived on; the allowed containers and encodings differ (D-OAS).</summary>
internal enum SpeechEndpoint
{
    Sync,
    Timestamps,
    Streaming,
    WebSocket,
}

/// <summary>A validated TTS request (HTTP body or WebSocket init).</summary>
internal sealed record SpeechRequest(string ModelId, string VoiceId, AudioFormat Format, string? Language, string Transcript)
{
    /// <summary>The 15 TTS language codes (D-OAS).</summary>
    public static readonly HashSet<string> TtsLanguages = new(StringComparer.Ordinal)
    {
        "en", "fr", "es", "de", "it", "pt", "ar", "ru", "ro", "ja", "he", "hy", "tr", "hi", "zh",
    };

    private static readonly HashSet<string> FlashV15Languages = new(StringComparer.Ordinal) { "en", "es", "fr", "de", "it", "pt" };

    /// <summary>Validates a TTS body or WebSocket init. Returns null and sets <paramref name="error"/> when invalid.</summary>
    public static SpeechRequest? Parse(JsonElement root, SpeechEndpoint endpoint, out ApiError? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = ApiError.Validation("The body must be a JSON object.");
            return null;
        }

        // model_id
        if (!TryGetString(root, "model_id", out var modelId, out error, required: true))
        {
            return null;
        }

        if (modelId is not (AsyncAIModels.FlashV10 or AsyncAIModels.FlashV15 or AsyncAIModels.ProV10))
        {
            error = ApiError.Validation(
                $"Unknown model_id '{modelId}'. Use one of {AsyncAIModels.FlashV10}, {AsyncAIModels.FlashV15}, {AsyncAIModels.ProV10}.", "model_id");
            return null;
        }

        // transcript (WebSocket init carries none)
        var transcript = "";
        if (endpoint != SpeechEndpoint.WebSocket && !TryGetString(root, "transcript", out transcript, out error, required: true))
        {
            return null;
        }

        // voice
        if (!root.TryGetProperty("voice", out var voice) || voice.ValueKind != JsonValueKind.Object)
        {
            error = ApiError.Validation("'voice' is required: {\"mode\":\"id\",\"id\":\"<voice uuid>\"}.", "voice");
            return null;
        }

        if (voice.TryGetProperty("mode", out var mode) && mode.ValueKind != JsonValueKind.Null
            && (mode.ValueKind != JsonValueKind.String || mode.GetString() != "id"))
        {
            error = ApiError.Validation("'voice.mode' must be \"id\".", "voice.mode");
            return null;
        }

        if (!TryGetString(voice, "id", out var voiceId, out error, required: true, path: "voice.id"))
        {
            return null;
        }

        // output_format
        var format = new AudioFormat(AudioContainers.Raw, AudioEncodings.PcmS16Le, SampleEncoding.S16, 44100);
        if (root.TryGetProperty("output_format", out var output) && output.ValueKind != JsonValueKind.Null)
        {
            var parsed = ParseFormat(output, endpoint, out error);
            if (parsed is null)
            {
                return null;
            }

            format = parsed.Value;
        }
        else if (endpoint != SpeechEndpoint.WebSocket)
        {
            error = ApiError.Validation("'output_format' is required: {\"container\":\"raw\",\"encoding\":\"pcm_s16le\",\"sample_rate\":24000}.", "output_format");
            return null;
        }

        // language: absent or null means auto-detect (PC sends null, LK omits it)
        string? language = null;
        if (root.TryGetProperty("language", out var lang) && lang.ValueKind != JsonValueKind.Null)
        {
            if (lang.ValueKind != JsonValueKind.String)
            {
                error = ApiError.Validation("'language' must be a string or null.", "language");
                return null;
            }

            language = lang.GetString()!;
            if (!TtsLanguages.Contains(language))
            {
                error = ApiError.InvalidLanguage(language);
                return null;
            }

            var modelSupports = modelId switch
            {
                AsyncAIModels.ProV10 => language == "en",
                AsyncAIModels.FlashV15 => FlashV15Languages.Contains(language),
                _ => true,
            };
            if (!modelSupports)
            {
                error = ApiError.InvalidLanguage(language, modelId);
                return null;
            }
        }

        if (root.TryGetProperty("speed_control", out var speed) && speed.ValueKind != JsonValueKind.Null
            && (speed.ValueKind != JsonValueKind.Number || speed.GetDouble() is < 0.7 or > 2.0))
        {
            error = ApiError.Validation("'speed_control' must be a number from 0.7 to 2.0.", "speed_control");
            return null;
        }

        if (root.TryGetProperty("stability", out var stability) && stability.ValueKind != JsonValueKind.Null
            && (stability.ValueKind != JsonValueKind.Number || !stability.TryGetInt32(out var s) || s is < 0 or > 100))
        {
            error = ApiError.Validation("'stability' must be an integer from 0 to 100.", "stability");
            return null;
        }

        if (VoiceCatalogue.Find(voiceId) is null)
        {
            error = ApiError.VoiceNotFound(voiceId!);
            return null;
        }

        return new SpeechRequest(modelId!, voiceId!, format, language, transcript!);
    }

    private static AudioFormat? ParseFormat(JsonElement output, SpeechEndpoint endpoint, out ApiError? error)
    {
        error = null;
        if (output.ValueKind != JsonValueKind.Object)
        {
            error = ApiError.Validation("'output_format' must be an object.", "output_format");
            return null;
        }

        var containerRequired = endpoint != SpeechEndpoint.WebSocket;
        if (!TryGetString(output, "container", out var container, out error, containerRequired, "output_format.container"))
        {
            return null;
        }

        container ??= AudioContainers.Raw;
        var containerAllowed = endpoint switch
        {
            SpeechEndpoint.Sync or SpeechEndpoint.Timestamps => container is AudioContainers.Raw or AudioContainers.Wav or AudioContainers.Mp3,
            _ => container is AudioContainers.Raw or AudioContainers.Mp3,
        };
        if (!containerAllowed)
        {
            var allowed = endpoint is SpeechEndpoint.Sync or SpeechEndpoint.Timestamps ? "raw, wav or mp3" : "raw or mp3";
            error = ApiError.Validation($"'output_format.container' '{container}' is not allowed here; use {allowed}.", "output_format.container");
            return null;
        }

        if (container == AudioContainers.Mp3 && endpoint == SpeechEndpoint.WebSocket)
        {
            // The stream enum that D-WS points to has mp3, but no source shows mp3 over the WebSocket, and the client's
            // WebSocket options allow raw only; the emulator's mp3 is on the HTTP endpoints.
            error = ApiError.Validation("The emulator's WebSocket sends raw PCM only; mp3 is available on the HTTP endpoints.", "output_format.container");
            return null;
        }

        if (!TryGetString(output, "encoding", out var encoding, out error, required: false, "output_format.encoding"))
        {
            return null;
        }

        encoding ??= AudioEncodings.PcmS16Le;
        var sampleEncoding = AudioFormat.ParseEncoding(encoding);
        var encodingAllowed = sampleEncoding is not null
            && (sampleEncoding != SampleEncoding.Mulaw || endpoint is SpeechEndpoint.Streaming or SpeechEndpoint.WebSocket);
        if (!encodingAllowed)
        {
            var allowed = endpoint is SpeechEndpoint.Streaming or SpeechEndpoint.WebSocket ? "pcm_s16le, pcm_f32le or pcm_mulaw" : "pcm_s16le or pcm_f32le";
            error = ApiError.Validation($"'output_format.encoding' '{encoding}' is not allowed here; use {allowed}.", "output_format.encoding");
            return null;
        }

        var sampleRate = 44100;
        if (output.TryGetProperty("sample_rate", out var rate) && rate.ValueKind != JsonValueKind.Null)
        {
            if (rate.ValueKind != JsonValueKind.Number || !rate.TryGetInt32(out sampleRate) || sampleRate is < 8000 or > 48000)
            {
                error = ApiError.Validation("'output_format.sample_rate' must be an integer from 8000 to 48000.", "output_format.sample_rate");
                return null;
            }
        }
        else if (endpoint != SpeechEndpoint.WebSocket)
        {
            error = ApiError.Validation("'output_format.sample_rate' is required (8000–48000).", "output_format.sample_rate");
            return null;
        }

        var requestedBitRate = Mp3Frames.DefaultBitRate;
        if (output.TryGetProperty("bit_rate", out var bitRate) && bitRate.ValueKind != JsonValueKind.Null
            && (bitRate.ValueKind != JsonValueKind.Number || !bitRate.TryGetInt32(out requestedBitRate) || requestedBitRate is < 32000 or > 320000))
        {
            error = ApiError.Validation("'output_format.bit_rate' must be an integer from 32000 to 320000.", "output_format.bit_rate");
            return null;
        }

        if (container != AudioContainers.Mp3)
        {
            return new AudioFormat(container, encoding, sampleEncoding!.Value, sampleRate);
        }

        // Choices (what Async does is unknown): an mp3 frame header can state only nine rates, so any other rate is
        // refused rather than answered at a rate the caller did not ask for; a bit rate between the Layer III rates
        // goes to the nearest one (LAME's FindNearestBitrate rule), so the default 192000 becomes 160000 below 32 kHz.
        if (!Mp3Frames.IsSampleRate(sampleRate))
        {
            error = ApiError.Validation(
                string.Create(CultureInfo.InvariantCulture,
                    $"'output_format.sample_rate' {sampleRate} is not an mp3 sample rate; use 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000."),
                "output_format.sample_rate");
            return null;
        }

        return new AudioFormat(container, encoding, sampleEncoding!.Value, sampleRate, Mp3Frames.NearestBitRate(sampleRate, requestedBitRate));
    }

    private static bool TryGetString(JsonElement obj, string name, out string? value, out ApiError? error, bool required, string? path = null)
    {
        value = null;
        error = null;
        path ??= name;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = ApiError.Validation($"'{path}' is required.", path);
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = ApiError.Validation($"'{path}' must be a string.", path);
            return false;
        }

        value = element.GetString();
        return true;
    }
}
