using System.Collections.Frozen;

namespace AsyncAI.TextToSpeech.Pipeline.Aggregation;

/// <summary>Finds where the first complete sentence of a text ends.</summary>
/// <remarks>
/// <para>
/// A rule-based stand-in for the Punkt sentence tokenizer that Pipecat uses (there is none for .NET). Latin
/// <c>. ! ? ; …</c> are ambiguous: a period ends a sentence only when whitespace follows and the word before it is not an
/// abbreviation (titles such as Mr. and Prof., and words that introduce what follows such as vs. and e.g., never end one;
/// other abbreviations, initialisms like U.S.A. and numbers end one only before a capitalised word, and an upper-case
/// initialism not even then when that word commonly continues a name, as in "U.S. Army"; St. and Dr. end one only as
/// Street and Drive, after a capitalised word that does not start the sentence and before a word that starts sentences
/// and never a saint's or a doctor's name, as in "He lives on Main St. Then he left." and "He lives on Elm Dr. Then he
/// left."; a number of up to three
/// digits alone at the start of a line is a list marker, as in "1. Open the lid.", and never ends one); a period inside
/// a token (decimals, e-mails, URLs) never does; <c>;</c> and <c>…</c> end a sentence only at the end of the text. A
/// sentence needs something to speak: a terminator before its first letter or digit ends nothing, terminators standing
/// alone after a sentence end belong to it ("U.S. ...", "Wait. . ."), and a terminator judged by the next word is no end
/// when another terminator comes before that word. The
/// terminators of other scripts (CJK, Devanagari, Arabic, Armenian, Ethiopic, Myanmar, Khmer, Tibetan) end a sentence
/// wherever they stand, except the Armenian emphasis and question marks, which sit inside words and count only before
/// whitespace.
/// </para>
/// <para>
/// Deliberate difference: Pipecat also lists U+0ECC LAO CANCELLATION MARK, a combining mark inside Lao words; treating
/// it as a terminator would cut words in half, so it is not one here.
/// </para>
/// </remarks>
public static class SentenceBoundary
{
    private const string LatinTerminators = ".!?;\u2026";

    // CJK 。？！；．｡, Devanagari । ॥, Arabic ؟ ؛ ۔ ؏, Myanmar ၊ ။, Khmer ។ ៕, Tibetan ། ༎, Armenian ։ ՜ ՞, Ethiopic ። ፧ ፨.
    private const string OtherTerminators =
        "\u3002\uFF1F\uFF01\uFF1B\uFF0E\uFF61\u0964\u0965\u061F\u061B\u06D4\u060F\u104A\u104B\u17D4\u17D5\u0F0D\u0F0E\u0589\u055C\u055E\u1362\u1367\u1368";

    private const string ClosingPunctuation = "\"')]}\u00BB\u201D\u2019\u300D\u300F\u3011\u3015\u300B\u3009\uFF09";

    // Titles come before a name, and vs., e.g. and the like before the thing they introduce, so a capitalised word after
    // them is no evidence of a new sentence ("Lakers vs. Celtics"); none of them ends a sentence in ordinary English.
    // Dr. is not here: like St. it is also a street type (Drive), see IsStreetType.
    private static readonly FrozenSet<string> s_neverFinal = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "mr", "mrs", "ms", "messrs", "mme", "mlle", "prof", "sr", "jr", "mt", "gen", "col", "capt", "cmdr",
        "adm", "maj", "lt", "sgt", "cpl", "pvt", "rev", "hon", "gov", "sen", "rep", "pres", "supt", "insp", "det", "fr",
        "vs", "cf", "e.g", "i.e", "viz", "approx", "esp", "incl", "excl");

    // Looked up by span: judging a period allocates nothing (the aggregator judges one per period, often more than once).
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_neverFinalLookup =
        s_neverFinal.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string> s_abbreviations = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "etc", "inc", "ltd", "co", "corp", "dept", "est", "fig", "figs", "vol", "vols", "no", "nos", "pp",
        "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue",
        "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "ave", "blvd", "rd", "misc", "min", "max", "hr", "hrs",
        "sec", "ca", "resp", "ed", "eds", "intl", "natl", "univ", "assn", "bros");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_abbreviationLookup =
        s_abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    // Capitalised words that commonly follow a country's or an organisation's initialism inside a name ("U.S. Army",
    // "U.K. Parliament", "U.N. Security Council"). After an upper-case initialism one of these continues the sentence;
    // any other capitalised word starts a new one ("He moved to the U.S. Then he left."), as Punkt decides.
    private static readonly FrozenSet<string> s_nameContinuations = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "army", "navy", "air", "marine", "marines", "coast", "space", "armed", "forces", "military", "troops",
        "senate", "senator", "house", "congress", "congressman", "congresswoman", "capitol", "parliament", "supreme",
        "court", "federal", "government", "administration", "president", "vice", "prime", "minister", "ministry",
        "secretary", "ambassador", "embassy", "consulate", "attorney", "department", "state", "treasury", "census",
        "bureau", "agency", "commission", "office", "postal", "border", "customs", "immigration", "citizenship",
        "geological", "patent", "constitution", "dollar", "dollars", "open", "olympic", "olympics", "championship",
        "championships", "team", "national", "general", "security", "special", "intelligence", "foreign", "home");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_nameContinuationLookup =
        s_nameContinuations.GetAlternateLookup<ReadOnlySpan<char>>();

    // Capitalised words that start sentences and never follow "Saint" in a name: after a street's "St." or "Dr." one of
    // these starts a new sentence ("He lives on Main St. Then he left."). Any other word after "St." may be a saint's
    // name, an open set ("St. Louis", "Fort St. John", "Mount St. Helens"), and continues the sentence. "Who" is not
    // here: "Dr. Who".
    private static readonly FrozenSet<string> s_sentenceStarters = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "i", "you", "he", "she", "it", "we", "they", "the", "a", "an", "this", "that", "these", "those", "there", "here",
        "my", "your", "his", "her", "its", "our", "their", "some", "every", "each", "all", "both", "and", "but", "or",
        "so", "yet", "then", "now", "later", "next", "after", "before", "when", "while", "if", "once", "also", "still",
        "meanwhile", "however", "finally", "soon", "today", "tomorrow", "yesterday", "tonight", "is", "are", "was",
        "were", "do", "does", "did", "can", "could", "would", "should", "how", "what", "where", "why", "which",
        "in", "on", "at", "from", "for", "with", "turn", "go", "take", "head", "continue", "walk", "drive", "keep",
        "follow", "cross", "park", "please", "thanks", "thank", "yes", "ok", "okay", "let", "just");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_sentenceStarterLookup =
        s_sentenceStarters.GetAlternateLookup<ReadOnlySpan<char>>();

    // Words of s_sentenceStarters that a doctor is also called by ("Stanford's Dr. Park", "Dr. He Jiankui", "Dr. Do",
    // "Dr. Now"): after "Dr." they continue the sentence. Surnames are an open set, like saints' names; these are the
    // ones the sentence starters would otherwise cut from their title.
    private static readonly FrozenSet<string> s_doctorNames = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "he", "an", "do", "so", "now", "soon", "still", "just", "park", "cross", "head");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_doctorNameLookup =
        s_doctorNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Gets whether <paramref name="c"/> can end a sentence (Latin or another script's terminator).</summary>
    /// <param name="c">The character.</param>
    /// <returns>True for a sentence-ending character.</returns>
    public static bool IsTerminator(char c) => LatinTerminators.Contains(c, StringComparison.Ordinal) || OtherTerminators.Contains(c, StringComparison.Ordinal);

    /// <summary>Gets whether <paramref name="c"/> is closing punctuation that belongs to the sentence before it (quotes, brackets).</summary>
    /// <param name="c">The character.</param>
    /// <returns>True for closing punctuation.</returns>
    public static bool IsClosingPunctuation(char c) => ClosingPunctuation.Contains(c, StringComparison.Ordinal);

    /// <summary>Returns the length of the first complete sentence of <paramref name="text"/>, or 0 when none is complete yet.</summary>
    /// <param name="text">The text, from the start of a sentence.</param>
    /// <returns>The number of characters from the start of <paramref name="text"/> up to and including the end of the first sentence (its closing punctuation included), or 0.</returns>
    public static int FindEnd(ReadOnlySpan<char> text)
    {
        var settled = 0;
        return FindEnd(text, ref settled);
    }

    /// <summary>
    /// <see cref="FindEnd(ReadOnlySpan{char})"/> for a text that only grows at its end, without rescanning what is
    /// already decided.
    /// </summary>
    /// <param name="text">The text, from the start of a sentence.</param>
    /// <param name="settled">
    /// In: where to start, as returned by the previous call on a shorter version of <paramref name="text"/> (0 for a new
    /// text). Out: the position before which no terminator ends a sentence whatever text is appended. A terminator
    /// judged by the word after it (an abbreviation, an ellipsis) stays unsettled until that word is there (all of it,
    /// for an upper-case initialism before a capitalised word).
    /// </param>
    /// <returns>See <see cref="FindEnd(ReadOnlySpan{char})"/>.</returns>
    internal static int FindEnd(ReadOnlySpan<char> text, ref int settled)
    {
        var trimmed = text.TrimEnd();
        var length = trimmed.Length;
        var settling = true;
        for (var i = Math.Min(settled, length); i < length; i++)
        {
            if (settling)
            {
                settled = i;
            }

            var c = trimmed[i];
            var isOther = OtherTerminators.Contains(c, StringComparison.Ordinal);
            if (!isOther && !LatinTerminators.Contains(c, StringComparison.Ordinal))
            {
                continue;
            }

            var runEnd = SkipRun(trimmed, i);
            if (runEnd >= length)
            {
                return length;
            }

            var followedBySpace = char.IsWhiteSpace(trimmed[runEnd]);
            if (isOther)
            {
                if (c is '\u055C' or '\u055E' && !followedBySpace)
                {
                    continue;
                }

                if (HasWord(trimmed[..i]))
                {
                    return IncludeTrailingPunctuation(trimmed, runEnd);
                }

                i = runEnd - 1;
                continue;
            }

            if (!followedBySpace)
            {
                i = runEnd - 1;
                continue;
            }

            // The untrimmed text tells whether a last word is whole ("U.S. Army " vs "U.S. Arm").
            if (IsLatinBreak(text, i, runEnd, out var wordIncomplete))
            {
                if (HasWord(trimmed[..i]))
                {
                    return IncludeTrailingPunctuation(trimmed, runEnd);
                }
            }
            else if (wordIncomplete || NextWordStart(trimmed, runEnd) < 0)
            {
                // Judged without (all of) the next word, which may still turn it into a sentence end.
                settling = false;
            }

            i = runEnd - 1;
        }

        if (settling)
        {
            settled = length;
        }

        return 0;
    }

    /// <summary>Returns the length of the first complete sentence of <paramref name="text"/>, or 0.</summary>
    /// <param name="text">The text.</param>
    /// <returns>See <see cref="FindEnd(ReadOnlySpan{char})"/>.</returns>
    public static int FindEnd(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FindEnd(text.AsSpan());
    }

    private static int SkipRun(ReadOnlySpan<char> text, int start)
    {
        var j = start;
        while (j < text.Length && IsTerminator(text[j]))
        {
            j++;
        }

        while (j < text.Length && IsClosingPunctuation(text[j]))
        {
            j++;
        }

        return j;
    }

    // A sentence needs something to speak: terminators before the first letter or digit ("... Anyway", a stray "' ?")
    // stay with the text after them. Called only where a sentence would end, and it stops at the first letter, so only
    // a buffer of nothing but punctuation is scanned in full.
    private static bool HasWord(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    // Terminators standing alone after a sentence end ("He moved to the U.S. ... Then", "Wait. . . Then") belong to that
    // sentence: on their own they would be a sentence with nothing to speak. Only a run followed by whitespace, since
    // ".NET" and "...and then" start the next sentence. Closing punctuation left at the end of the text (a stray quote)
    // belongs to it too; within the text it may open the next sentence.
    private static int IncludeTrailingPunctuation(ReadOnlySpan<char> text, int end)
    {
        var rest = text[end..];
        var onlyPunctuation = true;
        foreach (var c in rest)
        {
            if (!char.IsWhiteSpace(c) && !IsTerminator(c) && !IsClosingPunctuation(c))
            {
                onlyPunctuation = false;
                break;
            }
        }

        if (onlyPunctuation)
        {
            return text.Length;
        }

        while (true)
        {
            var start = end;
            while (char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            if (!IsTerminator(text[start]))
            {
                return end;
            }

            var runEnd = SkipRun(text, start);
            if (!char.IsWhiteSpace(text[runEnd]))
            {
                return end;
            }

            end = runEnd;
        }
    }

    // wordIncomplete: the verdict (false) depends on the whole next word, and the text ends inside it.
    private static bool IsLatinBreak(ReadOnlySpan<char> text, int runStart, int runEnd, out bool wordIncomplete)
    {
        wordIncomplete = false;
        var run = text[runStart..runEnd];
        if (run.IndexOfAny('!', '?') >= 0)
        {
            return true;
        }

        var next = NextWordStart(text, runEnd);
        if (next >= 0 && IsTerminator(text[next]))
        {
            // Another terminator comes before any word ("etc. - ?! Then", "U.S. ... Then"): the sentence runs on to it,
            // so the word after it cannot make this one end a sentence (nor would a text streamed up to it be cut here).
            next = -1;
        }

        var nextIsUpper = next >= 0 && char.IsUpper(text[next]);
        var periods = run.Count('.');
        if (run.Contains('\u2026') || periods >= 2)
        {
            return nextIsUpper;
        }

        if (periods == 0)
        {
            // A semicolon ends a sentence only at the end of the text.
            return false;
        }

        var word = WordBefore(text, runStart);
        if (word.IsEmpty)
        {
            return true;
        }

        if (IsStreetType(word, out var isDrive))
        {
            // St. is Saint and Dr. is Doctor before a name ("St. Louis", "Dr. Smith"), never final then; both are street
            // types after a street's name ("He lives on Main St.", "on Elm Dr."), which may end a sentence. A street only
            // in the clear case: a capitalised word (or an ordinal, "5th St.") before it that does not start the
            // sentence, and after it a whole word from s_sentenceStarters (for Dr., not one a doctor is called by).
            // Otherwise the two sentences stay joined, the cheaper mistake (see the initialisms).
            return nextIsUpper && FollowsStreetName(text, runStart - word.Length)
                && IsWordIn(s_sentenceStarterLookup, text, next, out wordIncomplete) && !wordIncomplete
                && !(isDrive && IsWordIn(s_doctorNameLookup, text, next, out _));
        }

        if (s_neverFinalLookup.Contains(word))
        {
            return false;
        }

        if (word.Length == 1 && char.IsLetter(word[0]))
        {
            // An initial, as in "J. R. R. Tolkien".
            return false;
        }

        if (nextIsUpper && IsUpperCaseInitialism(word))
        {
            return !IsWordIn(s_nameContinuationLookup, text, next, out wordIncomplete) && !wordIncomplete;
        }

        if (word.Contains('.') || s_abbreviationLookup.Contains(word))
        {
            return nextIsUpper;
        }

        if (char.IsDigit(word[^1]))
        {
            if (IsListMarker(text, runStart, word))
            {
                return false;
            }

            // Judged by the next word's case, so not before it is there: "5. (about" continues the sentence.
            return next >= 0 && !char.IsLower(text[next]);
        }

        return true;
    }

    // "1. " to "999. " alone at the start of a line or of the text (where the aggregator's next sentence starts) numbers
    // a list item: it belongs to the item's sentence, so "Steps:\n1. Open the lid." is not cut after "1.".
    private static bool IsListMarker(ReadOnlySpan<char> text, int runStart, ReadOnlySpan<char> word)
    {
        var start = runStart - word.Length;
        if (word.Length > 3)
        {
            return false;
        }

        // A loop, not ContainsAnyExceptInRange('0', '9'), which allocates 96 bytes a call on .NET 10.0.12 (measured).
        foreach (var c in word)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        while (start > 0 && text[start - 1] is ' ' or '\t')
        {
            start--;
        }

        return start == 0 || text[start - 1] is '\n' or '\r';
    }

    private static ReadOnlySpan<char> WordBefore(ReadOnlySpan<char> text, int end)
    {
        var start = end;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }

        var word = text[start..end];
        var skip = 0;
        while (skip < word.Length && !char.IsLetterOrDigit(word[skip]))
        {
            skip++;
        }

        return word[skip..];
    }

    // Whether the word at start (letters only, so "Secretary-General" is "Secretary") is one of words. A word that
    // reaches the end of the text may still grow ("Arm" into "Army"): it is in none yet. So may one followed by digits
    // ("Then3"): the aggregator judges again where letters and digits end, not at a digit.
    private static bool IsWordIn(FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> words, ReadOnlySpan<char> text, int start, out bool incomplete)
    {
        var end = start;
        while (end < text.Length && char.IsLetter(text[end]))
        {
            end++;
        }

        var wordEnd = end;
        while (wordEnd < text.Length && char.IsLetterOrDigit(text[wordEnd]))
        {
            wordEnd++;
        }

        incomplete = wordEnd == text.Length;
        return !incomplete && words.Contains(text[start..end]);
    }

    // St (Street or Saint) and Dr (Drive or Doctor): the abbreviations that are a street type after a name and a title
    // before one.
    private static bool IsStreetType(ReadOnlySpan<char> word, out bool isDrive)
    {
        isDrive = word.Equals("dr", StringComparison.OrdinalIgnoreCase);
        return isDrive || word.Equals("st", StringComparison.OrdinalIgnoreCase);
    }

    // Whether the "St" or "Dr" at abbreviationStart follows a street's name: a word before it, set apart by whitespace,
    // that is capitalised ("Main", "O'Farrell") or an ordinal ("5th", "42nd"), and does not start the sentence ("Visit
    // St. Louis" has a capitalised word first only because a sentence starts with it; so has "Ask Dr. Then").
    private static bool FollowsStreetName(ReadOnlySpan<char> text, int abbreviationStart)
    {
        if (abbreviationStart == 0 || !char.IsWhiteSpace(text[abbreviationStart - 1]))
        {
            return false;
        }

        var end = abbreviationStart;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        var start = end;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }

        var name = text[start..end];
        if (name.IsEmpty || !char.IsLetterOrDigit(name[^1]) || !(char.IsUpper(name[0]) || IsOrdinal(name)))
        {
            return false;
        }

        // Sentence-initial: the first word of the text (which starts at a sentence start), or after a terminator,
        // possibly closed by a quote or bracket ("He said \"Go.\" Main St." is no street).
        var before = start;
        while (before > 0 && char.IsWhiteSpace(text[before - 1]))
        {
            before--;
        }

        while (before > 0 && IsClosingPunctuation(text[before - 1]))
        {
            before--;
        }

        return before > 0 && !IsTerminator(text[before - 1]);
    }

    // "1st", "2nd", "3rd", "42nd", "5th": digits and an ordinal suffix.
    private static bool IsOrdinal(ReadOnlySpan<char> word)
    {
        var digits = 0;
        while (digits < word.Length && char.IsAsciiDigit(word[digits]))
        {
            digits++;
        }

        var suffix = word[digits..];
        return digits > 0 && (suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase));
    }

    // "U.S", "U.K", "D.C" (the word before the final period): upper-case letters with a period among them. Lower-case
    // ones (a.m., p.m.) are not names, and a number ("3.5") has no letter.
    private static bool IsUpperCaseInitialism(ReadOnlySpan<char> word)
    {
        if (!word.Contains('.'))
        {
            return false;
        }

        var letters = 0;
        foreach (var c in word)
        {
            if (char.IsLetter(c))
            {
                if (!char.IsUpper(c))
                {
                    return false;
                }

                letters++;
            }
        }

        return letters > 0;
    }

    // The first letter or digit after from, or the first terminator if one comes before it; -1 if neither is there yet.
    private static int NextWordStart(ReadOnlySpan<char> text, int from)
    {
        for (var k = from; k < text.Length; k++)
        {
            if (char.IsLetterOrDigit(text[k]) || IsTerminator(text[k]))
            {
                return k;
            }
        }

        return -1;
    }
}
