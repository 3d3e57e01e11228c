-- Bearer tokens for the JSON API. A token acts as its account, with the account's
-- permissions. Only a SHA-256 of the token is stored; the token is shown once.
CREATE TABLE api_token (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES account (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_token_account ON api_token (account_id);
