-- A counter bumped by every organisation import, so each server instance can tell in one
-- cheap read whether its in-memory view of the organisation is still current.
ALTER TABLE municipality ADD COLUMN org_version BIGINT NOT NULL DEFAULT 0;
