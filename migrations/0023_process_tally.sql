-- The current votes per statement (each participant's latest vote counted once), kept up to
-- date by every vote, so pages need not read a million votes to show the counts.
CREATE TABLE process_tally (
    process_id UUID NOT NULL REFERENCES process (id),
    statement_number INTEGER NOT NULL,
    agree BIGINT NOT NULL DEFAULT 0,
    disagree BIGINT NOT NULL DEFAULT 0,
    pass BIGINT NOT NULL DEFAULT 0,
    -- How often the counts of this statement changed: a cheap sign that the votes moved.
    changes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (process_id, statement_number)
);
INSERT INTO process_tally (process_id, statement_number, agree, disagree, pass, changes)
SELECT process_id, statement_number,
       SUM(CASE WHEN vote = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN vote = -1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN vote = 0 THEN 1 ELSE 0 END),
       COUNT(*)
FROM (
    SELECT process_id, statement_number, vote,
           ROW_NUMBER() OVER (PARTITION BY process_id, participant_number, statement_number ORDER BY id DESC) AS newest
    FROM process_vote
) latest
WHERE newest = 1
GROUP BY process_id, statement_number;
