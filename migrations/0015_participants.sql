-- Who takes part without an account: a personal link (one per invited person or unit
-- member; the answer is stored without identity) or a workshop code on the wall. A pass
-- belongs to one object of a module (a process, a course). Only a SHA-256 of the secret is
-- kept.
CREATE TABLE participant_pass (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    -- link, code
    kind TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id UUID NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX participant_pass_object ON participant_pass (object_kind, object_id);

-- Fixed-window rate limits for those without an account (link holders, workshop
-- participants, public visitors), kept in the database so every instance counts together.
CREATE TABLE rate_limit (
    limit_key TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    hits INTEGER NOT NULL
);
