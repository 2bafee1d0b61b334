using AsyncAI.TextToSpeech.Pipeline.Aggregation;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Aggregation;

public class TextAggregatorTests
{
    [Fact]
    public void Aggregate_TrailingSpace_EmitsNothingAndFlushesTrimmedText()
    {
        var aggregator = new TextAggregator();
        Assert.Empty(aggregator.Aggregate("Hello "));
        Assert.Equal("Hello", aggregator.Flush()?.Text);
        Assert.Null(aggregator.Flush());
    }

    [Fact]
    public void Aggregate_TerminatorWithoutLookahead_WaitsForTheNextCharacter()
    {
        var aggregator = new TextAggregator();
        Assert.Empty(aggregator.Aggregate("Hello Pipecat!"));
        Assert.Empty(aggregator.Aggregate("  "));
        var emitted = aggregator.Aggregate("H");
        Assert.Equal(["Hello Pipecat!"], emitted.Select(a => a.Text));
        Assert.Equal(AggregationType.Sentence, emitted[0].Type);
        Assert.Equal("H", aggregator.Flush()?.Text);
    }

    [Fact]
    public void Aggregate_SeveralSentencesInOneChunk_EmitsEveryCompleteOne()
    {
        var aggregator = new TextAggregator();
        var emitted = aggregator.Aggregate("One thing. Another thing. And a third");
        Assert.Equal(["One thing.", "Another thing."], emitted.Select(a => a.Text));
        Assert.Equal("And a third", aggregator.Flush()?.Text);
    }

    [Fact]
    public void Aggregate_Ellipsis_IsNotCutBetweenItsDots()
    {
        var aggregator = new TextAggregator();
        var emitted = aggregator.Aggregate("This is a sentence... This is next");
        Assert.Equal(["This is a sentence..."], emitted.Select(a => a.Text));
    }

    [Fact]
    public void Aggregate_NumberedListStreamedByAnLlm_KeepsEachMarkerWithItsItem()
    {
        var aggregator = new TextAggregator();
        string[] tokens = ["Steps", ":\n", "1", ". ", "Open", " the", " lid", ".\n", "2", ". ", "Pour", " it", ".\n", "10", ".", " Close", " it", "."];
        var emitted = tokens.SelectMany(aggregator.Aggregate).Select(a => a.Text).ToList();
        Assert.Equal(["Steps:\n1. Open the lid.", "2. Pour it."], emitted);
        Assert.Equal("10. Close it.", aggregator.Flush()?.Text);
    }

    [Fact]
    public void Aggregate_LongTextWithoutASentenceEnd_KeepsItAllForTheFlush()
    {
        // Every token holds a period that ends no sentence ("v1.5", "911. now"), so each one arms the lookahead. Each
        // evaluation scans only what is new; it used to copy and rescan the whole buffer (quadratic: ~15 s for these
        // ~95,000 characters). How long this takes is measured by TextAggregatorBenchmarks, not here.
        var aggregator = new TextAggregator();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Empty(aggregator.Aggregate(i % 2 == 0 ? " v1.5" : " call 911. now"));
        }

        Assert.Equal((5_000 * 5) + (5_000 * 14) - 1, aggregator.Flush()?.Text.Length);
    }

    [Fact]
    public void Aggregate_TerminatorDecidedBeforeItsNextWordArrived_IsDecidedAgainAtTheNextTerminator()
    {
        // At the lookahead after "Wait... " only a quote follows, so the ellipsis cannot be judged yet (it ends a
        // sentence before a capitalised word). The next terminator's evaluation must look at it again.
        var aggregator = new TextAggregator();
        string[] tokens = ["Wait...", " \"", "Yes", "\" she said", ". Then", " etc. *", "*Bold", " stuff", ". Ok"];
        var emitted = tokens.SelectMany(aggregator.Aggregate).Select(a => a.Text);
        Assert.Equal(["Wait...", "\"Yes\" she said.", "Then etc.", "**Bold stuff."], emitted);
        Assert.Equal("Ok", aggregator.Flush()?.Text);
    }

    [Theory]
    [InlineData(new[] { "Lakers", " vs", ".", " Celtics", " tonight", ".", " Go" }, new[] { "Lakers vs. Celtics tonight." }, "Go")]
    [InlineData(new[] { "Try one, e", ".g", ". Paris", ". Then" }, new[] { "Try one, e.g. Paris." }, "Then")]
    [InlineData(new[] { "The", " U", ".S", ".", " Ar", "my", " arrived", ".", " Then" }, new[] { "The U.S. Army arrived." }, "Then")]
    [InlineData(new[] { "Back in the U.K.", " Parliament", " voted", ". Then" }, new[] { "Back in the U.K. Parliament voted." }, "Then")]
    [InlineData(new[] { "He moved to the U.S.", " Then", " he left" }, new[] { "He moved to the U.S." }, "Then he left")]
    [InlineData(new[] { "It costs 5", ".", " (", "about 4 euros)", " today", ".", " Next" }, new[] { "It costs 5. (about 4 euros) today." }, "Next")]
    [InlineData(new[] { "It costs 5", ".", " \"", "Cheap", "\" she said", ".", " Next" }, new[] { "It costs 5.", "\"Cheap\" she said." }, "Next")]
    [InlineData(new[] { "He lives on Main St", ".", " Th", "en", " he", " left", "." }, new[] { "He lives on Main St." }, "Then he left.")]
    [InlineData(new[] { "I visited St", ".", " Paul", "'s", " today", ". Then" }, new[] { "I visited St. Paul's today." }, "Then")]
    [InlineData(new[] { "He lives on Elm Dr", ".", " Th", "en", " he", " left", "." }, new[] { "He lives on Elm Dr." }, "Then he left.")]
    [InlineData(new[] { "I saw Dr", ".", " Th", "omas", " today", ". Then" }, new[] { "I saw Dr. Thomas today." }, "Then")]
    public void Aggregate_AbbreviationOrInitialismStreamed_SplitsOnlyWhereASentenceEnds(string[] feed, string[] emitted, string flush)
    {
        var aggregator = new TextAggregator();
        Assert.Equal(emitted, feed.SelectMany(aggregator.Aggregate).Select(a => a.Text));
        Assert.Equal(flush, aggregator.Flush()?.Text);
    }

    [Fact]
    public void Aggregate_InitialismEndingASentence_IsEmittedOnceTheNextWordEnds()
    {
        // "U.S." before "Then" is judged by the whole next word ("U.S. Army" continues), so it waits for the word's end,
        // not for the next sentence's terminator.
        var aggregator = new TextAggregator();
        Assert.Empty(aggregator.Aggregate("He moved to the U.S. Th"));
        Assert.Empty(aggregator.Aggregate("en"));
        Assert.Equal(["He moved to the U.S."], aggregator.Aggregate(" he").Select(a => a.Text));
        Assert.Equal(" Then he", aggregator.BufferedText);
    }

    [Theory]
    [InlineData(new[] { "He moved to the U.S.", " ...", " Then", " he left" }, new[] { "He moved to the U.S. ..." }, "Then he left")]
    [InlineData(new[] { "Wait", ".", " .", " .", " Then", " go" }, new[] { "Wait. . ." }, "Then go")]
    [InlineData(new[] { "Really", "?", " ", "?!" }, new string[0], "Really? ?!")]
    public void Aggregate_TerminatorsAloneAfterASentenceEnd_AreSentWithThatSentence(string[] feed, string[] emitted, string flush)
    {
        // Sent alone, "..." or "?!" would be a request with nothing to speak; the whole text is split the same way.
        var aggregator = new TextAggregator();
        Assert.Equal(emitted, feed.SelectMany(aggregator.Aggregate).Select(a => a.Text));
        Assert.Equal(flush, aggregator.Flush()?.Text);
        var whole = string.Concat(feed);
        Assert.Equal(emitted.Length == 0 ? whole.Length : emitted[0].Length, SentenceBoundary.FindEnd(whole));
    }

    [Theory]
    [InlineData(new[] { "I counted 3", ".", " -", " Then" }, new[] { "I counted 3." }, "- Then")]
    [InlineData(new[] { "Wait", "...", " (", "Now" }, new[] { "Wait..." }, "(Now")]
    [InlineData(new[] { "The U.S.", " Then", "." }, new[] { "The U.S." }, "Then.")]
    public void Aggregate_UndecidedTerminatorBeforeTheTurnsLastWord_IsJudgedBeforeTheFlush(string[] feed, string[] emitted, string flush)
    {
        // The last word has no lookahead and no word after it: the terminator before it is judged where that word starts
        // (by its first letter) or ends (by all of it), as splitting the whole text does, not left to the flush.
        var aggregator = new TextAggregator();
        Assert.Equal(emitted, feed.SelectMany(aggregator.Aggregate).Select(a => a.Text));
        Assert.Equal(flush, aggregator.Flush()?.Text);
    }

    [Fact]
    public void Aggregate_LongPunctuationRunAfterAnUndecidedTerminator_IsJudgedOnceAWordStarts()
    {
        // "Wait..." stays undecided until a word follows. It is judged again only where a word starts or ends, not at
        // each " -" (that rescanned the run at every character: ~8 s for these 40,000 characters).
        var aggregator = new TextAggregator();
        Assert.Empty(aggregator.Aggregate("Wait..."));
        for (var i = 0; i < 20_000; i++)
        {
            Assert.Empty(aggregator.Aggregate(" -"));
        }

        Assert.Equal(["Wait..."], aggregator.Aggregate(" N").Select(a => a.Text));
        Assert.StartsWith(" -", aggregator.BufferedText, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_TokenMode_PassesEveryNonEmptyInputThrough()
    {
        var aggregator = new TextAggregator(TextAggregationMode.Token);
        Assert.Equal(["Hi"], aggregator.Aggregate("Hi").Select(a => a.Text));
        Assert.Equal([" there."], aggregator.Aggregate(" there.").Select(a => a.Text));
        Assert.Equal(AggregationType.Token, aggregator.Aggregate("x")[0].Type);
        Assert.Empty(aggregator.Aggregate(string.Empty));
        Assert.Null(aggregator.Flush());
    }

    [Fact]
    public void Aggregate_TokenModeEndingInAHighSurrogate_HoldsItForTheNextToken()
    {
        var aggregator = new TextAggregator(TextAggregationMode.Token);
        Assert.Equal(["Hi "], aggregator.Aggregate("Hi \uD83D").Select(a => a.Text));
        Assert.Equal("\uD83D", aggregator.BufferedText);
        Assert.Empty(aggregator.Aggregate(string.Empty));
        Assert.Equal(["\uD83D\uDE00 there"], aggregator.Aggregate("\uDE00 there").Select(a => a.Text));
        Assert.Empty(aggregator.Aggregate("\uD83D"));
        Assert.Null(aggregator.Flush());
        Assert.Equal(string.Empty, aggregator.BufferedText);
    }

    [Fact]
    public void Reset_BufferedText_IsForgotten()
    {
        var aggregator = new TextAggregator();
        aggregator.Aggregate("Half a sent");
        aggregator.Reset();
        Assert.Equal(string.Empty, aggregator.BufferedText);
        Assert.Null(aggregator.Flush());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FlushOrReset_AfterALongTurn_ReleasesTheGrownBuffer(bool flush)
    {
        // One long response must not pin a large buffer for the rest of the pipeline's life.
        var aggregator = new TextAggregator();
        Assert.Empty(aggregator.Aggregate(new string('x', 100_000)));
        Assert.True(aggregator.Capacity >= 100_000);
        if (flush)
        {
            Assert.Equal(100_000, aggregator.Flush()?.Text.Length);
        }
        else
        {
            aggregator.Reset();
        }

        Assert.True(aggregator.Capacity <= TextAggregator.MaxRetainedCapacity, $"capacity {aggregator.Capacity}");
        Assert.Equal(["Again."], aggregator.Aggregate("Again. And").Select(a => a.Text));
    }

    [Fact]
    public void Flush_AfterATurnWithinTheRetainedCapacity_KeepsTheBuffer()
    {
        // The common path: an ordinary turn's buffer is reused, not reallocated, at every turn end.
        var aggregator = new TextAggregator();
        aggregator.Aggregate(new string('x', TextAggregator.MaxRetainedCapacity));
        var capacity = aggregator.Capacity;
        Assert.Equal(TextAggregator.MaxRetainedCapacity, capacity);
        aggregator.Flush();
        Assert.Equal(capacity, aggregator.Capacity);
    }

    [Fact]
    public void Constructor_UndefinedMode_ThrowsNamingTheParameter() =>
        Assert.Throws<ArgumentOutOfRangeException>("mode", () => new TextAggregator((TextAggregationMode)7));
}
