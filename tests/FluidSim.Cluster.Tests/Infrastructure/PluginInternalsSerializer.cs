using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>
/// Test-only stand-in for JVM Akka's <c>no-serialization-verification-needed-class-prefix</c>: with
/// <c>serialize-messages = on</c>, Akka.NET also verifies the local-only internal messages of plugins (the SQL journal's
/// <c>WriteFinished</c> holds a Task and can never be serialized), which would break persistence. Bound to
/// <see cref="object"/>, this serializer passes such messages through by reference, while every FluidSim type, bound to
/// the FluidSim serializer, is still really serialized; a FluidSim type reaching this one fails the test.
/// </summary>
public sealed class PluginInternalsSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The HOCON that binds it; pair it with <see cref="TestNode.StrictSerialization"/>.</summary>
    public const string Hocon =
        """
        akka.actor.serializers.plugin-internals = "FluidSim.Cluster.Tests.Infrastructure.PluginInternalsSerializer, FluidSim.Cluster.Tests"
        akka.actor.serialization-bindings { "System.Object" = plugin-internals }
        """;

    private static readonly ConcurrentDictionary<Guid, object> InFlight = new();

    public override int Identifier => 4799;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        if (obj.GetType().FullName?.StartsWith("FluidSim.", StringComparison.Ordinal) == true)
        {
            throw new SerializationException($"{obj.GetType().FullName} is not bound to the FluidSim serializer: does it implement IFluidSimMessage?");
        }
        var id = Guid.NewGuid();
        InFlight[id] = obj;
        return id.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, Type type) =>
        InFlight.TryRemove(new Guid(bytes), out var obj) ? obj : throw new SerializationException("unknown pass-through message");
}
