using AsyncAI.TextToSpeech.Emulator;

namespace AsyncAI.TextToSpeech.Cli.Tests.Infrastructure;

/// <summary>
/// One emulator per test class, started in the test process and passed to the CLI with <c>--url</c>: a child process
/// that does not have to start its own emulator costs about half the CPU, which matters on a loaded 2-core machine.
/// The built-in emulator path (no key, no URL) keeps its own tests.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private AsyncAIEmulator? _emulator;

    public AsyncAIEmulator Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    public string Url => Emulator.HttpBaseUrl.ToString();

    public async Task InitializeAsync() => _emulator = await AsyncAIEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}
