using System.Diagnostics;
using System.Globalization;

namespace AsyncAI.TextToSpeech.Benchmarks;

/// <summary>Process-wide runtime settings the harnesses can switch on, and the line that reports them.</summary>
internal static class BenchRuntime
{
    /// <summary>The runtime's switch that runs socket completions on the epoll thread instead of a pool thread.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The harness option that turns it on for this (the client) process only.</summary>
    public const string InlineCompletionsOption = "--inline-completions";

    /// <summary>Gets whether <see cref="InlineCompletionsOption"/> was given (child emulators then run without it).</summary>
    private static bool InlineCompletionsForClientOnly { get; set; }

    /// <summary>
    /// Takes <see cref="InlineCompletionsOption"/> out of the arguments and applies it. The runtime reads the variable
    /// when the first socket is created, so this must run before anything opens one.
    /// </summary>
    public static string[] Apply(string[] args)
    {
        if (Array.IndexOf(args, InlineCompletionsOption) < 0)
        {
            return args;
        }

        Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        InlineCompletionsForClientOnly = true;
        return Array.FindAll(args, arg => arg != InlineCompletionsOption);
    }

    /// <summary>Keeps a child emulator on the runtime's defaults when <see cref="InlineCompletionsOption"/> applies to this process only.</summary>
    public static void ConfigureChild(ProcessStartInfo start)
    {
        if (InlineCompletionsForClientOnly)
        {
            start.Environment.Remove(InlineCompletionsVariable);
        }
    }

    /// <summary>Runtime, cores, GC mode and socket completion mode, for a harness's header.</summary>
    public static string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"runtime {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, inline socket completions {(Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1" ? "on" : "off")}");
}
