using AsyncAI.TextToSpeech.AI;

namespace AsyncAI.TextToSpeech.Tests.AI;

public class AudioMediaTypesTests
{
    [Theory]
    [InlineData("raw", "raw", null, null)]
    [InlineData("PCM", "raw", null, null)]
    [InlineData("pcm_s16le", "raw", "pcm_s16le", null)]
    [InlineData("pcm_f32le", "raw", "pcm_f32le", null)]
    [InlineData("ulaw", "raw", "pcm_mulaw", null)]
    [InlineData("wav", "wav", null, null)]
    [InlineData("audio/x-wav", "wav", null, null)]
    [InlineData("audio/wav; rate=16000", "wav", null, 16000)]
    [InlineData("mp3", "mp3", null, null)]
    [InlineData("audio/mpeg", "mp3", null, null)]
    [InlineData("audio/pcm;codec=s16le;rate=24000;channels=1", "raw", "pcm_s16le", 24000)]
    [InlineData("audio/pcm;codec=f32le;rate=44100;channels=1", "raw", "pcm_f32le", 44100)]
    [InlineData("audio/pcmu;rate=8000;channels=1", "raw", "pcm_mulaw", 8000)]
    [InlineData("audio/pcmu;codec=mulaw", "raw", "pcm_mulaw", null)] // a codec that repeats what the name says
    [InlineData("pcm_s16le;codec=s16le;rate=16000", "raw", "pcm_s16le", 16000)]
    [InlineData("audio/pcm;codec=mulaw", "raw", "pcm_mulaw", null)]
    [InlineData("audio/pcm;rate=16000;rate=16000", "raw", null, 16000)]
    [InlineData("audio/wav;codec=f32le;rate=16000", "wav", "pcm_f32le", 16000)] // a WAV file's samples
    [InlineData("audio/mpeg;codec=mp3", "mp3", null, null)]
    public void Parse_KnownFormat_ContainerEncodingAndRate(string value, string container, string? encoding, int? sampleRate)
    {
        Assert.True(AudioMediaTypes.Parse(value, out var format, out var reason), reason);

        Assert.Equal(new AudioFormatRequest(container, encoding, sampleRate), format);
    }

    [Theory]
    [InlineData("raw", "pcm_s16le", 24000)]
    [InlineData("raw", "pcm_f32le", 48000)]
    [InlineData("raw", "pcm_mulaw", 8000)]
    [InlineData("wav", "pcm_s16le", 22050)]
    [InlineData("mp3", "pcm_s16le", 44100)]
    public void For_EmittedMediaType_ParsesBackToTheSameAudio(string container, string encoding, int sampleRate)
    {
        var mediaType = AudioMediaTypes.For(container, encoding, sampleRate);

        Assert.True(AudioMediaTypes.Parse(mediaType, out var format, out _));
        Assert.Equal(container, format.Container);
        if (container == "raw")
        {
            Assert.Equal(encoding, format.Encoding);
            Assert.Equal(sampleRate, format.SampleRate);
        }
    }

    [Theory]
    [InlineData("audio/L16", "big-endian")]
    [InlineData("opus", "raw PCM, WAV and MP3")]
    [InlineData("audio/pcm;rate=fast", "rate")]
    [InlineData(";", "empty")]
    public void Parse_UnsupportedFormat_FalseWithReason(string value, string expected)
    {
        Assert.False(AudioMediaTypes.Parse(value, out _, out var reason));

        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audio/pcmu;codec=s16le", "codec 's16le' (pcm_s16le) contradicts audio/pcmu (pcm_mulaw)")]
    [InlineData("audio/basic;codec=f32le", "codec 'f32le' (pcm_f32le) contradicts audio/basic (pcm_mulaw)")]
    [InlineData("pcm_s16le;codec=f32le", "codec 'f32le' (pcm_f32le) contradicts pcm_s16le (pcm_s16le)")]
    [InlineData("ULAW;codec=s16le", "contradicts ULAW (pcm_mulaw)")]
    [InlineData("audio/pcm;codec=s16le;codec=f32le", "codec 'f32le' (pcm_f32le) contradicts codec=s16le (pcm_s16le)")]
    [InlineData("audio/pcm;rate=16000;rate=24000", "rate 24000 contradicts its rate 16000")]
    [InlineData("audio/mpeg;codec=s16le", "MP3")]
    [InlineData("mp3;codec=opus", "MP3")]
    [InlineData("audio/wav;codec=mulaw", "WAV")]
    public void Parse_ContradictoryFormat_FalseWithReason(string value, string expected)
    {
        Assert.False(AudioMediaTypes.Parse(value, out var format, out var reason));

        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.Equal(default, format);
    }
}
