-- A node's first snapshot is its folder as first seen, not a change of it: the Overview's recent
-- changes say "first seen" for it. The ingestor sets the flag when it stores a node's first snapshot.
ALTER TABLE snapshots ADD COLUMN first_of_node INTEGER NOT NULL DEFAULT 0;

-- Existing history: each node's earliest kept snapshot (for a node whose first one retention has
-- already pruned, the earliest kept one: its changed files were not recorded against anything kept).
UPDATE snapshots SET first_of_node = 1
WHERE NOT EXISTS (SELECT 1 FROM snapshots p WHERE p.node = snapshots.node AND p.id < snapshots.id);
