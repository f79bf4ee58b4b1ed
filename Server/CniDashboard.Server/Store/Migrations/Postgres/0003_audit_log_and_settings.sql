-- PostgreSQL twin of Store/Migrations/0003_audit_log_and_settings.sql.
-- The audit log: append-only, hash-chained, never pruned. seq is assigned by the appender while it
-- holds the chain's advisory lock (PostgresLocks.AuditChain), so sequence numbers have no gaps.
CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_subject  TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    actor_roles    TEXT NOT NULL,
    actor_method   TEXT NOT NULL,
    action         TEXT NOT NULL,
    target_kind    TEXT,
    target_name    TEXT,
    outcome        TEXT NOT NULL,
    details        TEXT,
    client_address TEXT,
    request_id     TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
CREATE INDEX ix_audit_log_actor ON audit_log (actor_subject, seq);
CREATE INDEX ix_audit_log_actor_name ON audit_log (actor_name, seq);
CREATE INDEX ix_audit_log_target ON audit_log (target_kind, target_name, seq);

-- The dashboard never changes or removes an entry: UPDATE, DELETE and TRUNCATE are refused.
-- (The table's owner can drop these triggers; the chain and the signed checkpoint in the cluster
-- are what catch that. Run the dashboard as a role that does not own the schema to take even that away.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Run-time settings changed by an Admin; audit_seq is the audit entry that recorded the value.
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    audit_seq  BIGINT NOT NULL
);
