namespace AsyncAI.TextToSpeech.Tests.Audio;

public class AudioChunkTests
{
    [Theory]
    [InlineData("pcm_s16le", 960, 24000, 20)]
    [InlineData("pcm_f32le", 1920, 24000, 20)]
    [InlineData("pcm_mulaw", 160, 8000, 20)]
    public void Duration_Pcm_FollowsBytesAndRate(string encoding, int bytes, int sampleRate, int expectedMs)
    {
        var chunk = new AudioChunk(new byte[bytes], sampleRate, 1, encoding, contextId: null, arrivalTimestamp: 0);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), chunk.Duration);
    }

    [Fact]
    public void Duration_Mp3_IsUnknownRatherThanZero()
    {
        var chunk = new AudioChunk(new byte[417], 44100, 1, "mp3", contextId: null, arrivalTimestamp: 0);

        Assert.Null(chunk.Duration);
    }
}
