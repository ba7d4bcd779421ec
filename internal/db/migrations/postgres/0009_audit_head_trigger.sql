-- The head of the audit chain follows every appended entry by trigger, in
-- the same statement as the append, instead of by a second statement.
CREATE FUNCTION audit_log_head() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_head();
