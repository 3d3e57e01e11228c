-- The municipality's core tasks (kerneopgaver): a taxonomy stories and inputs are tagged
-- with. Created with Hedensted's four on first use; a municipality may change them.
CREATE TABLE core_task (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    key TEXT NOT NULL,
    name_da TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (municipality_id, key)
);

-- The story bank: good examples from practice. The unit is the organisation's (checked
-- through its functions, not a foreign key: modules do not reach into each other's tables).
CREATE TABLE story (
    id UUID PRIMARY KEY,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    unit_id UUID,
    author_account_id UUID REFERENCES account (id),
    author_name TEXT NOT NULL,
    -- draft, published, archived
    state TEXT NOT NULL DEFAULT 'draft',
    -- internal (the municipality's own), public (anyone)
    visibility TEXT NOT NULL DEFAULT 'internal',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);
CREATE INDEX story_list ON story (municipality_id, state, updated_at);

CREATE TABLE story_core_task (
    story_id UUID NOT NULL REFERENCES story (id),
    core_task_id UUID NOT NULL REFERENCES core_task (id),
    PRIMARY KEY (story_id, core_task_id)
);

CREATE TABLE story_tag (
    story_id UUID NOT NULL REFERENCES story (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (story_id, tag)
);
CREATE INDEX story_tag_tag ON story_tag (tag);
