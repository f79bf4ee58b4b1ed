-- Remediation plans (docs/remediation.md). A plan is a header row (the plan without its nodes, as
-- RemediationJsonContext writes it) and one row per node, so a transition rewrites only the rows it
-- touched. version is the plan's Version: every write says which version it replaces (optimistic
-- concurrency); audit_seq is the audit entry written in the same transaction.
CREATE TABLE remediation_plans (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    state      TEXT NOT NULL,
    rule       TEXT NOT NULL,
    plugin     TEXT,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    header     TEXT NOT NULL,
    audit_seq  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ix_remediation_plans_state ON remediation_plans (state);
CREATE INDEX ix_remediation_plans_created ON remediation_plans (created_at);

CREATE TABLE remediation_plan_nodes (
    plan_id   TEXT NOT NULL,
    node      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    status    TEXT NOT NULL,
    body      TEXT NOT NULL,
    audit_seq INTEGER NOT NULL,
    PRIMARY KEY (plan_id, node)
) WITHOUT ROWID;
CREATE INDEX ix_remediation_plan_nodes_node ON remediation_plan_nodes (node, plan_id);
