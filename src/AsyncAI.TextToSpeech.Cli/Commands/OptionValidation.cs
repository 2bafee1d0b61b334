using System.CommandLine;
using System.Globalization;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>Range checks for integer options, reported as parse errors (exit code 2).</summary>
internal static class OptionValidation
{
    /// <summary>Adds a check that the option's value, when given, lies within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <remarks>
    /// Reads the token rather than the converted value: a token that is not a number already has its own parse
    /// error, and converting it again would throw instead.
    /// </remarks>
    public static void AcceptOnlyBetween(this Option<int> option, int min, int max, string message) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1
                && int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                && (value < min || value > max))
            {
                result.AddError(message);
            }
        });
}
