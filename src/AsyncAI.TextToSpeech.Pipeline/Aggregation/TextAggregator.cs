namespace AsyncAI.TextToSpeech.Pipeline.Aggregation;

/// <summary>Groups streamed text into sentences (with one character of lookahead) or passes tokens through.</summary>
/// <remarks>
/// SENTENCE mode: a sentence-ending character arms a lookahead; whitespace does not end it; the next character that is
/// neither whitespace nor more closing punctuation asks <see cref="SentenceBoundary.FindEnd(ReadOnlySpan{char})"/> where
/// the first sentence ends. Waiting for that character is what keeps "Mr. Smith" and "$29.95" whole. A terminator
/// that needs more of the word after it ("U.S. A…" may be "U.S. Army") is judged again where a word starts or ends, so
/// a text streamed in any chunks is split as the whole text would be. Each
/// evaluation scans only the text after the terminators already settled, so a long text without a sentence end costs
/// linear time.
/// TOKEN mode passes each token through, holding back only a high surrogate at its end until the next token.
/// Not thread-safe: one owner (the TTS service's processing loop) uses it.
/// </remarks>
public sealed class TextAggregator
{
    /// <summary>The largest buffer (in characters) kept after a turn ends; a larger one is released at the flush or reset.</summary>
    internal const int MaxRetainedCapacity = 4096;

    private const int InitialCapacity = 256;

    private char[] _buffer = new char[InitialCapacity];
    private int _length;
    private int _settled;
    private bool _needsLookahead;
    private bool _undecided;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="mode">Sentence or token aggregation.</param>
    public TextAggregator(TextAggregationMode mode = TextAggregationMode.Sentence)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "The aggregation mode must be Sentence or Token.");
        }

        Mode = mode;
    }

    /// <summary>Gets the aggregation mode.</summary>
    public TextAggregationMode Mode { get; }

    /// <summary>Gets the text buffered and not yet returned.</summary>
    public string BufferedText => new(_buffer, 0, _length);

    /// <summary>Gets the buffer's size in characters (for tests).</summary>
    internal int Capacity => _buffer.Length;

    /// <summary>Adds text and returns every aggregate it completes.</summary>
    /// <param name="text">The new text.</param>
    /// <returns>The completed aggregates, oldest first (often none).</returns>
    public IReadOnlyList<TextAggregate> Aggregate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Mode == TextAggregationMode.Token)
        {
            return AggregateToken(text);
        }

        List<TextAggregate>? result = null;
        foreach (var c in text)
        {
            Append(c);
            if (_needsLookahead)
            {
                if (char.IsWhiteSpace(c) || SentenceBoundary.IsTerminator(c) || SentenceBoundary.IsClosingPunctuation(c))
                {
                    continue;
                }

                _needsLookahead = false;
                EmitCompleteSentences(ref result);
            }
            else
            {
                if (_undecided && char.IsLetterOrDigit(c) != char.IsLetterOrDigit(_buffer[_length - 2]))
                {
                    // A word has just started or ended. An undecided terminator judged by the next word's first letter
                    // ("3. - Then") or by all of it ("He moved to the U.S. Then") can now be judged: here, not at the next
                    // terminator's lookahead, which may come much later or never (the turn's last word, "U.S. Then."). Only
                    // at a word's edges, so a long run of punctuation after "Wait... " is not rescanned at each character.
                    EmitCompleteSentences(ref result);
                }

                _needsLookahead = SentenceBoundary.IsTerminator(c);
            }
        }

        return result ?? (IReadOnlyList<TextAggregate>)[];
    }

    /// <summary>Returns whatever is buffered (trimmed of spaces) and empties the buffer.</summary>
    /// <returns>The rest of the text, or null when nothing but whitespace was buffered (always null in TOKEN mode, where the
    /// only text ever held back is the first half of a surrogate pair whose second half never came).</returns>
    public TextAggregate? Flush()
    {
        var text = BufferedText.Trim();
        Reset();
        return text.Length == 0 || Mode == TextAggregationMode.Token ? null : new TextAggregate(text, AggregationType.Sentence);
    }

    /// <summary>Forgets buffered text (after an interruption).</summary>
    public void Reset()
    {
        if (_buffer.Length > MaxRetainedCapacity)
        {
            // A long turn without sentence ends (or one huge sentence) grew the buffer, up to the large-object heap; the
            // aggregator lives as long as its pipeline, so keeping that size would pin it for good. Ordinary turns stay
            // under the limit and reuse their buffer.
            _buffer = new char[InitialCapacity];
        }

        _length = 0;
        _settled = 0;
        _needsLookahead = false;
        _undecided = false;
    }

    // A token is passed through as it came, except a high surrogate at its end: it is held for the next token, which
    // starts with its low surrogate, so no piece sent to a provider holds half of an emoji (written as U+FFFD).
    private IReadOnlyList<TextAggregate> AggregateToken(string text)
    {
        if (_length > 0)
        {
            text = new string(_buffer, 0, _length) + text;
            _length = 0;
        }

        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            Append(text[^1]);
            text = text[..^1];
        }

        return text.Length == 0 ? [] : [new TextAggregate(text, AggregationType.Token)];
    }

    private void EmitCompleteSentences(ref List<TextAggregate>? result)
    {
        // The buffer ends with a character that is not a terminator, so every boundary found is followed by text: keep
        // emitting while the rest still holds a complete sentence, instead of leaving it until the next terminator.
        while (true)
        {
            var current = _buffer.AsSpan(0, _length);
            var end = SentenceBoundary.FindEnd(current, ref _settled);
            var trimmedLength = current.TrimEnd().Length;
            if (end <= 0 || end >= trimmedLength)
            {
                _undecided = _settled < trimmedLength;
                return;
            }

            var sentence = current[..end].Trim().ToString();
            current[end..].CopyTo(_buffer);
            _length -= end;
            _settled = 0;
            if (sentence.Length > 0)
            {
                (result ??= []).Add(new TextAggregate(sentence, AggregationType.Sentence));
            }
        }
    }

    private void Append(char c)
    {
        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer[_length++] = c;
    }
}
