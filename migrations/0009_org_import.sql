-- The import that is applying changes to a municipality's organisation right now (at most
-- one per municipality). An import writes in short slices so other writers (a login) get in
-- between; its heartbeat moves with every slice. A claim whose heartbeat has stood still
-- for two minutes belongs to an import that died part-way: the next import takes it over
-- and completes the organisation.
CREATE TABLE org_import (
    municipality_id UUID PRIMARY KEY REFERENCES municipality(id),
    started_at TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,
    -- "host:pid" of the importing process: on the same host a claim whose process is gone
    -- is taken over at once instead of after two minutes.
    holder TEXT NOT NULL
);
