using System.Runtime.InteropServices;

namespace AsyncAI.TextToSpeech.Pipeline.Pipelines;

/// <summary>Runs a <see cref="PipelineTask"/>, optionally cancelling it on Ctrl+C / SIGTERM.</summary>
public sealed class PipelineRunner
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="handleSignals">Whether SIGINT (Ctrl+C) and SIGTERM cancel the running task (for console apps).</param>
    public PipelineRunner(bool handleSignals = false)
    {
        HandleSignals = handleSignals;
    }

    /// <summary>Gets whether SIGINT and SIGTERM cancel the running task.</summary>
    public bool HandleSignals { get; }

    /// <summary>Runs the task to its end.</summary>
    /// <param name="task">The task.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task that completes when the run is over.</returns>
    public async Task RunAsync(PipelineTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!HandleSignals)
        {
            await task.RunAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            task.Cancel($"Received {context.Signal}.");
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        await task.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
