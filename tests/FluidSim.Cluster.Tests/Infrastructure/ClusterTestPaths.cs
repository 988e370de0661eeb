namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>Where the cluster tests put results and job state inside a test's <see cref="TempDirectory"/>.</summary>
public static class ClusterTestPaths
{
    extension(TempDirectory directory)
    {
        /// <summary>The results root a test's sweeps write to (not created: some tests check nothing is written).</summary>
        public string Results => directory.File("results");

        /// <summary>The journal of an actor-level test node.</summary>
        public string Database => System.IO.Path.Combine(directory.Path, "state", "journal.db");
    }
}
