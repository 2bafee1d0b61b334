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

    /// <summary>The harness option that turns it on for the child emulators this harness starts (the server side).</summary>
    public const string ServerInlineCompletionsOption = "--server-inline-completions";

    private static bool ServerInline { get; set; }

    /// <summary>
    /// Takes <see cref="InlineCompletionsOption"/> and <see cref="ServerInlineCompletionsOption"/> out of the arguments
    /// and applies them. The runtime reads the variable when the first socket is created, so this must run before
    /// anything opens one.
    /// </summary>
    public static string[] Apply(string[] args)
    {
        ServerInline = Array.IndexOf(args, ServerInlineCompletionsOption) >= 0;
        if (Array.IndexOf(args, InlineCompletionsOption) >= 0)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        return Array.FindAll(args, arg => arg is not (InlineCompletionsOption or ServerInlineCompletionsOption));
    }

    /// <summary>Gives a child emulator the server side's setting, whatever this process runs with.</summary>
    public static void ConfigureChild(ProcessStartInfo start)
    {
        if (ServerInline)
        {
            start.Environment[InlineCompletionsVariable] = "1";
        }
        else
        {
            start.Environment.Remove(InlineCompletionsVariable);
        }
    }

    /// <summary>Runtime, cores, GC mode and socket completion mode, for a harness's header.</summary>
    public static string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"runtime {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, inline socket completions: client {OnOff(Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1")}, child emulators {OnOff(ServerInline)}");

    private static string OnOff(bool on) => on ? "on" : "off";
}
