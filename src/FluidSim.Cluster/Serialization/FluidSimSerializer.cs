using Akka.Actor;
using Akka.Serialization;

namespace FluidSim.Cluster.Serialization;

/// <summary>
/// Akka serializer for every <see cref="Messages.IFluidSimMessage"/>, on the wire and in the journal; registered by
/// <see cref="Hosting.FluidSimHostingExtensions.WithFluidSimSerialization"/>.
/// </summary>
public sealed class FluidSimSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Stable id stored beside every journal entry; Akka reserves 0-100 for its own serializers.</summary>
    public const int SerializerId = 4711;

    public override int Identifier => SerializerId;

    public override byte[] ToBinary(object obj) => FluidSimJson.ToBytes(obj);

    public override object FromBinary(byte[] bytes, string manifest) => FluidSimJson.FromBytes(bytes, manifest);

    public override string Manifest(object o) => FluidSimJson.Manifest(o);
}
