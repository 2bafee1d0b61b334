using System.Text;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Aggregation;

public class TextAggregatorFuzzTests
{
    // About half a second; 200,000 texts (and other seeds) also gave no difference when this was written.
    private const int Texts = 20_000;

    // Words and punctuation that reach every rule of SentenceBoundary: titles, abbreviations, initialisms before name
    // continuations and before other capitalised words, numbers, list markers, ellipses (spaced too), quotes and
    // brackets, St. as Saint and as Street, Dr. as Doctor (before a sentence starter too: "Dr. Park") and as Drive, and
    // another script's terminator.
    private static readonly string[] s_fragments =
    [
        "Then", "He", "The", "It", "We", "I", "A", "Army", "Senate", "Paris", "Louis", "Paul's", "Main", "Elm", "Turn",
        "Park", "moved", "to", "the", "and", "left", "on", "lives", "a", "it", "5th", "x",
        "Mr.", "Dr.", "St.", "st.", "vs.", "e.g.", "etc.", "Inc.", "Jan.",
        "U.S.", "U.K.", "a.m.", "U.S.A.", "U.S",
        "3", "3.", "42.", "3.14", "1.", "911.", "v1.5",
        "...", "\u2026", ".", "!", "?", "?!", ";", "-", ". . .",
        "left.", "now!", "why?", "wait...", "so;", "end\u2026", "home.\"", "it.)",
        "\"Yes\"", "\"Stop.\"", "(about", "4)", "\"", "(", ")", "'", "**",
        "\u4F60\u597D\u3002", "\u3002",
    ];

    private static readonly string[] s_separators = [" ", " ", " ", " ", " ", " ", "  ", "\n", "\n\n", string.Empty];

    [Fact]
    public void Aggregate_RandomTextsInRandomChunks_EmitsWhatSplittingTheWholeTextEmits()
    {
        // The aggregator judges a terminator as soon as the text after it decides it, and some terminators (an
        // initialism before a capitalised word, a number) are left undecided until more arrives. However the text is
        // cut into chunks, what it sends must be what splitting the whole text at once gives.
        var random = new Random(20260301);
        var differences = new List<string>();
        var sentences = 0;
        for (var n = 0; n < Texts; n++)
        {
            var text = RandomText(random);
            var whole = SplitWhole(text);
            var streamed = Stream(text, random);
            sentences += whole.Count;
            if (!whole.SequenceEqual(streamed))
            {
                differences.Add($"{Show(text)}\n  whole:    {string.Join(" | ", whole.Select(Show))}\n  streamed: {string.Join(" | ", streamed.Select(Show))}");
            }

            // A sentence cut at a terminator always has something to speak: a lone "..." or "?!" is never sent. (The flush
            // is what is left at the turn's end, "**" or "(" included.)
            if (whole.SkipLast(1).FirstOrDefault(s => !s.Any(char.IsLetterOrDigit)) is { } empty)
            {
                differences.Add($"{Show(text)}\n  nothing to speak in {Show(empty)}");
            }
        }

        Assert.True(differences.Count == 0, $"{differences.Count} differences, e.g.:\n{string.Join("\n", differences.Take(10))}");

        // The corpus produces many splits, not just one sentence per text.
        Assert.True(sentences > 2 * Texts, $"{sentences} sentences");
    }

    private static string RandomText(Random random)
    {
        var builder = new StringBuilder();
        var count = random.Next(2, 20);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(s_separators[random.Next(s_separators.Length)]);
            }

            builder.Append(s_fragments[random.Next(s_fragments.Length)]);
        }

        return builder.ToString();
    }

    // What the aggregator would send for the whole text given at once: every complete sentence, then the flush.
    private static List<string> SplitWhole(string text)
    {
        var result = new List<string>();
        var rest = text;
        while (true)
        {
            var end = SentenceBoundary.FindEnd(rest);
            if (end <= 0 || end >= rest.TrimEnd().Length)
            {
                break;
            }

            var sentence = rest[..end].Trim();
            if (sentence.Length > 0)
            {
                result.Add(sentence);
            }

            rest = rest[end..];
        }

        if (rest.Trim().Length > 0)
        {
            result.Add(rest.Trim());
        }

        return result;
    }

    private static List<string> Stream(string text, Random random)
    {
        var aggregator = new TextAggregator();
        var result = new List<string>();
        for (var at = 0; at < text.Length;)
        {
            var size = Math.Min(random.Next(1, 12), text.Length - at);
            result.AddRange(aggregator.Aggregate(text.Substring(at, size)).Select(a => a.Text));
            at += size;
        }

        if (aggregator.Flush() is { } last)
        {
            result.Add(last.Text);
        }

        return result;
    }

    private static string Show(string s) => "\"" + s.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
