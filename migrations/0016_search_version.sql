-- Which version of a module's searchable objects a municipality has: a fresh random id
-- with every write that can change what a search or list of that kind returns. Result
-- pages are remembered in memory under it, so a new version retires them on every
-- instance (a random id, not a counter, so two databases never share a version).
CREATE TABLE search_version (
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    kind TEXT NOT NULL,
    version UUID NOT NULL,
    PRIMARY KEY (municipality_id, kind)
);
