-- A round sent to a cohort another module keeps (a programme's participants) instead of to
-- units: its results are read for the cohort as a whole, and per unit as any round's.
ALTER TABLE feedback_round ADD COLUMN cohort_id UUID;
ALTER TABLE feedback_round ADD COLUMN cohort_name TEXT NOT NULL DEFAULT '';
