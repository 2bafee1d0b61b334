using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace AsyncAI.TextToSpeech;

/// <summary>
/// Maps <see cref="Language"/> values and BCP-47 strings to the language codes the Async service takes.
/// </summary>
/// <remarks>
/// <para>
/// Async takes ISO 639-1 base codes. The codes it documents (the TTS <c>language</c> enum plus <c>nl</c> from the
/// voices filter and Pipecat's map) are <see cref="VerifiedCodes"/>. Every other language falls back to its base
/// code, as Pipecat does (<c>sv-SE</c> → <c>sv</c>); the service may reject it with <c>INVALID_LANGUAGE</c>, so
/// <see cref="IsVerified(Language)"/> reports it as unverified.
/// </para>
/// <para>
/// A regional variant of a verified language counts as verified (<see cref="Language.DeDe"/> → <c>de</c>): what is
/// verified is the code sent to the service. Pipecat instead warns for every member not in its map, regional
/// variants included.
/// </para>
/// </remarks>
public static partial class AsyncAILanguages
{
    private static readonly string[] VerifiedCodeList = ["en", "fr", "es", "de", "it", "pt", "nl", "ar", "ru", "ro", "ja", "he", "hy", "tr", "hi", "zh"];

    private static readonly FrozenSet<string> VerifiedCodeSet = VerifiedCodeList.ToFrozenSet(StringComparer.Ordinal);

    // The Async code of each Language member (its lower-cased primary subtag), indexed by value.
    private static readonly string[] AsyncCodes = LanguageTags.All.Select(PrimarySubtag).Select(code => code.ToLowerInvariant()).ToArray();

    private static readonly FrozenDictionary<string, Language> ByTag = Enum.GetValues<Language>()
        .ToFrozenDictionary(language => LanguageTags.All[(int)language], StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> KnownBaseCodes = AsyncCodes.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the language codes Async documents: <c>en fr es de it pt nl ar ru ro ja he hy tr hi zh</c>.</summary>
    public static IReadOnlyList<string> VerifiedCodes { get; } = Array.AsReadOnly(VerifiedCodeList);

    /// <summary>Gets the code to send to Async for a language: its base code (<see cref="Language.EnUs"/> → <c>en</c>).</summary>
    /// <param name="language">The language.</param>
    /// <returns>The lower-case base code; check <see cref="IsVerified(Language)"/> to know whether Async documents it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="language"/> is not a defined <see cref="Language"/> value.</exception>
    public static string ToAsyncCode(Language language) => AsyncCodes[IndexOf(language)];

    /// <summary>Gets whether the code sent for a language is one Async documents (see <see cref="VerifiedCodes"/>).</summary>
    /// <param name="language">The language.</param>
    /// <returns>True for the verified languages and their regional variants; false for a base-code fallback.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="language"/> is not a defined <see cref="Language"/> value.</exception>
    public static bool IsVerified(Language language) => VerifiedCodeSet.Contains(ToAsyncCode(language));

    /// <summary>Gets whether a code, after <see cref="Normalize"/>, is one Async documents (<c>de-DE</c> → true, <c>sv</c> → false).</summary>
    /// <param name="code">A language code or BCP-47 tag.</param>
    /// <returns>Whether the normalized code is in <see cref="VerifiedCodes"/>.</returns>
    public static bool IsVerifiedCode(string code) => VerifiedCodeSet.Contains(Normalize(code));

    /// <summary>Gets the BCP-47 tag of a language (<see cref="Language.DeDe"/> → <c>de-DE</c>).</summary>
    /// <param name="language">The language.</param>
    /// <returns>The tag.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="language"/> is not a defined <see cref="Language"/> value.</exception>
    public static string ToBcp47(Language language) => LanguageTags.All[IndexOf(language)];

    /// <summary>
    /// Normalizes a language code to what Async takes: a BCP-47 tag (<c>-</c> or <c>_</c> separated, any case) of a
    /// known language becomes its lower-case base code (<c>de-DE</c> → <c>de</c>, <c>en_US</c> → <c>en</c>,
    /// <c>EN</c> → <c>en</c>, <c>zh-Hant-TW</c> → <c>zh</c>); anything else is returned unchanged (<c>klingon</c>).
    /// </summary>
    /// <param name="code">The code.</param>
    /// <returns>The base code, or <paramref name="code"/> itself when its language is not known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var primary = PrimarySubtag(code.AsSpan().Trim());
        if (primary.IsEmpty)
        {
            return code;
        }

        var lookup = KnownBaseCodes.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(primary, out var known) ? known : code;
    }

    /// <summary>
    /// Parses a BCP-47 tag into a <see cref="Language"/> (case-insensitive; <c>_</c> accepted for <c>-</c>):
    /// <c>de-DE</c> → <see cref="Language.DeDe"/>, <c>en</c> → <see cref="Language.En"/>.
    /// </summary>
    /// <param name="code">The tag.</param>
    /// <param name="language">The language, when the tag is one of the enum's.</param>
    /// <returns>Whether the tag names a <see cref="Language"/> member.</returns>
    public static bool TryParse([NotNullWhen(true)] string? code, out Language language)
    {
        language = default;
        if (string.IsNullOrWhiteSpace(code))
        {
            return false;
        }

        var tag = code.Trim();
        if (tag.Contains('_', StringComparison.Ordinal))
        {
            tag = tag.Replace('_', '-');
        }

        return ByTag.TryGetValue(tag, out language);
    }

    private static int IndexOf(Language language)
    {
        var index = (int)language;
        if ((uint)index >= (uint)LanguageTags.All.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(language), language, "Not a defined Language value.");
        }

        return index;
    }

    private static string PrimarySubtag(string tag) => PrimarySubtag(tag.AsSpan()).ToString();

    private static ReadOnlySpan<char> PrimarySubtag(ReadOnlySpan<char> tag)
    {
        var end = tag.IndexOfAny('-', '_');
        return end < 0 ? tag : tag[..end];
    }
}
