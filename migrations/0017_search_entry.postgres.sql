-- SQLite only maps search entries to FTS5 rowids (see 0017_search_entry.sqlite.sql);
-- PostgreSQL's search_doc already has its primary key on (kind, object_id). This step
-- keeps both backends at the same migration version.
SELECT 1;
