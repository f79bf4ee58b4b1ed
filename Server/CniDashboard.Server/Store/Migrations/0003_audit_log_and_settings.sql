-- The audit log: append-only, hash-chained, never pruned (retention does not touch it).
-- Each row's hash is the SHA-256 of its canonical form (Shared/Audit/AuditCanonicalForm.cs), which
-- includes prev_hash, the previous row's hash. actor_roles and details hold canonical JSON (RFC 8785).
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
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

-- The dashboard never changes or removes an entry. (Whoever edits the file can drop these
-- triggers; the chain and the signed checkpoint in the cluster are what catch that.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Run-time settings changed by an Admin. A row exists once a setting has been changed; audit_seq
-- is the audit entry that recorded the value, written in the same transaction.
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    audit_seq  INTEGER NOT NULL
) WITHOUT ROWID;
