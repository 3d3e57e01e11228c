-- Grants on one object ("facilitator of this process", "member of this learning group"):
-- the kind is the owning module's name for it.
ALTER TABLE role_grant ADD COLUMN scope_object_kind TEXT;
ALTER TABLE role_grant ADD COLUMN scope_object_id UUID;
CREATE INDEX role_grant_object ON role_grant (scope_object_kind, scope_object_id);

-- The organisation owns its version counter (it was a column of the platform's
-- municipality table).
CREATE TABLE org_state (
    municipality_id UUID PRIMARY KEY REFERENCES municipality (id),
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO org_state (municipality_id, version) SELECT id, org_version FROM municipality;
ALTER TABLE municipality DROP COLUMN org_version;
