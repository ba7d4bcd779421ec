-- The head of the audit chain follows every appended entry by trigger, in
-- the same statement as the append, instead of by a second statement.
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
END;
