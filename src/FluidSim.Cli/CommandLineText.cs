using System.Reflection;
using System.Text.RegularExpressions;

namespace FluidSim.Cli;

/// <summary>The command line and version recorded in an experiment's metadata.</summary>
public static partial class CommandLineText
{
    /// <summary>The informational version of the <c>fluidsim</c> assembly.</summary>
    public static string ToolVersion { get; } =
        typeof(CommandLineText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>This process's command as <c>fluidsim ARGS</c>, each argument shell-quoted where needed so it can be pasted back.</summary>
    public static string Current() => Format(Environment.GetCommandLineArgs().Skip(1));

    public static string Format(IEnumerable<string> args) =>
        string.Join(' ', new[] { "fluidsim" }.Concat(args.Select(Quote)));

    private static string Quote(string arg) =>
        arg.Length > 0 && SafeArgument().IsMatch(arg) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_./=:,@+%-]+$")]
    private static partial Regex SafeArgument();
}
