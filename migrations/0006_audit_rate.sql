-- Denials by visitors who are not signed in are logged up to a limit per address and
-- window, so a flood of anonymous requests cannot fill the audit log.
CREATE TABLE audit_rate (
    rate_key TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    entries BIGINT NOT NULL
);
