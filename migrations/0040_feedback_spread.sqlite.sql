-- How many of a unit's own people gave each whole value from 0 to 10 of an item in a round
-- (every 0–10 line, Likert and yes/no scale fits): the distributions of the aggregates, kept
-- in the running totals' row so that reading them costs nothing more. Totals from before
-- this have zeros, which do not add up to the count, so no distribution is shown for them.
-- On SQLite the table is rebuilt clustered by its key (WITHOUT ROWID), so that one round's
-- item, read for a whole organisation at once, lies together on disk.
CREATE TABLE feedback_total_new (
    round_id UUID NOT NULL REFERENCES feedback_round (id),
    unit_id UUID NOT NULL,
    item TEXT NOT NULL,
    n INTEGER NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    squares DOUBLE PRECISION NOT NULL,
    v0 INTEGER NOT NULL DEFAULT 0,
    v1 INTEGER NOT NULL DEFAULT 0,
    v2 INTEGER NOT NULL DEFAULT 0,
    v3 INTEGER NOT NULL DEFAULT 0,
    v4 INTEGER NOT NULL DEFAULT 0,
    v5 INTEGER NOT NULL DEFAULT 0,
    v6 INTEGER NOT NULL DEFAULT 0,
    v7 INTEGER NOT NULL DEFAULT 0,
    v8 INTEGER NOT NULL DEFAULT 0,
    v9 INTEGER NOT NULL DEFAULT 0,
    v10 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, item, unit_id)
) WITHOUT ROWID;
INSERT INTO feedback_total_new (round_id, unit_id, item, n, total, squares)
    SELECT round_id, unit_id, item, n, total, squares FROM feedback_total;
DROP TABLE feedback_total;
ALTER TABLE feedback_total_new RENAME TO feedback_total;
