-- Working calendar: official holidays and make-up working days imported by an
-- administrator, applied on top of the data compiled into the binary.
CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY, -- YYYY-MM-DD, civil date in Asia/Shanghai
    kind       TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
    name       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
