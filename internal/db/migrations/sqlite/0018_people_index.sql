-- A removed person keeps their record as history but no longer holds
-- their ID-card number: registering the same number again creates a new
-- live person. Removal moves the blind index out of id_bidx (UNIQUE, the
-- index every lookup and import match uses) into removed_id_bidx, so
-- id_bidx holds the live people only and its uniqueness is among them.
-- (On SQLite, dropping the column-level UNIQUE would need a table
-- rebuild, which the foreign keys to people forbid inside a migration's
-- transaction; moving the value out needs neither.)
ALTER TABLE people ADD COLUMN removed_id_bidx BLOB;
UPDATE people SET removed_id_bidx = id_bidx, id_bidx = NULL WHERE deleted_at IS NOT NULL AND id_bidx IS NOT NULL;
