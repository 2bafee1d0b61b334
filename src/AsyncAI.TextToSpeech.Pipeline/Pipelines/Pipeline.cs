using AsyncAI.TextToSpeech.Pipeline.Frames;
using AsyncAI.TextToSpeech.Pipeline.Processors;

namespace AsyncAI.TextToSpeech.Pipeline.Pipelines;

/// <summary>Processors linked in a row: downstream frames enter at the first, upstream frames at the last.</summary>
/// <remarks>
/// A pipeline is itself a processor, so pipelines nest. It adds no queue of its own: frames go straight to the processor
/// at the edge they enter. Setup and cleanup fan out to every processor concurrently.
/// </remarks>
public sealed class Pipeline : FrameProcessor
{
    private readonly FrameProcessor[] _processors;
    private readonly PipelineEdge _source;
    private readonly PipelineEdge _sink;

    /// <summary>Initializes a new pipeline.</summary>
    /// <param name="processors">The processors, source side first.</param>
    /// <exception cref="ArgumentException">A processor is null or appears twice.</exception>
    public Pipeline(params IEnumerable<FrameProcessor> processors)
        : base(null)
    {
        ArgumentNullException.ThrowIfNull(processors);
        _processors = [.. processors];
        var seen = new HashSet<FrameProcessor>(ReferenceEqualityComparer.Instance);
        foreach (var processor in _processors)
        {
            if (processor is null)
            {
                throw new ArgumentException("A pipeline cannot contain a null processor.", nameof(processors));
            }

            if (!seen.Add(processor))
            {
                throw new ArgumentException($"{processor.Name} appears twice; a processor can have one place in a pipeline.", nameof(processors));
            }
        }

        _source = new PipelineEdge(this, isSource: true);
        _sink = new PipelineEdge(this, isSource: false);
        FrameProcessor previous = _source;
        foreach (var processor in _processors)
        {
            previous.Link(processor);
            previous = processor;
        }

        previous.Link(_sink);
    }

    /// <summary>Gets the processors, source side first.</summary>
    public IReadOnlyList<FrameProcessor> Processors => _processors;

    private protected override bool IsDirect => true;

    /// <inheritdoc />
    protected override async ValueTask OnSetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken) =>
        await Task.WhenAll(_processors.Select(p => p.SetupAsync(setup, cancellationToken))).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async ValueTask OnCleanupAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_processors.Select(p => p.CleanupAsync(cancellationToken))).ConfigureAwait(false);

    private protected override void ProcessDirect(Frame frame, FrameDirection direction)
    {
        if (direction == FrameDirection.Downstream)
        {
            _source.Send(frame, FrameDirection.Downstream);
        }
        else
        {
            _sink.Send(frame, FrameDirection.Upstream);
        }
    }

    /// <summary>The pipeline's two ends: frames leaving the row continue to the pipeline's own neighbours.</summary>
    private sealed class PipelineEdge(Pipeline owner, bool isSource) : FrameProcessor(owner.Name + (isSource ? "::Source" : "::Sink"))
    {
        private protected override bool IsDirect => true;

        private protected override void ProcessDirect(Frame frame, FrameDirection direction)
        {
            var leaving = isSource ? direction == FrameDirection.Upstream : direction == FrameDirection.Downstream;
            if (leaving)
            {
                owner.Send(frame, direction);
            }
            else
            {
                Send(frame, direction);
            }
        }
    }
}
