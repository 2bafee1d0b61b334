namespace AsyncAI.TextToSpeech.Tests.Languages;

public class AsyncAILanguagesTests
{
    [Theory]
    [InlineData(Language.En, "en")]
    [InlineData(Language.EnUs, "en")]
    [InlineData(Language.EnGb, "en")]
    [InlineData(Language.EnIn, "en")]
    [InlineData(Language.De, "de")]
    [InlineData(Language.DeDe, "de")]
    [InlineData(Language.DeCh, "de")]
    [InlineData(Language.PtBr, "pt")]
    [InlineData(Language.Es419, "es")]
    [InlineData(Language.Ar001, "ar")]
    [InlineData(Language.ZhTw, "zh")]
    [InlineData(Language.ZhCnSichuan, "zh")]
    [InlineData(Language.HeIl, "he")]
    [InlineData(Language.HyAm, "hy")]
    [InlineData(Language.NlBe, "nl")]
    public void ToAsyncCode_VerifiedLanguageOrVariant_GivesVerifiedBaseCode(Language language, string expected)
    {
        Assert.Equal(expected, AsyncAILanguages.ToAsyncCode(language));
        Assert.True(AsyncAILanguages.IsVerified(language));
    }

    [Theory]
    [InlineData(Language.Sv, "sv")]
    [InlineData(Language.SvSe, "sv")]
    [InlineData(Language.Ko, "ko")]
    [InlineData(Language.KoKr, "ko")]
    [InlineData(Language.Cmn, "cmn")]
    [InlineData(Language.Yue, "yue")]
    [InlineData(Language.Fil, "fil")]
    [InlineData(Language.IuCansCa, "iu")]
    [InlineData(Language.SrLatnRs, "sr")]
    [InlineData(Language.MyMr, "my")]
    [InlineData(Language.Xh, "xh")]
    [InlineData(Language.Af, "af")]
    public void ToAsyncCode_OtherLanguage_FallsBackToBaseCodeAndIsUnverified(Language language, string expected)
    {
        Assert.Equal(expected, AsyncAILanguages.ToAsyncCode(language));
        Assert.False(AsyncAILanguages.IsVerified(language));
    }

    [Fact]
    public void IsVerified_ExactlyTheSixteenDocumentedCodes()
    {
        var verifiedCodes = Enum.GetValues<Language>()
            .Where(AsyncAILanguages.IsVerified)
            .Select(AsyncAILanguages.ToAsyncCode)
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            ["ar", "de", "en", "es", "fr", "he", "hi", "hy", "it", "ja", "nl", "pt", "ro", "ru", "tr", "zh"],
            verifiedCodes);
        Assert.Equal(16, AsyncAILanguages.VerifiedCodes.Count);
    }

    [Fact]
    public void Language_HasPipecatsMembersAndContiguousValues()
    {
        var values = Enum.GetValues<Language>();

        Assert.Equal(Enumerable.Range(0, values.Length), values.Select(v => (int)v));
        Assert.True(values.Length >= 300, $"only {values.Length} members");
        foreach (var name in new[] { "Af", "AfZa", "Am", "AmEt", "Ar", "ArAe", "En", "EnAu", "EnGb", "EnIn", "EnUs", "De", "DeDe", "Zh", "ZhCn", "ZhTw", "Jw", "NbNo", "No", "IuLatnCa", "ZuZa" })
        {
            Assert.True(Enum.TryParse<Language>(name, out _), name);
        }
    }

    [Fact]
    public void ToBcp47_EveryMember_HasAUniqueTagThatParsesBack()
    {
        var tags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var language in Enum.GetValues<Language>())
        {
            var tag = AsyncAILanguages.ToBcp47(language);
            Assert.True(tags.Add(tag), $"duplicate tag {tag}");
            Assert.True(AsyncAILanguages.TryParse(tag, out var parsed), tag);
            Assert.Equal(language, parsed);
            Assert.Equal(AsyncAILanguages.ToAsyncCode(language), AsyncAILanguages.Normalize(tag));
        }
    }

    [Theory]
    [InlineData(Language.DeDe, "de-DE")]
    [InlineData(Language.EnUs, "en-US")]
    [InlineData(Language.Es419, "es-419")]
    [InlineData(Language.IuCansCa, "iu-Cans-CA")]
    [InlineData(Language.ZhCnGuangxi, "zh-CN-guangxi")]
    [InlineData(Language.Fil, "fil")]
    public void ToBcp47_GivesTheTag(Language language, string expected)
    {
        Assert.Equal(expected, AsyncAILanguages.ToBcp47(language));
    }

    [Theory]
    [InlineData("de-DE", "de")]
    [InlineData("en-US", "en")]
    [InlineData("en_US", "en")]
    [InlineData("EN", "en")]
    [InlineData("En-gB", "en")]
    [InlineData("zh-Hant-TW", "zh")]
    [InlineData("pt-BR", "pt")]
    [InlineData("sv-SE", "sv")]
    [InlineData(" fr-CA ", "fr")]
    [InlineData("ja", "ja")]
    [InlineData("he-IL", "he")]
    [InlineData("cmn-Hans-CN", "cmn")]
    public void Normalize_KnownLanguage_GivesLowerCaseBaseCode(string code, string expected)
    {
        Assert.Equal(expected, AsyncAILanguages.Normalize(code));
    }

    [Theory]
    [InlineData("klingon")]
    [InlineData("Klingon")]
    [InlineData("tlh")]
    [InlineData("xx-YY")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("-de")]
    public void Normalize_UnknownString_IsPassedThroughUnchanged(string code)
    {
        Assert.Same(code, AsyncAILanguages.Normalize(code));
    }

    [Fact]
    public void Normalize_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => AsyncAILanguages.Normalize(null!));
    }

    [Theory]
    [InlineData("de-DE", true)]
    [InlineData("nl", true)]
    [InlineData("HY", true)]
    [InlineData("sv-SE", false)]
    [InlineData("klingon", false)]
    public void IsVerifiedCode_ChecksTheNormalizedCode(string code, bool expected)
    {
        Assert.Equal(expected, AsyncAILanguages.IsVerifiedCode(code));
    }

    [Theory]
    [InlineData("de-DE", Language.DeDe)]
    [InlineData("de_de", Language.DeDe)]
    [InlineData("EN", Language.En)]
    [InlineData("en-us", Language.EnUs)]
    [InlineData("iu-cans-ca", Language.IuCansCa)]
    public void TryParse_KnownTag_GivesTheMember(string code, Language expected)
    {
        Assert.True(AsyncAILanguages.TryParse(code, out var language));
        Assert.Equal(expected, language);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("klingon")]
    [InlineData("en-XX")]
    public void TryParse_UnknownTag_IsFalse(string? code)
    {
        Assert.False(AsyncAILanguages.TryParse(code, out _));
    }

    [Fact]
    public void ToAsyncCode_UndefinedValue_ThrowsArgumentOutOfRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => AsyncAILanguages.ToAsyncCode((Language)100_000));

        Assert.Equal("language", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => AsyncAILanguages.IsVerified((Language)(-1)));
    }
}
