-- Subtree queries match the materialised path with LIKE 'prefix%'. SQLite's
-- LIKE is case-insensitive for ASCII, so it can only use an index built with
-- NOCASE; codes differing only in case are refused by the org module, so the
-- match stays exact.
CREATE INDEX org_units_path_like ON org_units(path COLLATE NOCASE);
