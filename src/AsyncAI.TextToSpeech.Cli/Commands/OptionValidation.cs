using System.CommandLine;
using System.Globalization;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary>
/// Checks of option values, reported as parse errors (exit code 2) that name the flag and what it accepts, before
/// the value reaches an options type whose own exception would name its property instead.
/// </summary>
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

    /// <summary>Adds a check that the option's value, when given, is a finite number that <paramref name="isAllowed"/> accepts.</summary>
    /// <remarks>NaN and infinity parse as numbers, so they are refused here. A token that is not a number is left to its own parse error.</remarks>
    public static void AcceptOnly(this Option<double> option, Func<double, bool> isAllowed, string message) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1
                && double.TryParse(result.Tokens[0].Value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value)
                && !(double.IsFinite(value) && isAllowed(value)))
            {
                result.AddError(message);
            }
        });

    /// <summary>Adds a check that the option's value, when given, is not empty or only whitespace.</summary>
    public static void AcceptOnlyNonBlank(this Option<string> option, string message) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError(message);
            }
        });
}
