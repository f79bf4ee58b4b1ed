using System.Security.Cryptography;
using System.Text;
using CniDashboard.Shared.Cni;
using CniDashboard.Shared.Dashboard;
using Dapper;
using System.Data.Common;

namespace CniDashboard.Server.Store.Dapper;

/// <summary>Snapshots over SQLite or PostgreSQL: content in blobs keyed by the sha256 of the stored text.</summary>
public sealed class SnapshotRepository(IStoreConnectionFactory connections, StoreCluster? cluster = null) : ISnapshotRepository
{
    static SnapshotRepository() => DapperConventions.Ensure();

    private readonly string _cluster = StoreCluster.IdOf(cluster);

    private readonly Dialect _dialect = connections.Pick(Dialect.Sqlite, Dialect.Postgres);

    /// <summary>What differs between SQL engines, in one place.</summary>
    /// <param name="NextIds">
    /// <c>@count</c> new snapshot ids, ascending. SQLite: the ones after the largest (the transaction
    /// holds the write lock, so nobody else hands out ids meanwhile). PostgreSQL: from the id's sequence.
    /// </param>
    /// <param name="LockBlobs">
    /// Run before blobs are referenced. SQLite: nothing. PostgreSQL: the blobs lock shared (ingests do
    /// not wait for each other), so retention, which takes it exclusively, never deletes a blob that an
    /// uncommitted snapshot is about to reference.
    /// </param>
    /// <param name="InList">The condition "in the list parameter <c>@name</c>" for a parameter name.</param>
    /// <param name="IdList">How a list of ids is passed: JSON text on SQLite (read with <c>json_each</c>), an array on PostgreSQL.</param>
    /// <param name="KeyList">How a list of blob keys is passed, likewise.</param>
    /// <param name="ColumnArrays">
    /// How a batch of rows is written. SQLite: row by row through one prepared command (in-process, so
    /// a statement costs microseconds). PostgreSQL: each column as an array, <c>unnest</c>ed by one
    /// statement per table, so a batch costs a few round trips, not one per row.
    /// </param>
    /// <param name="InsertBlobs">Blobs (<c>Key</c>, <c>Content</c>, <c>Size</c>), a content already stored left alone.</param>
    /// <param name="InsertSnapshots">Snapshot headers (the columns of <see cref="HeaderRow"/>).</param>
    /// <param name="InsertFiles">Snapshot entries (<c>SnapshotId</c>, <c>Name</c>, <c>BlobKey</c>, <c>Meta</c>).</param>
    /// <param name="UpsertNodes">Each node's pointer to its latest snapshot (the columns of <see cref="NodePointer"/>).</param>
    private sealed record Dialect(
        string NextIds, string LockBlobs, Func<string, string> InList, Func<long[], object> IdList, Func<string[], object> KeyList,
        bool ColumnArrays, string InsertBlobs, string InsertSnapshots, string InsertFiles, string UpsertNodes)
    {
        private const string SnapshotColumns = "id, cluster_id, node, taken_at, agent_taken_at, manifest_hash, primary_file, primary_status, chain, changed_files, first_of_node, cni_dir, agent_version, binaries_key, binaries_error";
        private const string NodeColumns = "cluster_id, name, first_seen_at, agent_state, last_seen_at, agent_version, manifest_hash, latest_snapshot_id, last_change_at";
        private const string NodeUpdate = """
            ON CONFLICT (cluster_id, name) DO UPDATE SET
                agent_state = excluded.agent_state, stale_since = NULL, stale_reason = NULL,
                last_seen_at = excluded.last_seen_at, agent_version = excluded.agent_version,
                manifest_hash = excluded.manifest_hash, latest_snapshot_id = excluded.latest_snapshot_id,
                last_change_at = excluded.last_change_at
            """;

        public static readonly Dialect Sqlite = new(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
            SELECT (SELECT COALESCE(MAX(id), 0) FROM snapshots) + i FROM n ORDER BY i
            """,
            "",
            name => $"IN (SELECT value FROM json_each(@{name}))",
            ids => StoreJson.Serialize(ids),
            keys => StoreJson.Serialize(keys),
            ColumnArrays: false,
            "INSERT INTO blobs (key, content, size) VALUES (@Key, @Content, @Size) ON CONFLICT (key) DO NOTHING",
            $"""
            INSERT INTO snapshots ({SnapshotColumns})
            VALUES (@Id, @ClusterId, @Node, @TakenAt, @AgentTakenAt, @ManifestHash, @PrimaryFile, @PrimaryStatus, @Chain, @ChangedFiles, @FirstOfNode, @CniDir, @AgentVersion, @BinariesKey, @BinariesError)
            """,
            "INSERT INTO snapshot_files (snapshot_id, name, blob_key, meta) VALUES (@SnapshotId, @Name, @BlobKey, @Meta)",
            $"""
            INSERT INTO nodes ({NodeColumns})
            VALUES (@ClusterId, @Node, @TakenAt, @AgentState, @TakenAt, @AgentVersion, @ManifestHash, @SnapshotId, @TakenAt)
            {NodeUpdate}
            """);

        public static readonly Dialect Postgres = new(
            "SELECT nextval(pg_get_serial_sequence('snapshots', 'id')) AS id FROM generate_series(1, @count) ORDER BY id",
            $"SELECT pg_advisory_xact_lock_shared({PostgresLocks.Blobs})",
            name => $"= ANY(@{name})",
            ids => ids,
            keys => keys,
            ColumnArrays: true,
            "INSERT INTO blobs (key, content, size) SELECT * FROM unnest(@Key::text[], @Content::text[], @Size::bigint[]) ON CONFLICT (key) DO NOTHING",
            $"""
            INSERT INTO snapshots ({SnapshotColumns})
            SELECT * FROM unnest(@Id::bigint[], @ClusterId::text[], @Node::text[], @TakenAt::bigint[], @AgentTakenAt::bigint[], @ManifestHash::text[], @PrimaryFile::text[],
                                 @PrimaryStatus::bigint[], @Chain::text[], @ChangedFiles::text[], @FirstOfNode::integer[], @CniDir::text[],
                                 @AgentVersion::text[], @BinariesKey::text[], @BinariesError::text[])
            """,
            "INSERT INTO snapshot_files (snapshot_id, name, blob_key, meta) SELECT * FROM unnest(@SnapshotId::bigint[], @Name::text[], @BlobKey::text[], @Meta::text[])",
            $"""
            INSERT INTO nodes ({NodeColumns})
            SELECT c, n, t, s, t, v, h, i, t
            FROM unnest(@ClusterId::text[], @Node::text[], @TakenAt::bigint[], @AgentState::bigint[], @AgentVersion::text[], @ManifestHash::text[], @SnapshotId::bigint[]) AS u(c, n, t, s, v, h, i)
            {NodeUpdate}
            """);

        /// <summary>A batch's parameters: the rows themselves, or one array per column.</summary>
        public object Rows<T>(IReadOnlyList<T> rows) => ColumnArrays ? DialectStatements.Columns(rows) : rows;
    }

    /// <summary>The blob key of a stored text: lower-case hex SHA-256 of its UTF-8 bytes.</summary>
    public static string BlobKey(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> AddAsync(IReadOnlyList<SnapshotWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0) return [];
        var prepared = writes.Select(w => Prepare(w, _cluster)).ToArray();

        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var tx = await connections.BeginWriteAsync(connection, cancellationToken);
        await connection.RunIfAnyAsync(_dialect.LockBlobs, tx, cancellationToken);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(_dialect.NextIds, new { count = prepared.Length }, tx, cancellationToken: cancellationToken))).ToArray();
        for (var i = 0; i < prepared.Length; i++)
        {
            prepared[i].Header.Id = ids[i];
            foreach (var file in prepared[i].Files) file.SnapshotId = ids[i];
        }

        // One statement per table for the whole batch (see Dialect.ColumnArrays). A node appears once:
        // its last snapshot in the batch is its latest.
        var blobs = prepared.SelectMany(p => p.Blobs).DistinctBy(b => b.Key, StringComparer.Ordinal).ToArray();
        var nodes = prepared.Select(p => new NodePointer(_cluster, p.Header.Node, p.Header.TakenAt, (long)AgentState.Current, p.Header.AgentVersion, p.Header.ManifestHash, p.Header.Id))
            .Reverse().DistinctBy(n => n.Node, StringComparer.Ordinal).Reverse().ToArray();
        await connection.ExecuteAsync(new CommandDefinition(_dialect.InsertBlobs, _dialect.Rows(blobs), tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_dialect.InsertSnapshots, _dialect.Rows(prepared.Select(p => p.Header).ToArray()), tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_dialect.InsertFiles, _dialect.Rows(prepared.SelectMany(p => p.Files).ToArray()), tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_dialect.UpsertNodes, _dialect.Rows(nodes), tx, cancellationToken: cancellationToken));

        await tx.CommitAsync(cancellationToken);
        return ids;
    }

    private static PreparedSnapshot Prepare(SnapshotWrite write, string cluster)
    {
        var s = write.Snapshot;
        var blobs = new Dictionary<string, BlobRow>(StringComparer.Ordinal);
        var files = new List<FileRow>(s.Files.Count);
        foreach (var file in s.Files)
        {
            string? key = null;
            if (file.Content is not null)
            {
                TokenGuard.EnsureNoToken(file.Content, $"file {file.Name} of node {s.NodeName}");
                key = BlobKey(file.Content);
                blobs.TryAdd(key, new BlobRow(key, file.Content, Encoding.UTF8.GetByteCount(file.Content)));
            }

            var meta = StoreJson.Serialize(file with { Content = null });
            TokenGuard.EnsureNoToken(meta, $"metadata of file {file.Name} of node {s.NodeName}");
            files.Add(new FileRow { Name = file.Name, BlobKey = key, Meta = meta });
        }

        string? binariesKey = null;
        if (s.Binaries is not null)
        {
            // Binaries rarely change: one blob shared by every snapshot (and node) with the same set.
            var json = StoreJson.Serialize(s.Binaries);
            binariesKey = BlobKey(json);
            blobs.TryAdd(binariesKey, new BlobRow(binariesKey, json, Encoding.UTF8.GetByteCount(json)));
        }

        TokenGuard.EnsureNoToken(s.BinariesError, $"binaries error of node {s.NodeName}");
        var header = new HeaderRow
        {
            ClusterId = cluster,
            Node = s.NodeName,
            TakenAt = UnixTime.ToMs(write.ReceivedAt),
            AgentTakenAt = UnixTime.ToMs(s.TakenAt),
            ManifestHash = s.ManifestHash,
            PrimaryFile = s.PrimaryFile,
            PrimaryStatus = (int)s.PrimaryStatus,
            Chain = StoreJson.Serialize(s.Chain),
            ChangedFiles = StoreJson.Serialize(write.ChangedFiles),
            FirstOfNode = write.FirstOfNode ? 1 : 0,
            CniDir = s.CniDir,
            AgentVersion = s.AgentVersion,
            BinariesKey = binariesKey,
            BinariesError = s.BinariesError,
        };
        return new PreparedSnapshot(header, blobs.Values.ToArray(), files);
    }

    /// <inheritdoc />
    public async Task<StoredSnapshot?> GetAsync(string node, long id, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE cluster_id = @cluster AND node = @node AND id = @id
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<HeaderRow>(new CommandDefinition(sql, new { cluster = _cluster, node, id }, cancellationToken: cancellationToken));
        return row?.ToStored();
    }

    /// <inheritdoc />
    public async Task<StoredSnapshot?> GetPreviousAsync(string node, long beforeId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE cluster_id = @cluster AND node = @node AND id < @beforeId ORDER BY id DESC LIMIT 1
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<HeaderRow>(new CommandDefinition(sql, new { cluster = _cluster, node, beforeId }, cancellationToken: cancellationToken));
        return row?.ToStored();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSnapshot>> ListAsync(string node, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE cluster_id = @cluster AND node = @node ORDER BY id DESC LIMIT @limit
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HeaderRow>(new CommandDefinition(sql, new { cluster = _cluster, node, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToStored()).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSnapshot>> GetRecentChangesAsync(int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE cluster_id = @cluster ORDER BY id DESC LIMIT @limit
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HeaderRow>(new CommandDefinition(sql, new { cluster = _cluster, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToStored()).ToArray();
    }

    /// <inheritdoc />
    public async Task<SnapshotContent?> GetContentAsync(string node, long id, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        const string headerSql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE cluster_id = @cluster AND node = @node AND id = @id
            """;
        var header = await connection.QuerySingleOrDefaultAsync<HeaderRow>(new CommandDefinition(headerSql, new { cluster = _cluster, node, id }, cancellationToken: cancellationToken));
        if (header is null) return null;
        var contents = await LoadContentsAsync(connection, [header], cancellationToken);
        return contents[0];
    }

    /// <inheritdoc />
    public async Task<CniFolderFile?> GetFileAsync(string node, long id, string name, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT f.meta AS Meta, b.content AS Content
            FROM snapshot_files f
            JOIN snapshots s ON s.id = f.snapshot_id
            LEFT JOIN blobs b ON b.key = f.blob_key
            WHERE s.cluster_id = @cluster AND s.node = @node AND f.snapshot_id = @id AND f.name = @name
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FileContentRow>(new CommandDefinition(sql, new { cluster = _cluster, node, id, name }, cancellationToken: cancellationToken));
        return row is null ? null : ToFile(row.Meta, row.Content);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SnapshotContent>> GetLatestForAllNodesAsync(CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {HeaderColumns} FROM snapshots WHERE id IN (SELECT latest_snapshot_id FROM nodes WHERE cluster_id = @cluster AND latest_snapshot_id IS NOT NULL)
            """;
        await using var connection = await connections.OpenAsync(cancellationToken);
        var headers = (await connection.QueryAsync<HeaderRow>(new CommandDefinition(sql, new { cluster = _cluster }, cancellationToken: cancellationToken))).ToArray();
        return await LoadContentsAsync(connection, headers, cancellationToken);
    }

    private async Task<IReadOnlyList<SnapshotContent>> LoadContentsAsync(DbConnection connection, IReadOnlyList<HeaderRow> headers, CancellationToken cancellationToken)
    {
        if (headers.Count == 0) return [];
        // Read every entry of these snapshots in one pass; blobs shared by many nodes are decoded once.
        var filesSql = $"""
            SELECT f.snapshot_id AS SnapshotId, f.name AS Name, f.blob_key AS BlobKey, f.meta AS Meta
            FROM snapshot_files f WHERE f.snapshot_id {_dialect.InList("ids")}
            ORDER BY f.snapshot_id, f.name
            """;
        var ids = _dialect.IdList(headers.Select(h => h.Id).ToArray());
        var files = (await connection.QueryAsync<FileRow>(new CommandDefinition(filesSql, new { ids }, cancellationToken: cancellationToken))).ToArray();

        var keys = files.Select(f => f.BlobKey).OfType<string>()
            .Concat(headers.Select(h => h.BinariesKey).OfType<string>())
            .Distinct(StringComparer.Ordinal).ToArray();
        var blobsSql = $"""
            SELECT key AS Key, content AS Content FROM blobs WHERE key {_dialect.InList("keys")}
            """;
        var blobs = (await connection.QueryAsync<BlobRow>(new CommandDefinition(blobsSql, new { keys = _dialect.KeyList(keys) }, cancellationToken: cancellationToken)))
            .ToDictionary(b => b.Key, b => b.Content, StringComparer.Ordinal);

        var byId = files.GroupBy(f => f.SnapshotId).ToDictionary(g => g.Key, g => g.ToArray());
        var result = new List<SnapshotContent>(headers.Count);
        foreach (var header in headers)
        {
            var entries = byId.GetValueOrDefault(header.Id) ?? [];
            var list = entries
                .Select(f => ToFile(f.Meta, f.BlobKey is null ? null : blobs.GetValueOrDefault(f.BlobKey)))
                .OrderBy(f => f.Name, Utf8OrdinalComparer.Instance)
                .ToArray();
            var binaries = header.BinariesKey is null ? null : StoreJson.Deserialize<PluginBinary[]>(blobs.GetValueOrDefault(header.BinariesKey));
            result.Add(new SnapshotContent(header.ToStored(), list, binaries));
        }

        return result;
    }

    private static CniFolderFile ToFile(string meta, string? content)
    {
        var file = StoreJson.Deserialize<CniFolderFile>(meta) ?? throw new InvalidDataException("snapshot_files.meta is empty");
        return content is null ? file : file with { Content = content };
    }

    private const string HeaderColumns = """
        id AS Id, node AS Node, taken_at AS TakenAt, agent_taken_at AS AgentTakenAt, manifest_hash AS ManifestHash,
        primary_file AS PrimaryFile, primary_status AS PrimaryStatus, chain AS Chain, changed_files AS ChangedFiles,
        first_of_node AS FirstOfNode, cni_dir AS CniDir, agent_version AS AgentVersion, binaries_key AS BinariesKey, binaries_error AS BinariesError
        """;

    /// <summary>A node's pointer to its latest snapshot, written with the snapshot.</summary>
    private sealed record NodePointer(string ClusterId, string Node, long TakenAt, long AgentState, string? AgentVersion, string ManifestHash, long SnapshotId);

    private sealed record PreparedSnapshot(HeaderRow Header, IReadOnlyList<BlobRow> Blobs, IReadOnlyList<FileRow> Files);

    private sealed record BlobRow(string Key, string Content, long Size)
    {
        // Dapper materializes by constructor; reads select only key and content.
        public BlobRow(string key, string content) : this(key, content, 0) { }
    }

    private sealed class FileRow
    {
        public long SnapshotId { get; set; }
        public string Name { get; set; } = "";
        public string? BlobKey { get; set; }
        public string Meta { get; set; } = "";
    }

    private sealed class FileContentRow
    {
        public string Meta { get; set; } = "";
        public string? Content { get; set; }
    }

    private sealed class HeaderRow
    {
        public long Id { get; set; }
        public string ClusterId { get; set; } = "";
        public string Node { get; set; } = "";
        public long TakenAt { get; set; }
        public long? AgentTakenAt { get; set; }
        public string ManifestHash { get; set; } = "";
        public string? PrimaryFile { get; set; }
        public long PrimaryStatus { get; set; }
        public string Chain { get; set; } = "[]";
        public string ChangedFiles { get; set; } = "[]";
        public long FirstOfNode { get; set; }
        public string? CniDir { get; set; }
        public string? AgentVersion { get; set; }
        public string? BinariesKey { get; set; }
        public string? BinariesError { get; set; }

        public StoredSnapshot ToStored() => new()
        {
            Id = Id,
            Node = Node,
            TakenAt = UnixTime.FromMs(TakenAt),
            AgentTakenAt = UnixTime.FromMs(AgentTakenAt),
            ManifestHash = ManifestHash,
            PrimaryFile = PrimaryFile,
            PrimaryStatus = (CniDashboard.Shared.Cni.PrimaryStatus)PrimaryStatus,
            Chain = StoreJson.Deserialize<string[]>(Chain) ?? [],
            ChangedFiles = StoreJson.Deserialize<string[]>(ChangedFiles) ?? [],
            FirstOfNode = FirstOfNode != 0,
            CniDir = CniDir,
            AgentVersion = AgentVersion,
            BinariesKey = BinariesKey,
            BinariesError = BinariesError,
        };
    }
}
