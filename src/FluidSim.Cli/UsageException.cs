namespace FluidSim.Cli;

/// <summary>A bad command-line option value the parser could not catch (a range, a combination); exit code 2.</summary>
/// <param name="option">The option at fault, as typed (<c>--num-requests</c>).</param>
public sealed class UsageException(string option, string problem) : Exception($"{option}: {problem}")
{
    public string Option { get; } = option;
}
