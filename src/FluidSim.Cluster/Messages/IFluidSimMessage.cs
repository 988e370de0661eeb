namespace FluidSim.Cluster.Messages;

/// <summary>
/// Marker for every message and persisted event of the sweep protocols. Everything that implements it is written by
/// <see cref="Serialization.FluidSimSerializer"/> (System.Text.Json with a short, stable manifest per type), so no
/// message falls back to Akka's default serializer and a renamed CLR type never breaks a stored journal.
/// </summary>
public interface IFluidSimMessage;
