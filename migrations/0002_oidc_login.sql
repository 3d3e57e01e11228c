-- Pending OIDC logins: the state sent to the provider (hashed), with the PKCE verifier and
-- nonce needed to finish. In the database so any instance can receive the callback.
CREATE TABLE oidc_login (
    state_hash TEXT PRIMARY KEY,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    next_path TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX account_oidc ON account (oidc_issuer, oidc_subject);
