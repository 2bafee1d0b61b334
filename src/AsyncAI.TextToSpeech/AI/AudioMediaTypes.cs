using System.Globalization;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.AI;

/// <summary>
/// Translates between Async's output format (container, encoding, sample rate) and the media types the
/// Microsoft.Extensions.AI adapter puts on <c>DataContent</c> and accepts in <c>TextToSpeechOptions.AudioFormat</c>.
/// </summary>
/// <remarks>
/// Raw PCM is labelled <c>audio/pcm;codec=s16le;rate=24000;channels=1</c> (or <c>codec=f32le</c>), because the label
/// must carry the byte order: <c>audio/L16</c> (RFC 2586) means big-endian samples and Async sends little-endian ones.
/// μ-law is <c>audio/pcmu</c> (RFC 4856), which has no byte order. The labels the adapter emits are accepted back as
/// <c>AudioFormat</c>, so a format read off one response can be passed to the next call.
/// </remarks>
internal static class AudioMediaTypes
{
    public const string Wav = "audio/wav";
    public const string Mpeg = "audio/mpeg";
    public const string Pcm = "audio/pcm";
    public const string Pcmu = "audio/pcmu";

    /// <summary>The values <see cref="Parse"/> accepts, for error messages.</summary>
    public const string Accepted =
        "raw, pcm, pcm_s16le, pcm_f32le, pcm_mulaw, wav, mp3, or a media type: audio/wav[;codec=s16le|f32le], audio/mpeg, "
        + "audio/pcm;codec=s16le|f32le[;rate=N], audio/pcmu[;rate=N]";

    /// <summary>Gets the media type of audio in a container, encoding and sample rate.</summary>
    public static string For(string container, string encoding, int sampleRate) => container switch
    {
        AudioContainers.Wav => Wav,
        AudioContainers.Mp3 => Mpeg,
        _ => encoding switch
        {
            AudioEncodings.PcmF32Le => string.Create(CultureInfo.InvariantCulture, $"{Pcm};codec=f32le;rate={sampleRate};channels=1"),
            AudioEncodings.PcmMulaw => string.Create(CultureInfo.InvariantCulture, $"{Pcmu};rate={sampleRate};channels=1"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Pcm};codec=s16le;rate={sampleRate};channels=1"),
        },
    };

    /// <summary>Reads <c>TextToSpeechOptions.AudioFormat</c>, or throws naming it and the values accepted.</summary>
    /// <param name="value">The option's value.</param>
    /// <param name="paramName">The public method's parameter that holds the options.</param>
    /// <exception cref="ArgumentException">The value is not a format Async can produce.</exception>
    public static AudioFormatRequest ParseOption(string value, string paramName) =>
        Parse(value, out var format, out var reason)
            ? format
            : throw new ArgumentException($"TextToSpeechOptions.AudioFormat '{value}' cannot be produced: {reason}. Use {Accepted}.", paramName);

    /// <summary>
    /// Reads an <c>AudioFormat</c> value: a provider name (<c>wav</c>, <c>pcm_s16le</c>…) or a media type with optional
    /// <c>codec</c>, <c>rate</c> and <c>channels</c> parameters. Null parts leave the client's setting. The <c>codec</c>
    /// of a WAV type picks the file's samples (s16le or f32le).
    /// </summary>
    /// <returns>
    /// False when the value is not a format Async can produce, or contradicts itself (a codec other than the one its
    /// name implies, as in <c>audio/pcmu;codec=s16le</c>; two different codecs or rates; a codec on MP3; μ-law in WAV);
    /// <paramref name="reason"/> then says why.
    /// </returns>
    public static bool Parse(string value, out AudioFormatRequest format, out string? reason)
    {
        format = default;
        reason = null;
        var parts = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            reason = "it is empty";
            return false;
        }

        string? container;
        string? encoding = null;
        switch (parts[0].ToLowerInvariant())
        {
            case "raw" or "pcm" or Pcm or "audio/x-pcm" or "audio/raw":
                container = AudioContainers.Raw;
                break;
            case AudioEncodings.PcmS16Le or "s16le":
                (container, encoding) = (AudioContainers.Raw, AudioEncodings.PcmS16Le);
                break;
            case AudioEncodings.PcmF32Le or "f32le":
                (container, encoding) = (AudioContainers.Raw, AudioEncodings.PcmF32Le);
                break;
            case AudioEncodings.PcmMulaw or "mulaw" or "ulaw" or "pcmu" or Pcmu or "audio/basic":
                (container, encoding) = (AudioContainers.Raw, AudioEncodings.PcmMulaw);
                break;
            case "wav" or "wave" or Wav or "audio/wave" or "audio/x-wav" or "audio/vnd.wave":
                container = AudioContainers.Wav;
                break;
            case "mp3" or "mpeg" or Mpeg or "audio/mp3":
                container = AudioContainers.Mp3;
                break;
            case "audio/l16":
                reason = "audio/L16 names big-endian 16-bit PCM (RFC 2586) and Async sends little-endian samples; ask for pcm_s16le or audio/pcm;codec=s16le";
                return false;
            default:
                reason = "Async produces raw PCM, WAV and MP3 only";
                return false;
        }

        // A value that says two things (audio/pcmu;codec=s16le, two rates) is refused rather than read by its last part:
        // whichever part lost, the caller asked for audio that differs from what would come back.
        var encodingSource = encoding is null ? null : parts[0];
        int? sampleRate = null;
        for (var i = 1; i < parts.Length; i++)
        {
            var separator = parts[i].IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? parts[i] : parts[i][..separator].Trim();
            var parameter = separator < 0 ? string.Empty : parts[i][(separator + 1)..].Trim().Trim('"');
            if (name.Equals("rate", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(parameter, NumberStyles.None, CultureInfo.InvariantCulture, out var rate))
                {
                    reason = $"its rate '{parameter}' is not a whole number of Hz";
                    return false;
                }

                if (sampleRate is { } earlier && earlier != rate)
                {
                    reason = string.Create(CultureInfo.InvariantCulture, $"its rate {rate} contradicts its rate {earlier}; give one rate");
                    return false;
                }

                sampleRate = rate;
            }
            else if (name.Equals("channels", StringComparison.OrdinalIgnoreCase))
            {
                if (parameter != "1")
                {
                    reason = "Async audio is mono (channels=1)";
                    return false;
                }
            }
            else if (name.Equals("codec", StringComparison.OrdinalIgnoreCase))
            {
                if (container == AudioContainers.Mp3)
                {
                    // MP3 is its own codec; a PCM codec here asks for samples an MP3 stream does not hold.
                    if (parameter.ToLowerInvariant() is "mp3" or "mpeg")
                    {
                        continue;
                    }

                    reason = $"its codec '{parameter}' contradicts {parts[0]}: MP3 holds MP3 frames, not {parameter} samples; drop the codec, or ask for raw PCM or WAV";
                    return false;
                }

                var codec = parameter.ToLowerInvariant() switch
                {
                    "s16le" or AudioEncodings.PcmS16Le => AudioEncodings.PcmS16Le,
                    "f32le" or AudioEncodings.PcmF32Le => AudioEncodings.PcmF32Le,
                    "mulaw" or "ulaw" or AudioEncodings.PcmMulaw => AudioEncodings.PcmMulaw,
                    _ => null,
                };
                if (codec is null)
                {
                    reason = $"its codec '{parameter}' is not one Async produces (s16le, f32le, mulaw)";
                    return false;
                }

                if (encoding is not null && encoding != codec)
                {
                    reason = $"its codec '{parameter}' ({codec}) contradicts {encodingSource} ({encoding})";
                    return false;
                }

                if (container == AudioContainers.Wav && codec == AudioEncodings.PcmMulaw)
                {
                    // Async makes WAV only with POST /text_to_speech, whose schema has no μ-law (the service answers 400).
                    reason = "Async makes WAV files only of s16le or f32le samples (POST /text_to_speech has no μ-law); ask for raw μ-law (pcm_mulaw or audio/pcmu) instead";
                    return false;
                }

                encoding = codec;
                encodingSource = $"codec={parameter}";
            }
        }

        format = new AudioFormatRequest(container, encoding, sampleRate);
        return true;
    }
}

/// <summary>What an <c>AudioFormat</c> value asks for; a null part keeps the client's setting.</summary>
internal readonly record struct AudioFormatRequest(string Container, string? Encoding, int? SampleRate);
