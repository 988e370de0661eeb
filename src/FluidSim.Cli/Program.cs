using System.CommandLine;
using FluidSim.Cli;

// One line per command group: a new group is a static class with `static Command Create()` added here.
var root = new RootCommand("fluidsim: simulate the KV-cache scheduling of an LLM decode node (see docs and specs).")
{
    GenerateCommand.Create(),
    SimulateCommand.Create(),
    SweepCommands.Create(),
    NodeCommand.Create(),
    PlotCommand.Create(),
    TraceCommands.Create(),
    ExperimentsCommand.Create(),
    FluidCommand.Create(),
    QueryCommand.Create(),
};

return await CliApplication.RunAsync(root, args);
