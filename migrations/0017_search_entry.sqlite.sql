-- FTS5 finds its rows quickly only by rowid: a search entry's other columns are read row
-- by row. This table maps an object to its entry's rowid, so replacing one object's entry
-- is a lookup instead of a pass over the whole index. (PostgreSQL's search_doc has a
-- primary key on (kind, object_id) and needs nothing like it.)
CREATE TABLE search_doc_entry (
    kind TEXT NOT NULL,
    object_id UUID NOT NULL,
    doc_rowid INTEGER NOT NULL,
    PRIMARY KEY (kind, object_id)
);
INSERT INTO search_doc_entry (kind, object_id, doc_rowid) SELECT kind, object_id, rowid FROM search_doc;
