-- A pending OIDC login is bound to the browser that started it: the hash of a random value
-- kept in that browser's short-lived cookie. A callback from any other browser is refused.
ALTER TABLE oidc_login ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';
