-- History of every node's CNI folder. Times are Unix milliseconds (UTC).

-- Content-addressed file contents: key = sha256 of the STORED (already redacted) text,
-- so a file that does not change is stored once however many snapshots list it.
CREATE TABLE blobs (
    key     TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    size    INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per node ever seen: agent status and where its latest snapshot is.
CREATE TABLE nodes (
    name               TEXT PRIMARY KEY,
    first_seen_at      INTEGER NOT NULL,
    agent_state        INTEGER NOT NULL,
    stale_since        INTEGER,
    stale_reason       TEXT,
    last_seen_at       INTEGER,
    agent_version      TEXT,
    manifest_hash      TEXT,
    latest_snapshot_id INTEGER,
    last_change_at     INTEGER,
    worst_severity     INTEGER
) WITHOUT ROWID;

-- A snapshot is stored only when the node's manifest hash changes.
CREATE TABLE snapshots (
    id             INTEGER PRIMARY KEY,
    node           TEXT NOT NULL,
    taken_at       INTEGER NOT NULL,
    agent_taken_at INTEGER,
    manifest_hash  TEXT NOT NULL,
    primary_file   TEXT,
    primary_status INTEGER NOT NULL,
    chain          TEXT NOT NULL,
    changed_files  TEXT NOT NULL,
    cni_dir        TEXT,
    agent_version  TEXT,
    binaries_key   TEXT,
    binaries_error TEXT
);
CREATE INDEX ix_snapshots_node ON snapshots (node, id);
CREATE INDEX ix_snapshots_taken_at ON snapshots (taken_at);

-- The entries of a snapshot: metadata as JSON (no content), content by blob key.
CREATE TABLE snapshot_files (
    snapshot_id INTEGER NOT NULL,
    name        TEXT NOT NULL,
    blob_key    TEXT,
    meta        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;
CREATE INDEX ix_snapshot_files_blob ON snapshot_files (blob_key);

-- Findings are never deleted: one that disappears gets resolved_at.
CREATE TABLE findings (
    id                   INTEGER PRIMARY KEY,
    node                 TEXT NOT NULL,
    key                  TEXT NOT NULL,
    rule                 TEXT NOT NULL,
    severity             INTEGER NOT NULL,
    file                 TEXT,
    plugin               TEXT,
    json_pointer         TEXT,
    body                 TEXT NOT NULL,
    opened_at            INTEGER NOT NULL,
    opened_snapshot_id   INTEGER,
    resolved_at          INTEGER,
    resolved_snapshot_id INTEGER
);
CREATE UNIQUE INDEX ux_findings_open ON findings (node, key) WHERE resolved_at IS NULL;
CREATE INDEX ix_findings_node ON findings (node, opened_at);

-- FailedCreatePodSandBox events, one row per event uid (kubelet aggregates repeats in count).
CREATE TABLE sandbox_events (
    uid                TEXT PRIMARY KEY,
    node               TEXT NOT NULL,
    namespace          TEXT,
    pod                TEXT,
    message            TEXT NOT NULL,
    sandbox_id         TEXT,
    plugin_type        TEXT,
    plugin_name        TEXT,
    operation          INTEGER,
    error_class        INTEGER NOT NULL,
    error_text         TEXT NOT NULL,
    count              INTEGER NOT NULL,
    first_seen         INTEGER NOT NULL,
    last_seen          INTEGER NOT NULL,
    linked_file        TEXT,
    linked_pointer     TEXT,
    linked_plugin      TEXT,
    linked_rule        TEXT,
    linked_snapshot_id INTEGER
) WITHOUT ROWID;
CREATE INDEX ix_sandbox_events_last_seen ON sandbox_events (last_seen);
CREATE INDEX ix_sandbox_events_node ON sandbox_events (node, last_seen);

-- Each observed increase of an event's count, when it happened: what the timeline buckets sum.
CREATE TABLE sandbox_event_counts (
    uid         TEXT NOT NULL,
    node        TEXT NOT NULL,
    plugin_type TEXT,
    error_class INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    delta       INTEGER NOT NULL
);
CREATE INDEX ix_sandbox_event_counts_at ON sandbox_event_counts (at);
CREATE INDEX ix_sandbox_event_counts_uid ON sandbox_event_counts (uid);

-- What retention removed: data older than pruned_before is gone.
CREATE TABLE retention (
    what          TEXT PRIMARY KEY,
    pruned_before INTEGER NOT NULL
) WITHOUT ROWID;
