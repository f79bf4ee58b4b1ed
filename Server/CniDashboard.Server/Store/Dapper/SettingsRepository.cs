using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Run-time settings over SQLite or PostgreSQL: one row per setting once it has been changed.</summary>
public sealed class SettingsRepository(IStoreConnectionFactory connections) : ISettingsRepository
{
    static SettingsRepository() => DapperConventions.Ensure();

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>What differs between SQL engines, in one place (the upsert is the same on both).</summary>
    /// <param name="LockSetting">
    /// Run before the old value is read, so the value read is the one replaced. SQLite: nothing (the
    /// transaction holds the write lock). PostgreSQL: an advisory lock on the setting's name (a row lock
    /// would not cover a setting never stored yet). The audit entry then takes the chain's own lock.
    /// </param>
    private sealed record Dialect(string LockSetting)
    {
        public static readonly Dialect Sqlite = new("");

        public static readonly Dialect Postgres = new($"SELECT pg_advisory_xact_lock({PostgresLocks.Settings}, hashtext(@name))");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSetting>> GetAllAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT name AS Name, value AS Value, updated_at AS UpdatedAt, updated_by AS UpdatedBy, audit_seq AS AuditSeq FROM settings ORDER BY name
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StoredSetting>(new CommandDefinition(sql, cancellationToken: cancellationToken))];
    }

    /// <inheritdoc />
    public async Task<StoredSetting?> UpdateAsync(string name, string value, string defaultValue, string updatedBy, DateTimeOffset at, RecordSettingChange record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        const string current = """
            SELECT value FROM settings WHERE name = @name
            """;
        const string upsert = """
            INSERT INTO settings (name, value, updated_at, updated_by, audit_seq) VALUES (@Name, @Value, @UpdatedAt, @UpdatedBy, @AuditSeq)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                                             updated_by = excluded.updated_by, audit_seq = excluded.audit_seq
            """;

        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        await connection.RunIfAnyAsync(_dialect.LockSetting, tx, cancellationToken, new { name });
        var old = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(current, new { name }, tx, cancellationToken: cancellationToken));
        if ((old ?? defaultValue) == value) return null;

        var sequence = await record(old, connection, tx);
        var stored = new StoredSetting { Name = name, Value = value, UpdatedAt = at, UpdatedBy = updatedBy, AuditSeq = sequence };
        await connection.ExecuteAsync(new CommandDefinition(upsert, stored, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return stored;
    }
}
