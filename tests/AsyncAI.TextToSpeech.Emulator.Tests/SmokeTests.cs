namespace AsyncAI.TextToSpeech.Emulator.Tests;

public class SmokeTests
{
    [Fact]
    public void AssemblyLoads() => Assert.NotNull(typeof(SmokeTests).Assembly.GetName().Name);
}
