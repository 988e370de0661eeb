using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;

namespace FluidSim.Cluster.Hosting;

public static partial class FluidSimHostingExtensions
{
    /// <summary>
    /// Journal and snapshot store in PostgreSQL (Akka.Persistence.Sql, provider <c>PostgreSQL.15</c>, tables created on
    /// first use): the store of a real cluster, where the coordinator singleton may move between coordinator nodes.
    /// </summary>
    /// <remarks>
    /// The connection string carries the password: it goes to the plugin's settings only, never to a log line (log
    /// <see cref="RedactPassword"/>'s form instead).
    /// </remarks>
    public static AkkaConfigurationBuilder WithPostgresJobStore(this AkkaConfigurationBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // autoInitialize is explicit: the plugin's documentation and its default have disagreed.
        return builder.WithSqlPersistence(connectionString, ProviderName.PostgreSQL15, autoInitialize: true);
    }

    /// <summary>
    /// <paramref name="connectionString"/> with its password (any of Npgsql's spellings) replaced by <c>***</c>, for log
    /// lines and error messages; text that is not a connection string comes back as a fixed placeholder.
    /// </summary>
    public static string RedactPassword(string connectionString)
    {
        try
        {
            var parts = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in parts.Keys.Cast<string>().ToList())
            {
                if (key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase)) parts[key] = "***";
            }
            return parts.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }
    }
}
