-- Secrets that every node of one installation must share (the CAPTCHA
-- key, later signing keys): made once, at random, by whichever process
-- needs one first, and read by all the others (issue 11, point 8).
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
