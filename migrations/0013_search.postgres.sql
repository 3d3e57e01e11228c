-- Danish search, shared by modules: each searchable object's text as Snowball stems
-- (computed in Rust), matched with a tsvector ('simple': the stems are already Danish
-- stems) and ranked with ts_rank.
CREATE TABLE search_doc (
    kind TEXT NOT NULL,
    object_id UUID NOT NULL,
    municipality_id UUID NOT NULL REFERENCES municipality (id),
    stems TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', stems)) STORED,
    PRIMARY KEY (kind, object_id)
);
CREATE INDEX search_doc_tsv ON search_doc USING GIN (tsv);
