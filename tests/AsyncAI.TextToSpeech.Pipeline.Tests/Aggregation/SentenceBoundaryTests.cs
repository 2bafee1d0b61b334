using System.Text.Json;
using AsyncAI.TextToSpeech.Pipeline.Aggregation;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.Aggregation;

/// <summary>The acceptance vectors of sentence-aggregation.json (copied from ../shared/spec; derived from Pipecat's test_utils_string.py).</summary>
public class SentenceBoundaryTests
{
    private static readonly JsonElement s_vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Aggregation", "sentence-aggregation.json"))).RootElement;

    public static TheoryData<string, int> ExactVectors()
    {
        var data = new TheoryData<string, int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in s_vectors.GetProperty("exact").EnumerateArray())
        {
            // The file lists a few vectors twice (as Pipecat's tests do); xunit would skip the duplicate ids noisily.
            if (seen.Add(item.GetProperty("text").GetString()!))
            {
                data.Add(item.GetProperty("text").GetString()!, item.GetProperty("end").GetInt32());
            }
        }

        return data;
    }

    public static TheoryData<string> ZeroVectors() => [.. s_vectors.GetProperty("zero").EnumerateArray().Select(e => e.GetString()!)];

    public static TheoryData<string> NonzeroVectors() => [.. s_vectors.GetProperty("nonzero").EnumerateArray().Select(e => e.GetString()!)];

    public static TheoryData<int> StreamingVectorIndexes() => [.. Enumerable.Range(0, s_vectors.GetProperty("streaming").GetArrayLength())];

    [Fact]
    public void Vectors_FileLoaded_HasEverySection()
    {
        Assert.True(s_vectors.GetProperty("exact").GetArrayLength() >= 30);
        Assert.True(s_vectors.GetProperty("zero").GetArrayLength() >= 20);
        Assert.True(s_vectors.GetProperty("nonzero").GetArrayLength() >= 30);
        Assert.True(s_vectors.GetProperty("streaming").GetArrayLength() >= 10);
    }

    [Theory]
    [MemberData(nameof(ExactVectors))]
    public void FindEnd_ExactVector_ReturnsExpectedLength(string text, int expected) => Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [MemberData(nameof(ZeroVectors))]
    public void FindEnd_IncompleteSentence_ReturnsZero(string text) => Assert.Equal(0, SentenceBoundary.FindEnd(text));

    [Theory]
    [MemberData(nameof(NonzeroVectors))]
    public void FindEnd_TerminatedSentenceInAnyScript_ReturnsNonZero(string text) => Assert.True(SentenceBoundary.FindEnd(text) > 0, text);

    [Theory]
    [MemberData(nameof(StreamingVectorIndexes))]
    public void Aggregate_StreamingVector_EmitsAndFlushesAsExpected(int index)
    {
        var vector = s_vectors.GetProperty("streaming")[index];
        var aggregator = new TextAggregator(TextAggregationMode.Sentence);
        var emitted = new List<string>();
        foreach (var piece in vector.GetProperty("feed").EnumerateArray())
        {
            emitted.AddRange(aggregator.Aggregate(piece.GetString()!).Select(a => a.Text));
        }

        Assert.Equal(vector.GetProperty("emitted").EnumerateArray().Select(e => e.GetString()!), emitted);
        Assert.Equal(vector.GetProperty("flush").GetString(), aggregator.Flush()?.Text);
    }

    [Theory]
    [InlineData("He said \"Stop.\" Then he left.", 15)]
    [InlineData("Wait... What happened?", 7)]
    [InlineData("Wait... and then nothing", 0)]
    [InlineData("It is 5 p.m. Time to go", 12)]
    [InlineData("Call me at 5 p.m. tomorrow", 0)]
    [InlineData("J. R. R. Tolkien wrote it", 0)]
    [InlineData("I counted 3. Then I stopped", 12)]
    [InlineData("Hello; world", 0)]
    [InlineData("Really?! Yes", 8)]
    [InlineData("1. Open it. Then", 11)]
    [InlineData("Do this:\n  2. Pour it. Then", 22)]
    [InlineData("Done.\n3. Close it", 5)]
    [InlineData("In 1990. Then", 8)]
    [InlineData("(1. Open it", 3)]
    public void FindEnd_LatinPunctuationRules_MatchPunktBehaviour(string text, int expected) => Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("Lakers vs. Celtics tonight.", 27)]
    [InlineData("Lakers vs. Celtics tonight. Then", 27)]
    [InlineData("The game, Lakers vs. Celtics, was close", 0)]
    [InlineData("See a guide, e.g. Chapter 3. Then", 28)]
    [InlineData("Use a framework, i.e. React. Then", 28)]
    [InlineData("We were approx. Twenty people. Then", 30)]
    [InlineData("As noted (cf. Smith 2020). Then", 26)]
    public void FindEnd_AbbreviationThatIntroducesWhatFollows_NeverEndsASentence(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("The U.S. Army arrived. Then", 22)]
    [InlineData("The U.K. Parliament voted. Then", 26)]
    [InlineData("The U.N. Security Council met. Then", 30)]
    [InlineData("A U.S. Open final. Then", 18)]
    [InlineData("The U.S. Secretary-General spoke. Then", 33)]
    [InlineData("He moved to the U.S. Then he left.", 20)]
    [InlineData("We landed in the U.K. Everyone cheered. Then", 21)]
    [InlineData("It is 5 p.m. Army time", 12)]
    public void FindEnd_InitialismBeforeACapitalisedWord_EndsASentenceUnlessTheWordContinuesAName(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("The U.S. A")]
    [InlineData("The U.S. Arm")]
    [InlineData("He moved to the U.S. Then")]
    public void FindEnd_InitialismBeforeAnUnfinishedCapitalisedWord_WaitsForTheWord(string text) =>
        Assert.Equal(0, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("He moved to the U.S. ... Then he left.", 24)]
    [InlineData("The U.S. ... Army arrived.", 12)]
    [InlineData("Wait. . . Then", 9)]
    [InlineData("Really? ?! Then", 10)]
    [InlineData("Done. \u2026 \"Yes\" she said", 7)]
    [InlineData("Hello. ... and then", 10)]
    [InlineData("Stop. ...", 9)]
    [InlineData("Hello. ...and then", 6)]
    [InlineData("I love C#. .NET is great.", 10)]
    public void FindEnd_TerminatorsAloneAfterASentenceEnd_BelongToThatSentence(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("... Anyway, here it is. Then", 23)]
    [InlineData("' ? etc. Louis", 8)]
    [InlineData("\u3002 \u4F60\u597D\u3002 \u4F60", 5)]
    [InlineData("etc. - ?! Then", 9)]
    [InlineData("He moved to the U.S. Then3 more", 20)]
    [InlineData("He moved to the U.S. Then3", 0)]
    public void FindEnd_NothingToSpeakOrAnotherTerminatorBeforeTheNextWord_DoesNotEndASentence(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("He lives on Main St. Then he left.", 20)]
    [InlineData("He lives on Main St. It's blue.", 20)]
    [InlineData("Meet me at 5th St. Turn left there.", 18)]
    [InlineData("Go down Elm St. The house is blue.", 15)]
    [InlineData("He lives on Elm Dr. Then he left.", 19)]
    [InlineData("Take Ocean Dr. It runs along the beach.", 14)]
    [InlineData("Meet me at 5th Dr. Turn left there.", 18)]
    public void FindEnd_StreetAfterAStreetNameBeforeASentenceStart_EndsASentence(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("He visited St. Paul's Cathedral. Then", 32)]
    [InlineData("St. Louis is big. Then", 17)]
    [InlineData("I live in St. Louis. Then", 20)]
    [InlineData("We reached Fort St. John by noon. Then", 33)]
    [InlineData("We saw Mount St. Helens erupt. Then", 30)]
    [InlineData("Main St. Then he left.", 22)]
    [InlineData("Dr. Smith is here. Then", 18)]
    [InlineData("I saw Dr. Jones today. Then", 22)]
    [InlineData("Ask Dr. Then", 0)]
    [InlineData("Yesterday Stanford's Dr. Park said so. Then", 38)]
    [InlineData("The BBC's Dr. Who is back. Then", 26)]
    [InlineData("Then Shenzhen's Dr. He Jiankui spoke. Then", 37)]
    [InlineData("He visited Elm Dr. Lucy lives there. Then", 36)]
    [InlineData("Elm Dr. Then he left.", 21)]
    public void FindEnd_SaintOrDoctorOrAnUnclearStreet_DoesNotEndASentence(string text, int expected) =>
        Assert.Equal(expected, SentenceBoundary.FindEnd(text));

    [Theory]
    [InlineData("He lives on Main St. Th")]
    [InlineData("He lives on Main St. Then")]
    [InlineData("He lives on Elm Dr. Th")]
    public void FindEnd_StreetBeforeAnUnfinishedWord_WaitsForTheWord(string text) =>
        Assert.Equal(0, SentenceBoundary.FindEnd(text));

    [Fact]
    public void FindEnd_PeriodsJudgedByTheWordsAroundThem_AllocatesNothing()
    {
        // Every period here is judged by the word before it (a title, an initial, an initialism, an abbreviation, a
        // number, St.) and none ends a sentence, so all of them are judged in one call.
        const string text = "Mr. Smith met Dr. J. R. Jones of the U.S. Army at 5 p.m. today, fig. 2, etc. and 3. more on Main St. Lucy";
        Assert.Equal(0, SentenceBoundary.FindEnd(text)); // also runs the static constructor before the measurement

        var before = GC.GetAllocatedBytesForCurrentThread();
        var end = SentenceBoundary.FindEnd(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, end);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void FindEnd_ArmenianQuestionMarkInsideWord_DoesNotSplitTheWord() =>
        Assert.Equal(0, SentenceBoundary.FindEnd("Ինչպե՞ս եք"));

    [Fact]
    public void FindEnd_LaoCancellationMark_IsNotATerminator() =>
        Assert.Equal(0, SentenceBoundary.FindEnd("\u0E81\u0ECC\u0E82"));

    [Fact]
    public void FindEnd_NonLatinTerminatorRun_IncludesTheWholeRun() =>
        Assert.Equal(4, SentenceBoundary.FindEnd("你好！！下"));
}
