using System.Globalization;

namespace AsyncAI.TextToSpeech.Pipeline.Timing;

/// <summary>
/// The range a timeout can have here: positive, and no longer than a timer can wait. Task.Delay, CancelAfter and
/// TimeProvider timers reject more than 4,294,967,294 ms (≈ 49.7 days), so a longer value would pass construction and
/// throw later, at the first wait.
/// </summary>
internal static class TimeoutRange
{
    /// <summary>The longest wait a timer accepts.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Throws unless <paramref name="value"/> is positive and at most <see cref="Max"/> (or infinite, when allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range; the parameter name is <paramref name="name"/>.</exception>
    public static void Require(TimeSpan value, string name, bool allowInfinite = false)
    {
        if (allowInfinite && value == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        if (value <= TimeSpan.Zero || value > Max)
        {
            var infinite = allowInfinite ? " (or Timeout.InfiniteTimeSpan)" : string.Empty;
            throw new ArgumentOutOfRangeException(
                name,
                value,
                string.Create(CultureInfo.InvariantCulture, $"{name} must be positive and at most {Max.TotalDays:0.#} days{infinite}."));
        }
    }
}
