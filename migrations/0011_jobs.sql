-- Background jobs, run by workers in the serving process. A worker claims a job with a
-- lease it renews while it runs (heartbeat); a job whose worker died is claimed again when
-- the lease has passed. Progress is in per mille with a message; the result or the error
-- is kept.
CREATE TABLE job (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    -- queued, running, done, failed
    state TEXT NOT NULL DEFAULT 'queued',
    -- At most one unfinished job per key (a scheduled sweep, one analysis per process).
    dedupe_key TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    run_after TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    worker TEXT,
    progress_permille INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result TEXT,
    error TEXT,
    created_by UUID REFERENCES account (id),
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX job_ready ON job (state, run_after);
CREATE INDEX job_created ON job (municipality_id, created_at);
CREATE UNIQUE INDEX job_unfinished_key ON job (dedupe_key) WHERE state IN ('queued', 'running');
