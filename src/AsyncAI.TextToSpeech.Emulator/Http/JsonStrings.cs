using System.Text.Json;

namespace AsyncAI.TextToSpeech.Emulator;

/// <summary>Checks that every string in a client's JSON can be read.</summary>
/// <remarks>
/// <c>"\ud800"</c> is valid JSON and valid UTF-8, but <see cref="JsonElement.GetString"/> throws
/// <see cref="InvalidOperationException"/> on an escaped lone surrogate. Checked once on arrival, so such input is a
/// validation error instead of an exception in the middle of a handler.
/// </remarks>
internal static class JsonStrings
{
    public static bool AllReadable(JsonElement element)
    {
        try
        {
            Visit(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Visit(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Visit(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
