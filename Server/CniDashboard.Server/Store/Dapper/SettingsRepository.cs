using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Run-time settings over SQLite: one row per setting once it has been changed.</summary>
public sealed class SettingsRepository(SqliteConnectionFactory connections) : ISettingsRepository
{
    static SettingsRepository() => DapperConventions.Ensure();

    /// <summary>What differs between SQL engines, in one place (the upsert is the same on SQLite and PostgreSQL).</summary>
    private static class Dialect
    {
        /// <summary>
        /// BEGIN IMMEDIATE: the old value read is the one replaced, and the audit entry's place in the
        /// chain is ours (the audit log relies on the write lock; PostgreSQL would lock the row instead).
        /// </summary>
        public static Microsoft.Data.Sqlite.SqliteTransaction BeginWrite(Microsoft.Data.Sqlite.SqliteConnection connection) => connection.BeginTransaction(deferred: false);
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
        await using var tx = Dialect.BeginWrite(connection);
        var old = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(current, new { name }, tx, cancellationToken: cancellationToken));
        if ((old ?? defaultValue) == value) return null;

        var sequence = await record(old, connection, tx);
        var stored = new StoredSetting { Name = name, Value = value, UpdatedAt = at, UpdatedBy = updatedBy, AuditSeq = sequence };
        await connection.ExecuteAsync(new CommandDefinition(upsert, stored, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return stored;
    }
}
