using Akka.Actor;
using FluidSim.Cluster.Messages;

namespace FluidSim.Cluster.Workers;

/// <summary>The parent of a node's <see cref="SweepWorker"/>s: starts them, and hands every lease back on <see cref="ReturnLeases"/>.</summary>
/// <remarks>Registered in the actor registry, so coordinated shutdown and an embedded host reach all workers through it.</remarks>
public sealed class SweepWorkerPool : ReceiveActor
{
    /// <summary>How long a worker may take to hand its lease back and see its reports acknowledged.</summary>
    public static readonly TimeSpan ReturnTimeout = TimeSpan.FromSeconds(10);

    public SweepWorkerPool(IActorRef coordinator, SweepWorkerSettings settings, int count)
    {
        var workers = Enumerable.Range(1, count)
            .Select(i => Context.ActorOf(SweepWorker.Props(coordinator, settings), $"sweep-worker-{i}"))
            .ToArray();

        Receive<ReturnLeases>(request =>
        {
            Task.WhenAll(workers.Select(w => w.Ask<LeasesReturned>(request, ReturnTimeout)))
                .PipeTo(Sender, success: returned => new LeasesReturned(returned.Sum(r => r.Returned)));
        });
    }

    public static Props Props(IActorRef coordinator, SweepWorkerSettings settings, int count) =>
        Akka.Actor.Props.Create(() => new SweepWorkerPool(coordinator, settings, count));
}
