-- Materials of an activity (a programme, slides, a reading): files kept in the database,
-- each at most a few megabytes and of a kind a participant can open.
CREATE TABLE activity_material (
    id UUID PRIMARY KEY,
    activity_id UUID NOT NULL REFERENCES activity (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_material_activity ON activity_material (activity_id, created_at);
