using AsyncAI.TextToSpeech.Pipeline.Aggregation;
using BenchmarkDotNet.Attributes;

namespace AsyncAI.TextToSpeech.Benchmarks.Aggregation;

/// <summary>
/// SENTENCE-mode aggregation of an LLM-like token stream, per token. Three streams: ordinary sentences, one whose
/// periods end no sentence ("v1.5", "911. now"), so every token arms the lookahead while the buffer keeps growing, and
/// one dense with periods judged by the word before them (titles, initials, initialisms, abbreviations, numbers). The
/// cost per token must not grow with <see cref="Tokens"/>: the lookahead scans only what is new, not the whole buffer.
/// </summary>
[MemoryDiagnoser]
public class TextAggregatorBenchmarks
{
    private static readonly string[] Sentences = ["Hello", " there", ".", " The", " weather", " is", " fine", " today", "!", " Dr", ".", " Smith", " said", " 3", ".", "14", " is", " pi", "."];
    private static readonly string[] NoEnd = [" v1.5", " call 911. now"];

    // Every period here is judged by the word before it (and most by the word after it too).
    private static readonly string[] Abbreviations =
    [
        " Mr", ".", " Smith", " met", " Dr", ".", " J", ".", " R", ".", " Jones", " of", " the", " U", ".S", ".", " Army",
        " at", " 5", " p", ".m", ".", " It", " cost", " 3", ".", " Then", " Lakers", " vs", ".", " Celtics", ",", " fig",
        ".", " 2", ",", " etc", ".", " The", " U", ".K", ".", " Then", " Main", " St", ".", " He", " left", ".",
    ];

    /// <summary>Tokens per turn (the unended stream's buffer grows to about 9.5 characters per token).</summary>
    [Params(1_000, 10_000)]
    public int Tokens { get; set; }

    /// <summary>Aggregates <see cref="Tokens"/> tokens of ordinary sentences, then flushes.</summary>
    /// <returns>The number of aggregates.</returns>
    [Benchmark(Baseline = true)]
    public int SentencesStream() => Run(Sentences);

    /// <summary>Aggregates <see cref="Tokens"/> tokens that never end a sentence, then flushes.</summary>
    /// <returns>The number of aggregates.</returns>
    [Benchmark]
    public int UnendedStream() => Run(NoEnd);

    /// <summary>Aggregates <see cref="Tokens"/> tokens dense with abbreviations, initials and numbers, then flushes.</summary>
    /// <returns>The number of aggregates.</returns>
    [Benchmark]
    public int AbbreviationsStream() => Run(Abbreviations);

    private int Run(string[] tokens)
    {
        var aggregator = new TextAggregator();
        var count = 0;
        for (var i = 0; i < Tokens; i++)
        {
            count += aggregator.Aggregate(tokens[i % tokens.Length]).Count;
        }

        return count + (aggregator.Flush() is null ? 0 : 1);
    }
}
