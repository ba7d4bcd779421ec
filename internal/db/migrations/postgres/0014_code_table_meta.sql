-- Code-table entries may carry a definition beyond code and name: a group
-- kind says whether it is a key group, how often its members are visited
-- and which fields its memberships hold. meta is that JSON object ('{}'
-- for a plain code).
ALTER TABLE code_tables ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
