-- How many of a unit's own people gave each whole value from 0 to 10 of an item in a round
-- (every 0–10 line, Likert and yes/no scale fits): the distributions of the aggregates, kept
-- in the running totals' row so that reading them costs nothing more. Totals from before
-- this have zeros, which do not add up to the count, so no distribution is shown for them.
-- (On SQLite the table is also rebuilt clustered by its key; see the .sqlite.sql file.)
ALTER TABLE feedback_total ADD COLUMN v0 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v6 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v7 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v8 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v9 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback_total ADD COLUMN v10 INTEGER NOT NULL DEFAULT 0;
