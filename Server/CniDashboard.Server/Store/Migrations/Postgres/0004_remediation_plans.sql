-- PostgreSQL twin of Store/Migrations/0004_remediation_plans.sql.
-- Remediation plans (docs/remediation.md): a header row per plan and one row per node; version is
-- the plan's Version (optimistic concurrency), audit_seq the audit entry written in the same transaction.
CREATE TABLE remediation_plans (
    id         TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    state      TEXT NOT NULL,
    rule       TEXT NOT NULL,
    plugin     TEXT,
    author     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    header     TEXT NOT NULL,
    audit_seq  BIGINT NOT NULL
);
CREATE INDEX ix_remediation_plans_state ON remediation_plans (state);
CREATE INDEX ix_remediation_plans_created ON remediation_plans (created_at);

CREATE TABLE remediation_plan_nodes (
    plan_id   TEXT NOT NULL,
    node      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    status    TEXT NOT NULL,
    body      TEXT NOT NULL,
    audit_seq BIGINT NOT NULL,
    PRIMARY KEY (plan_id, node)
);
CREATE INDEX ix_remediation_plan_nodes_node ON remediation_plan_nodes (node, plan_id);
