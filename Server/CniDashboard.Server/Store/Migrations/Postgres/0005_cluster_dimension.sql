-- PostgreSQL twin of Store/Migrations/0005_cluster_dimension.sql: cluster_id on every per-cluster table,
-- "default" for the rows already there, keys that were unique per cluster only become (cluster_id, …).
-- Then row-level security: a collector's role writes only its own cluster's rows (README, "Many clusters").
ALTER TABLE nodes ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE nodes DROP CONSTRAINT nodes_pkey;
ALTER TABLE nodes ADD PRIMARY KEY (cluster_id, name);

ALTER TABLE snapshots ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_snapshots_node;
CREATE INDEX ix_snapshots_node ON snapshots (cluster_id, node, id);
CREATE INDEX ix_snapshots_cluster ON snapshots (cluster_id, id);

ALTER TABLE findings ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ux_findings_open;
CREATE UNIQUE INDEX ux_findings_open ON findings (cluster_id, node, key) WHERE resolved_at IS NULL;
DROP INDEX ix_findings_node;
CREATE INDEX ix_findings_node ON findings (cluster_id, node, opened_at);

ALTER TABLE sandbox_events ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE sandbox_events DROP CONSTRAINT sandbox_events_pkey;
ALTER TABLE sandbox_events ADD PRIMARY KEY (cluster_id, uid);
DROP INDEX ix_sandbox_events_last_seen;
CREATE INDEX ix_sandbox_events_last_seen ON sandbox_events (cluster_id, last_seen);
DROP INDEX ix_sandbox_events_node;
CREATE INDEX ix_sandbox_events_node ON sandbox_events (cluster_id, node, last_seen);

ALTER TABLE sandbox_event_counts ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_sandbox_event_counts_at;
CREATE INDEX ix_sandbox_event_counts_at ON sandbox_event_counts (cluster_id, at);
DROP INDEX ix_sandbox_event_counts_uid;
CREATE INDEX ix_sandbox_event_counts_uid ON sandbox_event_counts (cluster_id, uid);

ALTER TABLE retention ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE retention DROP CONSTRAINT retention_pkey;
ALTER TABLE retention ADD PRIMARY KEY (cluster_id, what);

ALTER TABLE remediation_plans ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';
DROP INDEX ix_remediation_plans_state;
CREATE INDEX ix_remediation_plans_state ON remediation_plans (cluster_id, state);

ALTER TABLE audit_log ADD COLUMN cluster_id TEXT NOT NULL DEFAULT 'default';

-- Which database roles may write which cluster's rows: one row per collector role and its cluster;
-- cluster_id '*' for a fleet dashboard that is not the tables' owner (it records approvals for every
-- cluster). The tables' owner (who runs these migrations) is not subject to the policies below; a
-- role with no row here can read every cluster and write none.
CREATE TABLE store_writers (
    role_name  TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    PRIMARY KEY (role_name, cluster_id)
);

CREATE FUNCTION cni_may_write(cluster TEXT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM store_writers w WHERE w.role_name = current_user AND (w.cluster_id = cluster OR w.cluster_id = '*'))
$$;

-- Every role reads every cluster (a fleet view); writes — inserts, updates, deletes — need cni_may_write.
-- (Policies of one command are OR-ed: FOR ALL's USING also admits reads, which the read policy admits anyway.)
ALTER TABLE nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON nodes FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON nodes FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON snapshots FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON snapshots FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE snapshot_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON snapshot_files FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON snapshot_files FOR ALL
    USING (EXISTS (SELECT 1 FROM snapshots s WHERE s.id = snapshot_id AND cni_may_write(s.cluster_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM snapshots s WHERE s.id = snapshot_id AND cni_may_write(s.cluster_id)));

ALTER TABLE findings ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON findings FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON findings FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE sandbox_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON sandbox_events FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON sandbox_events FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE sandbox_event_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON sandbox_event_counts FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON sandbox_event_counts FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE retention ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON retention FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON retention FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE remediation_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON remediation_plans FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON remediation_plans FOR ALL USING (cni_may_write(cluster_id)) WITH CHECK (cni_may_write(cluster_id));

ALTER TABLE remediation_plan_nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON remediation_plan_nodes FOR SELECT USING (true);
CREATE POLICY write_own_cluster ON remediation_plan_nodes FOR ALL
    USING (EXISTS (SELECT 1 FROM remediation_plans p WHERE p.id = plan_id AND cni_may_write(p.cluster_id)))
    WITH CHECK (EXISTS (SELECT 1 FROM remediation_plans p WHERE p.id = plan_id AND cni_may_write(p.cluster_id)));

-- The audit log is append-only already (triggers); a collector appends entries of its own cluster only.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON audit_log FOR SELECT USING (true);
CREATE POLICY append_own_cluster ON audit_log FOR INSERT WITH CHECK (cni_may_write(cluster_id));
