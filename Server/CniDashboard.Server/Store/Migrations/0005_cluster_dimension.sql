-- Issue 14: the cluster is a dimension of the store. Every per-cluster table gains cluster_id; rows that
-- were there before belong to the cluster called "default" (Dashboard:Cluster:Id's default), so a
-- single-cluster store keeps working unchanged. Node names and event uids are unique within a cluster
-- only, so their keys become (cluster_id, …): SQLite cannot change a key in place, so those tables are
-- rebuilt. Child rows (snapshot_files, remediation_plan_nodes) belong to their parent's cluster.

ALTER TABLE nodes RENAME TO nodes_before_clusters;
CREATE TABLE nodes (
    cluster_id         TEXT NOT NULL,
    name               TEXT NOT NULL,
    first_seen_at      INTEGER NOT NULL,
    agent_state        INTEGER NOT NULL,
    stale_since        INTEGER,
    stale_reason       TEXT,
    last_seen_at       INTEGER,
    agent_version      TEXT,
    manifest_hash      TEXT,
    latest_snapshot_id INTEGER,
    last_change_at     INTEGER,
    worst_severity     INTEGER,
    PRIMARY KEY (cluster_id, name)
) WITHOUT ROWID;
INSERT INTO nodes SELECT 'default', name, first_seen_at, agent_state, stale_since, stale_reason, last_seen_at, agent_version,
                         manifest_hash, latest_snapshot_id, last_change_at, worst_severity FROM nodes_before_clusters;
DROP TABLE nodes_before_clusters;

ALTER TABLE snapshots ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_snapshots_node;
CREATE INDEX ix_snapshots_node ON snapshots (cluster_id, node, id);
CREATE INDEX ix_snapshots_cluster ON snapshots (cluster_id, id);

ALTER TABLE findings ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ux_findings_open;
CREATE UNIQUE INDEX ux_findings_open ON findings (cluster_id, node, key) WHERE resolved_at IS NULL;
DROP INDEX ix_findings_node;
CREATE INDEX ix_findings_node ON findings (cluster_id, node, opened_at);

ALTER TABLE sandbox_events RENAME TO sandbox_events_before_clusters;
DROP INDEX ix_sandbox_events_last_seen;
DROP INDEX ix_sandbox_events_node;
CREATE TABLE sandbox_events (
    cluster_id         TEXT NOT NULL,
    uid                TEXT NOT NULL,
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
    linked_snapshot_id INTEGER,
    PRIMARY KEY (cluster_id, uid)
) WITHOUT ROWID;
INSERT INTO sandbox_events SELECT 'default', uid, node, namespace, pod, message, sandbox_id, plugin_type, plugin_name, operation,
                                  error_class, error_text, count, first_seen, last_seen, linked_file, linked_pointer, linked_plugin,
                                  linked_rule, linked_snapshot_id FROM sandbox_events_before_clusters;
DROP TABLE sandbox_events_before_clusters;
CREATE INDEX ix_sandbox_events_last_seen ON sandbox_events (cluster_id, last_seen);
CREATE INDEX ix_sandbox_events_node ON sandbox_events (cluster_id, node, last_seen);

ALTER TABLE sandbox_event_counts ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_sandbox_event_counts_at;
CREATE INDEX ix_sandbox_event_counts_at ON sandbox_event_counts (cluster_id, at);
DROP INDEX ix_sandbox_event_counts_uid;
CREATE INDEX ix_sandbox_event_counts_uid ON sandbox_event_counts (cluster_id, uid);

ALTER TABLE retention RENAME TO retention_before_clusters;
CREATE TABLE retention (
    cluster_id    TEXT NOT NULL,
    what          TEXT NOT NULL,
    pruned_before INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, what)
) WITHOUT ROWID;
INSERT INTO retention SELECT 'default', what, pruned_before FROM retention_before_clusters;
DROP TABLE retention_before_clusters;

ALTER TABLE remediation_plans ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_remediation_plans_state;
CREATE INDEX ix_remediation_plans_state ON remediation_plans (cluster_id, state);

-- The cluster an audit entry acted on (covered by the entry's hash when it is not "default").
ALTER TABLE audit_log ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
