-- Subtree queries match the materialised path with LIKE 'prefix%'. Under a
-- non-C collation (C.UTF-8, en_US.UTF-8, zh_CN.UTF-8 …) the unique index on
-- path cannot serve such a prefix match; text_pattern_ops can.
CREATE INDEX org_units_path_like ON org_units(path text_pattern_ops);
