-- Danish search, shared by modules: each searchable object's text as Snowball stems
-- (computed in Rust), matched with FTS5 and ranked with bm25.
CREATE VIRTUAL TABLE search_doc USING fts5 (
    stems,
    kind UNINDEXED,
    object_id UNINDEXED,
    municipality_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);
