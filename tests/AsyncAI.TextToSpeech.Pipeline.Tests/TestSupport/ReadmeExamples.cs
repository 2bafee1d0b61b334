using System.Text.RegularExpressions;

namespace AsyncAI.TextToSpeech.Pipeline.Tests.TestSupport;

/// <summary>Ties README code to the tests that run it: the repository's README and the marked examples of a test file.</summary>
internal static class ReadmeExamples
{
    /// <summary>The README's text with "\n" line endings.</summary>
    public static string Readme() => File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");

    /// <summary>
    /// The code between <c>// --- the example…</c> and <c>// --- end of example ---</c> in a file of this project's
    /// <c>Services</c> folder, in order, without the eight spaces of a test method's body.
    /// </summary>
    public static List<string> InServicesTest(string fileName)
    {
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "AsyncAI.TextToSpeech.Pipeline.Tests", "Services", fileName));
        return
        [
            .. Regex.Matches(source.ReplaceLineEndings("\n"), @"// --- the example[^\n]*\n(?<code>.*?)\n[ ]*// --- end of example ---", RegexOptions.Singleline)
                .Select(m => string.Join('\n', m.Groups["code"].Value.Split('\n').Select(line => line.StartsWith("        ", StringComparison.Ordinal) ? line[8..] : line))),
        ];
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AsyncAI.TextToSpeech.slnx")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return root.FullName;
    }
}
