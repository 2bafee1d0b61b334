using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AsyncAI.TextToSpeech.Cli.Service;
using AsyncAI.TextToSpeech.Http;
using AsyncAI.TextToSpeech.Protocol;

namespace AsyncAI.TextToSpeech.Cli.Commands;

/// <summary><c>asyncai-tts voices</c>: lists voices as a table or JSON.</summary>
internal static class VoicesCommand
{
    private static readonly string[] Genders = ["Male", "Female", "Neutral", "Unspecified"];

    // Relaxed escaping: this JSON is for people and jq, not for embedding in HTML.
    private static readonly JsonSerializerOptions IndentedJson = new(AsyncAIJsonContext.Default.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var language = new Option<string?>("--language") { Description = "Only voices speaking this language (en, de, …)", HelpName = "CODE" };
        var gender = new Option<string?>("--gender") { Description = "Only voices of this gender: male, female, neutral, unspecified", HelpName = "GENDER" };
        gender.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not null && NormalizeGender(value) is null)
            {
                result.AddError($"--gender '{value}' is not one of male, female, neutral, unspecified.");
            }
        });
        var limit = new Option<int>("--limit") { Description = "At most this many voices", HelpName = "N", DefaultValueFactory = _ => 50 };
        limit.AcceptOnlyBetween(1, int.MaxValue, "--limit must be at least 1.");
        var json = new Option<bool>("--json") { Description = "Print the voices as JSON (the service's fields)" };
        var connection = new ConnectionOptions();

        var command = new Command("voices", "List the available voices");
        command.Options.Add(language);
        command.Options.Add(gender);
        command.Options.Add(limit);
        command.Options.Add(json);
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var max = parseResult.GetValue(limit);
            var languageCode = parseResult.GetValue(language);
            var filter = new AsyncAIVoiceFilter
            {
                Language = string.IsNullOrWhiteSpace(languageCode) ? null : AsyncAILanguages.Normalize(languageCode.Trim()),
                Gender = parseResult.GetValue(gender) is { } g ? NormalizeGender(g) : null,
                PageSize = Math.Min(max, 100),
            };

            await using var target = await connection.ResolveAsync(parseResult, console, cancellationToken);
            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose));
            using var httpClient = new HttpClient();
            var client = new AsyncAIHttpClient(httpClient, new AsyncAIHttpOptions(target.ApiKey) { BaseUrl = target.HttpBaseUrl }, loggerFactory);

            var voices = new List<Voice>();
            await foreach (var voice in client.ListVoicesAsync(filter, cancellationToken))
            {
                voices.Add(voice);
                if (voices.Count >= max)
                {
                    break;
                }
            }

            if (parseResult.GetValue(json))
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize<IReadOnlyList<Voice>>(voices, IndentedJson));
            }
            else if (voices.Count == 0)
            {
                await console.Error.WriteLineAsync("No voices match the filters.");
            }
            else
            {
                await console.Out.WriteAsync(FormatTable(voices));
            }

            await console.Out.FlushAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Formats voices as a fixed-width table with a header row.</summary>
    internal static string FormatTable(IReadOnlyList<Voice> voices)
    {
        string[] header = ["VOICE ID", "NAME", "LANGUAGE", "GENDER", "ACCENT"];
        var rows = voices
            .Select(v => new[] { v.VoiceId, Shorten(v.Name, 28), v.Language ?? "", v.Gender ?? "", Shorten(v.Accent, 20) })
            .Prepend(header)
            .ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();

        var table = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                table.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            table.Append('\n');
        }

        table.Append(CultureInfo.InvariantCulture, $"{voices.Count} voice{(voices.Count == 1 ? "" : "s")}\n");
        return table.ToString();
    }

    private static string Shorten(string? text, int max)
    {
        text = text?.ReplaceLineEndings(" ").Trim() ?? "";
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
    }

    private static string? NormalizeGender(string value) =>
        Array.Find(Genders, g => string.Equals(g, value.Trim(), StringComparison.OrdinalIgnoreCase));
}
