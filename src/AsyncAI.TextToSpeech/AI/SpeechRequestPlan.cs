#pragma warning disable MEAI001 // TextToSpeechOptions and ITextToSpeechClient are experimental in Microsoft.Extensions.AI 10.11.0.

using System.Globalization;
using System.Text.Json;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;
using Microsoft.Extensions.AI;

namespace AsyncAI.TextToSpeech.AI;

/// <summary>
/// One call's request: the per-call options handed to <see cref="AsyncAIHttpClient"/> and the format the audio will be
/// in, resolved against the client's defaults so the adapter can label it.
/// </summary>
internal sealed class SpeechRequestPlan
{
    private const string OptionsParameter = "options";

    private SpeechRequestPlan(AsyncAIHttpRequestOptions requestOptions, string model, string container, string encoding, int sampleRate)
    {
        RequestOptions = requestOptions;
        Model = model;
        Container = container;
        Encoding = encoding;
        SampleRate = sampleRate;
        MediaType = AudioMediaTypes.For(container, encoding, sampleRate);
    }

    public AsyncAIHttpRequestOptions RequestOptions { get; }

    public string Model { get; }

    public string Container { get; }

    public string Encoding { get; }

    public int SampleRate { get; }

    public string MediaType { get; }

    /// <summary>
    /// Maps <paramref name="options"/> onto Async request options. An <see cref="AsyncAIHttpRequestOptions"/> from
    /// <see cref="TextToSpeechOptions.RawRepresentationFactory"/> is the base and wins; the typed options and
    /// <see cref="TextToSpeechOptions.AdditionalProperties"/> fill what it leaves unset. Nothing the caller passed is mutated.
    /// </summary>
    /// <exception cref="ArgumentException">An option has a value Async cannot take; the message names the option.</exception>
    public static SpeechRequestPlan Create(ITextToSpeechClient client, TextToSpeechOptions? options, AsyncAIHttpOptions defaults)
    {
        var request = options?.RawRepresentationFactory?.Invoke(client) is AsyncAIHttpRequestOptions raw ? Copy(raw) : new AsyncAIHttpRequestOptions();
        if (options is not null)
        {
            Apply(options, request);
        }

        var container = request.Container ?? defaults.Container;
        var encoding = request.Encoding ?? defaults.Encoding;
        if (container == AudioContainers.Wav && encoding == AudioEncodings.PcmMulaw)
        {
            // WAV comes only from POST /text_to_speech, whose schema has no μ-law (the service answers 400): refused here,
            // before anything is sent, even by the streaming method. Raw μ-law goes through the streaming endpoint.
            var source = request.Encoding is null ? "the client's AsyncAIHttpOptions.Encoding" : "the RawRepresentationFactory's AsyncAIHttpRequestOptions.Encoding";
            throw new ArgumentException(
                $"TextToSpeechOptions.AudioFormat wav cannot hold pcm_mulaw (from {source}): Async makes WAV files only with POST /text_to_speech, which has no μ-law. Ask for raw μ-law (AudioFormat \"pcm_mulaw\") or another encoding.",
                OptionsParameter);
        }

        return new SpeechRequestPlan(
            request,
            request.Model ?? defaults.Model,
            container,
            encoding,
            request.SampleRate ?? defaults.SampleRate);
    }

    private static void Apply(TextToSpeechOptions options, AsyncAIHttpRequestOptions request)
    {
        if (!string.IsNullOrWhiteSpace(options.VoiceId))
        {
            request.VoiceId ??= options.VoiceId;
        }

        if (!string.IsNullOrWhiteSpace(options.ModelId))
        {
            request.Model ??= options.ModelId;
        }

        if (!string.IsNullOrWhiteSpace(options.Language))
        {
            // The setter reduces BCP-47 tags to Async's base codes (de-DE → de) through AsyncAILanguages.Normalize.
            request.Language ??= options.Language;
        }

        if (options.Speed is { } speed)
        {
            // Speed is a float: widen through decimal so 1.1f goes out as 1.1 (not 1.100000023841858) and 0.7f is in range.
            // Anything beyond ±1e6 is out of range anyway, and (decimal) would overflow above ~7.9e28.
            var speedControl = float.IsFinite(speed) && MathF.Abs(speed) < 1e6f ? (double)(decimal)speed : double.NaN;
            if (double.IsNaN(speedControl) || speedControl < OptionValidation.MinSpeedControl || speedControl > OptionValidation.MaxSpeedControl)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options),
                    speed,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"TextToSpeechOptions.Speed must be between {OptionValidation.MinSpeedControl} and {OptionValidation.MaxSpeedControl} (Async's speed_control range), or null for the service default."));
            }

            request.SpeedControl ??= speedControl;
        }

        int? formatRate = null;
        if (!string.IsNullOrWhiteSpace(options.AudioFormat))
        {
            var format = AudioMediaTypes.ParseOption(options.AudioFormat, nameof(options));

            request.Container ??= format.Container;
            if (format.Encoding is not null)
            {
                request.Encoding ??= format.Encoding;
            }

            if (format.SampleRate is { } rate)
            {
                var checkedRate = CheckedRange(rate, OptionValidation.MinSampleRate, OptionValidation.MaxSampleRate, "TextToSpeechOptions.AudioFormat rate");
                request.SampleRate ??= checkedRate;
                formatRate = checkedRate;
            }
        }

        // Every value is checked even when a RawRepresentationFactory's request already sets it and wins, so a bad
        // value fails the same way whatever else the call carries (and on both adapters).
        if (options.AdditionalProperties is { Count: > 0 } properties)
        {
            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.Stability, out var stability) && stability is not null)
            {
                var checkedStability = CheckedProperty(stability, AsyncAITextToSpeechPropertyNames.Stability, OptionValidation.MinStability, OptionValidation.MaxStability);
                request.Stability ??= checkedStability;
            }

            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.SampleRate, out var sampleRate) && sampleRate is not null)
            {
                var checkedSampleRate = CheckedSampleRate(sampleRate);
                if (formatRate is { } asked && asked != checkedSampleRate)
                {
                    // Two typed ways of saying the rate that disagree: neither is the caller's clear choice. (A
                    // RawRepresentationFactory's SampleRate still wins over both, as documented.)
                    throw new ArgumentException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"TextToSpeechOptions.AudioFormat rate {asked} contradicts TextToSpeechOptions.AdditionalProperties[\"{AsyncAITextToSpeechPropertyNames.SampleRate}\"] {checkedSampleRate}. Give the rate in one of them, or the same rate in both."),
                        OptionsParameter);
                }

                request.SampleRate ??= checkedSampleRate;
            }

            if (properties.TryGetValue(AsyncAITextToSpeechPropertyNames.BitRate, out var bitRate) && bitRate is not null)
            {
                // Checked whatever the container; AsyncAIHttpClient sends it only with mp3.
                var checkedBitRate = CheckedBitRate(bitRate);
                request.BitRate ??= checkedBitRate;
            }
        }
    }

    /// <summary>
    /// Reads <c>AdditionalProperties["bit_rate"]</c> as a whole number of bit/s within Async's mp3 range. Shared with the
    /// WebSocket adapter, so the same value fails the same way on both.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a whole number, or is outside 32000–320000; the message names the key.</exception>
    public static int CheckedBitRate(object value) =>
        CheckedProperty(value, AsyncAITextToSpeechPropertyNames.BitRate, OptionValidation.MinBitRate, OptionValidation.MaxBitRate);

    /// <summary>
    /// Reads <c>AdditionalProperties["sample_rate"]</c> as a whole number of Hz within 8000–48000. Shared with the
    /// WebSocket adapter, so the same value (24000, 24000.0m, "24000") means the same on both.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a whole number, or is outside 8000–48000; the message names the key.</exception>
    public static int CheckedSampleRate(object value) =>
        CheckedProperty(value, AsyncAITextToSpeechPropertyNames.SampleRate, OptionValidation.MinSampleRate, OptionValidation.MaxSampleRate);

    /// <summary>Reads <c>AdditionalProperties[key]</c> as a whole number within <paramref name="min"/>–<paramref name="max"/>; errors name the key.</summary>
    private static int CheckedProperty(object value, string key, int min, int max) =>
        CheckedRange(ToInt32(value, key), min, max, $"TextToSpeechOptions.AdditionalProperties[\"{key}\"]");

    // paramName is always the public method's "options" parameter, the argument that holds the bad value.
    private static int CheckedRange(int value, int min, int max, string what, string paramName = OptionsParameter)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{what} must be between {min} and {max}."));
        }

        return value;
    }

    private static int ToInt32(object value, string key, string paramName = OptionsParameter)
    {
        // Any number type, as AsyncAITextToSpeechPropertyNames promises, and the JSON forms of one (AdditionalProperties
        // read from JSON or configuration hold JsonElements: 24000, 24000.0 or "24000").
        var number = value switch
        {
            int i => i,
            long l => l,
            short s => s,
            byte b => b,
            sbyte sb => sb,
            ushort us => us,
            uint ui => ui,
            ulong ul when ul <= long.MaxValue => (long)ul,
            nint n => n,
            nuint nu when nu <= long.MaxValue => (long)nu,
            double d => Whole(d),
            float f => Whole(f),
            Half h => Whole((double)h),
            decimal m when m == decimal.Floor(m) && Math.Abs(m) < int.MaxValue => (long)m,
            string text => ParseWhole(text),
            JsonElement { ValueKind: JsonValueKind.Number } element => element.TryGetInt64(out var parsed) ? parsed : Whole(element.GetDouble()),
            JsonElement { ValueKind: JsonValueKind.String } element => ParseWhole(element.GetString()),
            _ => (long?)null,
        };

        return number is >= int.MinValue and <= int.MaxValue
            ? (int)number.Value
            : throw new ArgumentException(
                $"TextToSpeechOptions.AdditionalProperties[\"{key}\"] must be a whole number, not {value.GetType().Name} '{Convert.ToString(value, CultureInfo.InvariantCulture)}'.",
                paramName);
    }

    private static long? Whole(double value) => value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? (long)value : null;

    private static long? ParseWhole(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    private static AsyncAIHttpRequestOptions Copy(AsyncAIHttpRequestOptions raw) => new()
    {
        VoiceId = raw.VoiceId,
        Model = raw.Model,
        SampleRate = raw.SampleRate,
        Encoding = raw.Encoding,
        Container = raw.Container,
        Language = raw.Language,
        SpeedControl = raw.SpeedControl,
        Stability = raw.Stability,
        BitRate = raw.BitRate,
    };
}
