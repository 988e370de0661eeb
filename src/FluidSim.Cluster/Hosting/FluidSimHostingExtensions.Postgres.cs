using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace FluidSim.Cluster.Hosting;

public static partial class FluidSimHostingExtensions
{
    /// <summary>
    /// The coordinator's journal and snapshots in PostgreSQL (Akka.Persistence.Sql, provider <c>PostgreSQL.15</c>, tables
    /// created on first use), shared by every coordinator-role node so a fail-over recovers the same state.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string; its password comes from the environment, never a committed file.</param>
    public static AkkaConfigurationBuilder WithPostgresJobStore(this AkkaConfigurationBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // autoInitialize is explicit: the plugin's documentation and its default have disagreed.
        return builder.WithSqlPersistence(connectionString, ProviderName.PostgreSQL15, autoInitialize: true);
    }
}
