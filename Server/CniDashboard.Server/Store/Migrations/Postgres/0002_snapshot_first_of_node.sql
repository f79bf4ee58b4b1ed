-- PostgreSQL twin of Store/Migrations/0002_snapshot_first_of_node.sql: a node's first snapshot is
-- its folder as first seen, not a change of it (0/1 as on SQLite, so both engines share the queries).
ALTER TABLE snapshots ADD COLUMN first_of_node INTEGER NOT NULL DEFAULT 0;

UPDATE snapshots SET first_of_node = 1
WHERE NOT EXISTS (SELECT 1 FROM snapshots p WHERE p.node = snapshots.node AND p.id < snapshots.id);
