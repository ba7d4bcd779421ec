-- Background jobs (issue 11, point 2): one row per named job with its
-- schedule, its next due time, the lease of the node running it (so that
-- of several nodes on one database only one runs each due run) and a
-- pending run-now request; job_runs records every run.
CREATE TABLE jobs (
    name             TEXT PRIMARY KEY,
    schedule         TEXT NOT NULL,
    next_run         TIMESTAMP NOT NULL,
    lease_holder     TEXT NOT NULL DEFAULT '',
    lease_token      TEXT NOT NULL DEFAULT '',
    lease_until      TIMESTAMP,
    run_requested_at TIMESTAMP,
    run_requested_by TEXT NOT NULL DEFAULT '',
    last_run_id      INTEGER
);

CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY,
    job          TEXT NOT NULL REFERENCES jobs(name),
    node         TEXT NOT NULL,
    cause        TEXT NOT NULL CHECK (cause IN ('schedule','request','cli')),
    requested_by TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    result       TEXT NOT NULL CHECK (result IN ('running','ok','error','abandoned')),
    summary      TEXT NOT NULL DEFAULT '{}',
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs(job, started_at);
CREATE INDEX job_runs_running ON job_runs(job, result);
