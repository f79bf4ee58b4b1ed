using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using CniDashboard.Server.Audit;
using CniDashboard.Shared.Audit;
using Dapper;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>
/// The audit log over SQLite or PostgreSQL. Appends serialize, so the head an appender reads is still
/// the head when it inserts, across threads, processes and replicas: on SQLite the write transaction
/// holds the database's write lock (<c>BEGIN IMMEDIATE</c>); on PostgreSQL the appender first takes a
/// transaction-scoped advisory lock on the chain. A caller's transaction must come from
/// <see cref="IStoreConnectionFactory.BeginWriteAsync"/>.
/// </summary>
public sealed class AuditLogRepository(IStoreConnectionFactory connections, TimeProvider time, StoreCluster? cluster = null) : IAuditLog, IAuditReader
{
    static AuditLogRepository() => DapperConventions.Ensure();

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>What differs between SQL engines, in one place.</summary>
    /// <param name="LockChainHead">
    /// Run before the head is read. SQLite: nothing (the transaction already holds the write lock).
    /// PostgreSQL: <c>pg_advisory_xact_lock</c> on the chain. Why an advisory lock and not
    /// <c>SELECT … FOR UPDATE</c> on the newest row: an empty log has no row to lock, and two appenders
    /// locking the same newest row would both go on to insert the same next sequence number (the row
    /// they waited for is unchanged). The advisory lock needs no head row, blocks only appenders (readers
    /// never wait), and is released at commit or rollback, even when the process dies. Statements under
    /// READ COMMITTED see everything committed before they start, so the head read after the lock is the
    /// real head.
    /// </param>
    private sealed record Dialect(string LockChainHead)
    {
        public static readonly Dialect Sqlite = new("");

        public static readonly Dialect Postgres = new($"SELECT pg_advisory_xact_lock({PostgresLocks.AuditChain})");
    }

    private const string Columns = """
        seq AS Sequence, at AS At, actor_subject AS ActorSubject, actor_name AS ActorName, actor_roles AS ActorRoles,
        actor_method AS ActorMethod, action AS Action, target_kind AS TargetKind, target_name AS TargetName,
        outcome AS Outcome, details AS Details, client_address AS ClientAddress, request_id AS RequestId,
        prev_hash AS PrevHash, hash AS Hash, cluster_id AS Cluster
        """;

    /// <inheritdoc />
    public async Task<long> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
            var sequence = await AppendCoreAsync(connection, tx, record, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return sequence;
        }
        catch (Exception e) when (e is not OperationCanceledException and not AuditWriteException)
        {
            throw new AuditWriteException(record.Action, e);
        }
    }

    /// <inheritdoc />
    public async Task<long> AppendAsync(DbConnection connection, DbTransaction transaction, AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            return await AppendCoreAsync(connection, transaction, record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not AuditWriteException)
        {
            throw new AuditWriteException(record.Action, e);
        }
    }

    private async Task<long> AppendCoreAsync(DbConnection connection, DbTransaction tx, AuditRecord record, CancellationToken cancellationToken)
    {
        const string head = """
            SELECT seq AS Sequence, hash AS Hash FROM audit_log ORDER BY seq DESC LIMIT 1
            """;
        const string insert = """
            INSERT INTO audit_log (seq, at, actor_subject, actor_name, actor_roles, actor_method, action, target_kind, target_name,
                                   outcome, details, client_address, request_id, prev_hash, hash, cluster_id)
            VALUES (@Sequence, @At, @ActorSubject, @ActorName, @ActorRoles, @ActorMethod, @Action, @TargetKind, @TargetName,
                    @Outcome, @Details, @ClientAddress, @RequestId, @PrevHash, @Hash, @Cluster)
            """;

        await connection.RunIfAnyAsync(_dialect.LockChainHead, tx, cancellationToken);
        var last = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(head, transaction: tx, cancellationToken: cancellationToken));
        var entry = AuditEntryFactory.Create(record, (last?.Sequence ?? 0) + 1, last?.Hash ?? AuditCanonicalForm.GenesisHash, time.GetUtcNow(), StoreCluster.IdOf(cluster));
        await connection.ExecuteAsync(new CommandDefinition(insert, entry, tx, cancellationToken: cancellationToken));
        return entry.Sequence;
    }

    /// <inheritdoc />
    public async Task<AuditPage> GetPageAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (where, args) = Filter(query, withCursor: true);
        args.Add("Limit", query.Limit + 1);
        var sql = $"SELECT {Columns} FROM audit_log{where} ORDER BY seq DESC LIMIT @Limit";
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<AuditEntry>(new CommandDefinition(sql, args, cancellationToken: cancellationToken))).ToList();
        var head = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(seq) FROM audit_log", cancellationToken: cancellationToken)) ?? 0;
        var more = rows.Count > query.Limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new AuditPage(rows, more ? rows[^1].Sequence : null, head);
    }

    /// <inheritdoc />
    public async Task<AuditEntry?> GetAsync(long sequence, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM audit_log WHERE seq = @sequence
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AuditEntry>(new CommandDefinition(sql, new { sequence }, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public async Task<AuditEntry?> GetHeadAsync(CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM audit_log ORDER BY seq DESC LIMIT 1
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AuditEntry>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public async Task<AuditFacets> GetFacetsAsync(CancellationToken cancellationToken)
    {
        const string actions = """
            SELECT DISTINCT action FROM audit_log ORDER BY action
            """;
        const string kinds = """
            SELECT DISTINCT target_kind FROM audit_log WHERE target_kind IS NOT NULL ORDER BY target_kind
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var a = await connection.QueryAsync<string>(new CommandDefinition(actions, cancellationToken: cancellationToken));
        var k = await connection.QueryAsync<string>(new CommandDefinition(kinds, cancellationToken: cancellationToken));
        return new AuditFacets([.. a], [.. k]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadChainAsync(long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await foreach (var entry in ReadChainAsync(connection, afterSequence, cancellationToken))
            yield return entry;
    }

    /// <summary>The chain after <paramref name="afterSequence"/>, oldest first, from any connection (the offline verifier's read-only one too).</summary>
    public static async IAsyncEnumerable<AuditEntry> ReadChainAsync(DbConnection connection, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DapperConventions.Ensure();
        const string sql = $"""
            SELECT {Columns} FROM audit_log WHERE seq > @afterSequence ORDER BY seq
            """;
        await foreach (var entry in connection.QueryUnbufferedAsync<AuditEntry>(sql, new { afterSequence }).WithCancellation(cancellationToken))
            yield return entry;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (where, args) = Filter(filter, withCursor: false);
        var sql = $"SELECT {Columns} FROM audit_log{where} ORDER BY seq";
        await using var connection = await connections.OpenAsync(cancellationToken);
        await foreach (var entry in connection.QueryUnbufferedAsync<AuditEntry>(sql, args).WithCancellation(cancellationToken))
            yield return entry;
    }

    /// <summary>Only the filters present become conditions, so each can use its index.</summary>
    private static (string Where, DynamicParameters Args) Filter(AuditQuery q, bool withCursor)
    {
        var conditions = new List<string>();
        var args = new DynamicParameters();
        void Add(string condition, string name, object? value)
        {
            if (value is null) return;
            conditions.Add(condition);
            args.Add(name, value);
        }

        Add("(actor_subject = @Actor OR actor_name = @Actor)", "Actor", q.Actor);
        Add("action = @Action", "Action", q.Action);
        Add("target_kind = @TargetKind", "TargetKind", q.TargetKind);
        Add("target_name = @Target", "Target", q.Target);
        Add("outcome = @Outcome", "Outcome", q.Outcome);
        Add("at >= @From", "From", q.From);
        Add("at < @To", "To", q.To);
        if (withCursor) Add("seq < @Before", "Before", q.BeforeSequence);
        var where = new StringBuilder();
        if (conditions.Count > 0) where.Append(" WHERE ").AppendJoin(" AND ", conditions);
        return (where.ToString(), args);
    }

    private sealed class HeadRow
    {
        public long Sequence { get; init; }

        public string Hash { get; init; } = "";
    }
}
