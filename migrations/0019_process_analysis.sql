-- The results of analysing a process: opinion groups from the votes, themes in the inputs.
-- The newest row of a kind is the current result; `basis` says what it was computed from
-- (the number of votes or inputs and the newest one), so a reader knows whether it is
-- current, and `state` is what the next run continues from (groups and themes keep their
-- numbers between runs).
CREATE TABLE process_analysis (
    id UUID PRIMARY KEY,
    process_id UUID NOT NULL REFERENCES process (id),
    -- opinions, themes
    kind TEXT NOT NULL,
    basis TEXT NOT NULL,
    result TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX process_analysis_latest ON process_analysis (process_id, kind, created_at);
