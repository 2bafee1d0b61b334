using AsyncAI.TextToSpeech.Pipeline.Services;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>
/// A text filter that holds the thread processing one text (the service's data loop, or the queuing thread when the
/// service is idle) until released: it opens a window in which another thread (an interruption, a provider failing a
/// context) acts while that text is on its way to its context.
/// </summary>
internal sealed class HeldTextFilter : IDisposable
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Adds the filter to <paramref name="options"/>; it holds <paramref name="heldText"/> and passes everything else.</summary>
    public HeldTextFilter(TtsServiceOptions options, string heldText)
    {
        options.TextFilters.Add(text =>
        {
            if (text == heldText)
            {
                _entered.TrySetResult();
                _release.Wait(PipelineHarness.Timeout);
            }

            return text;
        });
    }

    /// <summary>Completes when the held text has reached the filter (and is held there).</summary>
    public Task Entered => _entered.Task.WaitAsync(PipelineHarness.Timeout);

    /// <summary>Lets the held text go on.</summary>
    public void Release() => _release.Set();

    public void Dispose() => _release.Dispose();
}
