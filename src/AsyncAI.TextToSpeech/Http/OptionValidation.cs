using System.Globalization;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Http;

/// <summary>Checks one option value at a time so every error names the option and what is allowed.</summary>
internal static class OptionValidation
{
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 48000;
    public const double MinSpeedControl = 0.7;
    public const double MaxSpeedControl = 2.0;
    public const int MinStability = 0;
    public const int MaxStability = 100;
    public const int MinBitRate = 32000;
    public const int MaxBitRate = 320000;

    public static string NotBlank(string? value, string optionName, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{optionName} must not be empty: {what}.", optionName);
        }

        return value;
    }

    public static string? NullOrNotBlank(string? value, string optionName, string what)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{optionName} must be null or non-empty: {what}.", optionName);
        }

        return value;
    }

    /// <summary>An API key travels in a header: printable ASCII, no spaces. The message never echoes it.</summary>
    public static string ApiKey(string? value, string optionName)
    {
        var key = NotBlank(value, optionName, "pass the key from your async.com dashboard");
        foreach (var c in key)
        {
            if (c is < '!' or > '~')
            {
                throw new ArgumentException($"{optionName} must be printable ASCII without spaces or line breaks; check for a stray character copied with the key.", optionName);
            }
        }

        return key;
    }

    /// <summary>Null, or an Async language code; BCP-47 tags such as <c>de-DE</c> are reduced to their base code.</summary>
    public static string? Language(string? value, string optionName) =>
        NullOrNotBlank(value, optionName, "an Async language code such as en, or null to auto-detect") is { } code
            ? AsyncAILanguages.Normalize(code.Trim())
            : null;

    public static int SampleRate(int value, string optionName)
    {
        if (value is < MinSampleRate or > MaxSampleRate)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be between {MinSampleRate} and {MaxSampleRate} Hz (the range the Async API accepts)."));
        }

        return value;
    }

    public static string Encoding(string? value, string optionName)
    {
        if (value is not (AudioEncodings.PcmS16Le or AudioEncodings.PcmF32Le or AudioEncodings.PcmMulaw))
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                $"{optionName} must be one of {AudioEncodings.PcmS16Le}, {AudioEncodings.PcmF32Le}, {AudioEncodings.PcmMulaw}.");
        }

        return value;
    }

    public static string Container(string? value, string optionName)
    {
        if (value is not (AudioContainers.Raw or AudioContainers.Wav or AudioContainers.Mp3))
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                $"{optionName} must be one of {AudioContainers.Raw}, {AudioContainers.Wav}, {AudioContainers.Mp3}.");
        }

        return value;
    }

    public static double? SpeedControl(double? value, string optionName)
    {
        if (value is { } speed && (double.IsNaN(speed) || speed < MinSpeedControl || speed > MaxSpeedControl))
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be null or between {MinSpeedControl} and {MaxSpeedControl}."));
        }

        return value;
    }

    public static int? Stability(int? value, string optionName)
    {
        if (value is < MinStability or > MaxStability)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be null or between {MinStability} and {MaxStability}."));
        }

        return value;
    }

    public static int? BitRate(int? value, string optionName)
    {
        if (value is < MinBitRate or > MaxBitRate)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be null or between {MinBitRate} and {MaxBitRate} bit/s (the mp3 bit rates the Async API accepts)."));
        }

        return value;
    }

    public static int Range(int value, int min, int max, string optionName)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be between {min} and {max}."));
        }

        return value;
    }

    public static TimeSpan Delay(TimeSpan value, TimeSpan max, string optionName)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            throw new ArgumentOutOfRangeException(
                optionName,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{optionName} must be greater than zero and at most {max}."));
        }

        return value;
    }

    public static Uri BaseUrl(Uri? value, string optionName)
    {
        if (value is null || !value.IsAbsoluteUri || (value.Scheme != Uri.UriSchemeHttps && value.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{optionName} must be an absolute http or https URL such as https://api.async.com.", optionName);
        }

        RejectCredentials(value, optionName);
        return value;
    }

    /// <summary>Refuses a URL with user info or an <c>api_key</c> query parameter; the message never echoes the URL.</summary>
    public static void RejectCredentials(Uri value, string optionName)
    {
        if (CarriesCredentials(value))
        {
            throw new ArgumentException($"{optionName} must not carry credentials (a user name or password, or an api_key query parameter): set ApiKey instead.", optionName);
        }
    }

    /// <summary>Whether a URL carries a credential: user info, or an <c>api_key</c> query parameter.</summary>
    public static bool CarriesCredentials(Uri? url)
    {
        if (url is null)
        {
            return false;
        }

        if (!url.IsAbsoluteUri)
        {
            return url.OriginalString.Contains('@', StringComparison.Ordinal) || url.OriginalString.Contains("api_key", StringComparison.OrdinalIgnoreCase);
        }

        if (url.UserInfo.Length > 0)
        {
            return true;
        }

        foreach (var part in url.Query.TrimStart('?').Split('&', ';'))
        {
            var name = part.Split('=', 2)[0];
            if (Uri.UnescapeDataString(name).Trim().Equals("api_key", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A URL for display: itself, or a placeholder when it carries credentials.</summary>
    public static string Displayable(Uri? url) =>
        url is null ? "(none)" : CarriesCredentials(url) ? "(redacted: the URL carries credentials)" : url.ToString();
}
